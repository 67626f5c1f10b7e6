"""The system-level evaluation for committee staff, officers and (in aggregate) the public: coverage heatmap and
tile map, uncovered cells, funding stability, trends, red flags and the coverage workbook. Every page calls the same
functions as the workbook (evaluation.analytics.coverage, .stability, .flags, .money), so they show the same
numbers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from contracts.models import Contract
from core.exports import FORMATS, export_response
from core.models import Agency, Region, Role, ServiceType
from core.util import today
from evaluation.analytics import charts, workbook
from evaluation.analytics.coverage import CellStatus, coverage_matrix, uncovered_cells
from evaluation.analytics.flags import RULES, FlagKind, red_flags
from evaluation.analytics.money import series
from evaluation.analytics.stability import (
    Verdict,
    agency_stability,
    default_window,
    provider_stability,
    stability_table,
    thresholds,
)
from providers.models import Provider
from tenders.models import Call

FIRST_YEAR = 2016


def can_see_analytics(user) -> bool:
    """Stability, flags, trends and the workbook: committee staff, officers, experts and admins."""
    return user.is_authenticated and (user.is_superuser or user.role != Role.NGO)


def int_param(
    request, name: str, default: int | None, *, low: int = FIRST_YEAR, high: int | None = None
) -> int | None:
    """Return an integer query parameter within bounds, or the default (bad input never raises)."""
    high = high or today().year + 3
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return default
    return value if low <= value <= high else default


def own_region(user) -> Region | None:
    """Return the region of an officer's regional agency (shown beside the national picture)."""
    if user.is_authenticated and user.role == Role.OFFICER and user.agency and user.agency.region_id:
        return user.agency.region
    return None


def short_name(region: Region) -> str:
    """Return a region's name for a tile: without the word for 'city' (the regions keep theirs, so Almaty city and
    Almaty Region stay apart)."""
    words = [w for w in region.name.split() if w.lower() not in {"город", "қаласы"}]
    return " ".join(words) or region.name


def tiles(matrix, year: int) -> list[charts.Tile]:
    return [
        charts.Tile(
            row=rc.region.tile_row,
            col=rc.region.tile_col,
            name=short_name(rc.region),
            label=f"{rc.covered} / {rc.applicable}" if rc.applicable else _("no data"),
            share=rc.share,
            url=reverse("evaluation:coverage") + f"?year={year}&region={rc.region.pk}#heatmap",
        )
        for rc in matrix.region_coverage
    ]


