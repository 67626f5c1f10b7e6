from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = _("Calls and bids")

    def ready(self) -> None:
        from tenders import imports as record_imports

        record_imports.register_all()
        from core.audit import Action, register_sealed_filter
        from core.timeline import register_subject
        from tenders import panels
        from tenders.models import Question, sealed_audit_events

        panels.register_all()
        register_sealed_filter(sealed_audit_events)
        register_subject(Action.QUESTION_ANSWERED, Question)  # the answer is the question's field
