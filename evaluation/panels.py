"""Dashboard panels of evaluation: result evaluations and the committee's national picture."""

from evaluation import panels_committee, panels_results


def register_all() -> None:
    panels_results.register_all()
    panels_committee.register_all()