class AnalyticsMixin:
    """Requires a role that may see the analytics (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_see_analytics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class CoverageView(TemplateView):
    """The coverage heatmap of the 20 regions × service types for a year, and the tile-grid map (public)."""

    template_name = "evaluation/analytics/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        year = int_param(self.request, "year", on.year)
        matrix = coverage_matrix(year, today=on)
        highlight = int_param(self.request, "region", None, low=1, high=10**9)
        mine = own_region(self.request.user)
        context.update(
            {
                "year": year,
                "years": list(range(FIRST_YEAR, on.year + 2)),
                "matrix": matrix,
                "statuses": CellStatus,
                "map": charts.tile_map(
                    tiles(matrix, year),
                    title=_("Share of services covered by region, %(year)d") % {"year": year},
                    description=_(
                        "Each tile is a region placed like the map of Kazakhstan; the figure is the number "
                        "of services covered out of those that apply."
                    ),
                ),
                "highlight": highlight or (mine.pk if mine else None),
                "own_region": mine,
                "own_row": next((row for row in matrix.rows() if mine and row[0].pk == mine.pk), None),
                "can_download": can_see_analytics(self.request.user),
            }
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class CellView(TemplateView):
    """What is behind one cell: its contracts, calls, bids, money by year and population."""

    template_name = "evaluation/analytics/cell.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = Region.objects.filter(pk=kwargs["region"]).first()
        service = ServiceType.objects.filter(pk=kwargs["service"]).first()
        year = kwargs["year"]
        if region is None or service is None or not FIRST_YEAR <= year <= today().year + 3:
            raise Http404
        on = today()
        cell = coverage_matrix(year, today=on, regions=[region], service_types=[service]).cell(region, service)
        first, last = year - 5, year
        years, planned, paid = series(first, last, region=region, service_type=service)
        context.update(
            {
                "cell": cell,
                "region": region,
                "service": service,
                "year": year,
                "contracts": Contract.objects.visible_to(self.request.user)
                .filter(pk__in=cell.contract_ids)
                .select_related("provider"),
                "calls": Call.objects.visible_to(self.request.user)
                .filter(region=region, service_type=service, start_year__lte=year, start_year__gte=year - 2)
                .select_related("agency")
                .order_by("-deadline"),
                "chart": charts.money_chart(
                    years,
                    planned,
                    paid,
                    title=_("Money by year: %(region)s, %(service)s")
                    % {"region": region.name, "service": service.name},
                    description=_("Planned and paid money of the contracts serving each year."),
                    planned_label=_("planned"),
                    paid_label=_("paid"),
                    unit_label=_("mln ₸"),
                ),
            }
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class UncoveredView(TemplateView):
    template_name = "evaluation/analytics/uncovered.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        year = int_param(self.request, "year", on.year)
        context.update(
            {
                "year": year,
                "years": list(range(FIRST_YEAR, on.year + 2)),
                "as_of": on,
                "rows": uncovered_cells(year, today=on),
            }
        )
        return context


def window_params(request) -> tuple[int, int]:
    on = today()
    first_default, last_default = default_window(on)
    first = int_param(request, "first", first_default)
    last = int_param(request, "last", last_default)
    if last < first or last - first > 10:
        return first_default, last_default
    return first, last


class StabilityView(AnalyticsMixin, TemplateView):
    template_name = "evaluation/analytics/stability.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        first, last = window_params(self.request)
        region = Region.objects.filter(pk=int_param(self.request, "region", 0, low=0, high=10**9) or 0).first()
        service = ServiceType.objects.filter(pk=int_param(self.request, "service", 0, low=0, high=10**9) or 0).first()
        rows = stability_table(
            first, last, today=on, regions=[region] if region else None, service_types=[service] if service else None
        )
        verdict = self.request.GET.get("verdict")
        if verdict in Verdict.values:
            rows = [r for r in rows if r.verdict == verdict]
        mine = own_region(self.request.user)
        context.update(
            {
                "first": first,
                "last": last,
                "years": list(range(first, last + 1)),
                "rows": rows,
                "thresholds": thresholds(),
                "verdicts": Verdict,
                "verdict": verdict,
                "region": region,
                "service": service,
                "regions": Region.objects.filter(level=1),
                "services": ServiceType.objects.all(),
                "own_region": mine,
                "as_of": on,
                "verdict_counts": {v: sum(1 for r in rows if r.verdict == v) for v in Verdict.values},
            }
        )
        return context


class ProviderStabilityView(AnalyticsMixin, TemplateView):
    template_name = "evaluation/analytics/stability_parties.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first, last = window_params(self.request)
        rows = provider_stability(first, last, today=today())
        context.update(
            {
                "first": first,
                "last": last,
                "years": list(range(first, last + 1)),
                "rows": rows[:200],
                "kind": "providers",
                "thresholds": thresholds(),
            }
        )
        return context


class AgencyStabilityView(AnalyticsMixin, TemplateView):
    template_name = "evaluation/analytics/stability_parties.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first, last = window_params(self.request)
        rows = agency_stability(first, last, today=today())
        context.update(
            {
                "first": first,
                "last": last,
                "years": list(range(first, last + 1)),
                "rows": rows,
                "kind": "agencies",
                "thresholds": thresholds(),
            }
        )
        return context


class TrendsView(AnalyticsMixin, TemplateView):
    """Money by year for a region, a service and a provider (any combination), planned and paid."""

    template_name = "evaluation/analytics/trends.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        first = int_param(self.request, "first", on.year - 9)
        last = int_param(self.request, "last", on.year)
        if last < first:
            first, last = on.year - 9, on.year
        pick = {}
        for name, model in (
            ("region", Region),
            ("service_type", ServiceType),
            ("provider", Provider),
            ("agency", Agency),
        ):
            pk = int_param(self.request, name, 0, low=0, high=10**9)
            pick[name] = model.objects.filter(pk=pk).first() if pk else None
        years, planned, paid = series(first, last, **pick)
        label = ", ".join(str(v) for v in pick.values() if v) or _("Kazakhstan, all services")
        context.update(
            {
                "first": first,
                "last": last,
                "pick": pick,
                "label": label,
                "regions": Region.objects.filter(level=1),
                "services": ServiceType.objects.all(),
                "agencies": Agency.objects.all(),
                "providers": Provider.objects.filter(contracts__isnull=False).distinct().order_by("name_ru"),
                "rows": list(zip(years, planned, paid, strict=True)),
                "chart": charts.money_chart(
                    years,
                    planned,
                    paid,
                    title=_("Money by year: %(what)s") % {"what": label},
                    description=_("Planned and paid money by year."),
                    planned_label=_("planned"),
                    paid_label=_("paid"),
                    unit_label=_("mln ₸"),
                ),
            }
        )
        return context


def flag_filters(request) -> dict:
    on = today()
    kind = request.GET.get("kind")
    return {
        "year": int_param(request, "year", None),
        "region": Region.objects.filter(pk=int_param(request, "region", 0, low=0, high=10**9) or 0).first(),
        "agency": Agency.objects.filter(pk=int_param(request, "agency", 0, low=0, high=10**9) or 0).first(),
        "kinds": [kind] if kind in FlagKind.values else None,
        "today": on,
    }


FLAG_COLUMNS = ("kind", "rule", "number", "region", "service", "agency", "year", "detail")


def flag_rows(flags) -> list[list]:
    header = [_("flag"), _("rule"), _("number"), _("region"), _("service"), _("agency"), _("year"), _("detail")]
    return [header] + [
        [
            f.kind_label,
            str(f.rule),
            f.number,
            f.region.name,
            f.service_type.name if f.service_type else "",
            f.agency.name if f.agency else "",
            f.year or "",
            f.detail,
        ]
        for f in flags
    ]


class FlagsView(AnalyticsMixin, TemplateView):
    template_name = "evaluation/analytics/flags.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return export_response(flag_rows(red_flags(**flag_filters(request))), fmt=fmt, basename="red-flags")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = flag_filters(self.request)
        flags = red_flags(**filters)
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            {
                "flags": flags[:500],
                "count": len(flags),
                "rules": [(FlagKind(k).label, r) for k, r in RULES.items()],
                "kinds": FlagKind,
                "filters": filters,
                "regions": Region.objects.filter(level=1),
                "agencies": Agency.objects.all(),
                "query": query.urlencode(),
                "by_kind": {FlagKind(k).label: sum(1 for f in flags if f.kind == k) for k in FlagKind.values},
            }
        )
        return context


class CommitteeDashboardView(AnalyticsMixin, TemplateView):
    """The national picture on one page: coverage map, totals and money by year at once; the stability and red-flag
    panels, which cost the most to compute, load right after the page (htmx), each from CommitteePanelView."""

    template_name = "evaluation/analytics/committee.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        year = int_param(self.request, "year", on.year)
        first, last = default_window(on)
        matrix = coverage_matrix(year, today=on)
        years, planned, paid = series(year - 9, year)
        context.update(
            {
                "year": year,
                "first": first,
                "last": last,
                "matrix": matrix,
                "as_of": on,
                "map": charts.tile_map(
                    tiles(matrix, year),
                    title=_("Share of services covered by region, %(year)d") % {"year": year},
                    description=_("Regions placed like the map of Kazakhstan."),
                ),
                "chart": charts.money_chart(
                    years,
                    planned,
                    paid,
                    title=_("Money of the state social order by year"),
                    description=_("Planned and paid money of contracts serving each year, all regions and services."),
                    planned_label=_("planned"),
                    paid_label=_("paid"),
                    unit_label=_("mln ₸"),
                ),
                "uncovered_count": matrix.totals.uncovered,
            }
        )
        return context


class CommitteePanelView(AnalyticsMixin, TemplateView):
    """One panel of the national picture (a template partial), loaded by htmx after the page."""

    PANELS = ("stability", "flags")

    def get_template_names(self):
        if self.kwargs["panel"] not in self.PANELS:
            raise Http404
        return [f"evaluation/analytics/committee.html#{self.kwargs['panel']}"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on = today()
        year = int_param(self.request, "year", on.year)
        first, last = default_window(on)
        context.update({"year": year, "first": first, "last": last})
        if self.kwargs["panel"] == "stability":
            stability = stability_table(first, last, today=on)
            unstable = [r for r in stability if r.verdict in (Verdict.INTERRUPTED, Verdict.VOLATILE)]
            unstable.sort(key=lambda r: (r.verdict != Verdict.INTERRUPTED, -(r.longest_gap or 0), -(r.cv or 0)))
            context["verdict_counts"] = [
                (Verdict(v).label, v, sum(1 for r in stability if r.verdict == v)) for v in Verdict.values
            ]
            context["unstable"] = unstable[:12]
        else:
            flags = red_flags(today=on, year=year)
            context["flag_counts"] = [
                (FlagKind(k).label, k, sum(1 for f in flags if f.kind == k)) for k in FlagKind.values
            ]
        return context


def workbook_filters(request) -> dict:
    on = today()
    first, last = window_params(request)
    region = Region.objects.filter(pk=int_param(request, "region", 0, low=0, high=10**9) or 0).first()
    service = ServiceType.objects.filter(pk=int_param(request, "service", 0, low=0, high=10**9) or 0).first()
    return {
        "year": int_param(request, "year", on.year),
        "first": first,
        "last": last,
        "region": region,
        "service": service,
        "today": on,
    }


class WorkbookView(AnalyticsMixin, View):
    """Download the coverage workbook (XLSX) in the user's language, in their scope, with the filters on screen."""

    def get(self, request):
        filters = workbook_filters(request)
        now = timezone.now()
        citable = workbook.citable_id(now=now, **filters)
        content = workbook.workbook_bytes(
            user=request.user, now=now, citable=citable, language=get_language(), **filters
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="coverage-{filters["year"]}-{citable}.xlsx"'
        return response


class TableCSVView(AnalyticsMixin, View):
    """Download one table of the workbook as CSV (UTF-8 with BOM)."""

    def get(self, request, table):
        if table not in workbook.TABLES:
            raise Http404
        filters = workbook_filters(request)
        rows = workbook.TABLES[table](user=request.user, **filters)
        return export_response(rows, fmt="csv", basename=table)
