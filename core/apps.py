from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared vocabulary")

    def ready(self) -> None:
        from core import panels

        panels.register_all()
