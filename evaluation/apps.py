from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation, coverage and stability")

    def ready(self) -> None:
        from evaluation import imports as record_imports

        record_imports.register_all()
        from evaluation import panels
        from evaluation.analytics import ocds

        panels.register_all()
        ocds.connect()
