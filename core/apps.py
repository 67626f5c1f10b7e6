from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared vocabulary")

    def ready(self) -> None:
        from core import panels, transitions  # noqa: F401  (transitions registers the system check of TRANSITIONS maps)

        panels.register_all()
