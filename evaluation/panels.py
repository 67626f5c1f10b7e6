"""Dashboard panels of evaluation: result evaluations and the committee's national picture."""

from evaluation import panels_results
from evaluation.analytics import panels as analytics_panels


def register_all() -> None:
    panels_results.register_all()
    analytics_panels.register_all()
