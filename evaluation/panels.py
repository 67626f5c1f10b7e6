"""What evaluation adds to core's registry: the dashboard panels of result evaluations and of the committee's
national picture, the sections on earlier apps' pages, and the menu's links."""

from django.utils.translation import gettext_lazy as _

from core import registry
from evaluation import panels_results, permissions
from evaluation.analytics import panels as analytics_panels

COVERAGE_PAGES = frozenset(
    {
        "evaluation:coverage",
        "evaluation:committee",
        "evaluation:uncovered",
        "evaluation:stability",
        "evaluation:flags",
        "evaluation:trends",
    }
)


def register_all() -> None:
    panels_results.register_all()
    analytics_panels.register_all()
    links = [
        registry.Link(
            key="evaluations",
            order=60,
            predicate=permissions.is_staff_reader,
            label=_("Evaluations"),
            url_name="evaluation:evaluation-list",
            current=frozenset({"evaluation:evaluation-list", "evaluation:evaluation-detail"}),
        ),
        registry.Link(
            key="ranking",
            order=65,
            predicate=permissions.can_see_ranking,
            label=_("Ranking"),
            url_name="evaluation:ranking",
            current=frozenset({"evaluation:ranking"}),
        ),
        # The same menu entry leads staff to the national picture and the public and NGOs to the coverage overview.
        registry.Link(
            key="coverage",
            order=70,
            predicate=permissions.is_staff_reader,
            label=_("Coverage"),
            url_name="evaluation:committee",
            current=COVERAGE_PAGES,
        ),
        registry.Link(
            key="coverage-overview",
            order=70,
            predicate=lambda user: not permissions.is_staff_reader(user),
            label=_("Coverage"),
            url_name="evaluation:coverage",
            current=COVERAGE_PAGES,
        ),
        registry.Link(
            key="indicators",
            order=80,
            predicate=registry.signed_in,
            label=_("Indicators"),
            url_name="evaluation:indicator-list",
            current=frozenset({"evaluation:indicator-list"}),
        ),
    ]
    for link in links:
        registry.register(registry.NAV, link)
