from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = _("Calls and bids")

    def ready(self) -> None:
        from core.audit import register_sealed_filter
        from tenders import panels
        from tenders.models import sealed_audit_events

        panels.register_all()
        register_sealed_filter(sealed_audit_events)
