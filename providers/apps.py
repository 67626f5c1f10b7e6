from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("NGO registry")

    def ready(self) -> None:
        from providers import imports as record_imports

        record_imports.register_all()
        from providers import panels, timeline

        panels.register_all()
        timeline.register_all()
