"""The committee's (and officers') panel on the dashboard: the coverage map and the way to the national picture."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import dashboard
from core.models import Role
from core.util import today
from evaluation.analytics import charts
from evaluation.analytics.coverage import coverage_matrix


def national_picture(user) -> dict:
    year = today().year
    matrix = coverage_matrix(year, today=today())
    own = user.officer_region
    return {
        "year": year,
        "matrix": matrix,
        "own_region": own,
        "map": charts.tile_map(
            charts.coverage_tiles(matrix, year, highlight=own.pk if own else None),
            title=_("Share of services covered by region, %(year)d") % {"year": year},
            description=_("Regions placed like the map of Kazakhstan."),
        ),
    }


def register_all() -> None:
    dashboard.register(
        dashboard.Panel(
            key="evaluation-committee",
            title=gettext_lazy("Coverage: where children have no provider"),
            roles=frozenset({Role.COMMITTEE, Role.ADMIN, Role.OFFICER}),
            template="evaluation/analytics/panels/committee.html",
            context=national_picture,
            order=5,
            width="col-lg-12",
        )
    )
