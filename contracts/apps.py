from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and reports")

    def ready(self) -> None:
        from contracts import imports as record_imports

        record_imports.register_all()
        from contracts import panels

        panels.register_all()
