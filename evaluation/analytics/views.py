"""The system-level evaluation for committee staff, officers, experts and (in aggregate) the public: the coverage
heatmap and tile map, uncovered cells, funding stability, trends, red flags, the national picture and the coverage
workbook. Each page reads its parameters through a form (evaluation.analytics.forms) and shows a django-tables2
table (evaluation.analytics.tables) that exports as CSV and XLSX like every list; the workbook writes the same
tables, so pages, exports and sheets show the same numbers."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_tables2 import SingleTableMixin

from contracts.models import Contract
from core.exports import XLSX_CONTENT_TYPE, ExportMixin, export_response
from core.models import Region, Role, ServiceType
from core.util import today
from evaluation.analytics import charts, forms, tables, workbook
from evaluation.analytics.coverage import CellStatus, coverage_matrix, uncovered_cells
from evaluation.analytics.flags import RULES, FlagKind, red_flags
from evaluation.analytics.money import series
from evaluation.analytics.snapshots import compare, matrix_of, refresh_in_background, running_job
from evaluation.analytics.stability import (
    Verdict,
    agency_stability,
    default_window,
    provider_stability,
    stability_table,
    thresholds,
)
from evaluation.models import Snapshot
from evaluation.permissions import can_see_analytics
from tenders.models import Call


def own_region(user) -> Region | None:
    """Return the region of an officer's regional agency (shown beside the national picture)."""
    return user.officer_region if user.is_authenticated else None


def tile_map(matrix, year: int, description: str, highlight: Region | None = None):
    """The coverage tile map, the reader's own region (`highlight`) outlined."""
    return charts.tile_map(
        charts.coverage_tiles(matrix, year, highlight=highlight.pk if highlight else None),
        title=_("Share of services covered by region, %(year)d") % {"year": year},
        description=description,
    )


class AnalyticsPageMixin:
    """An analytics page: its parameters from the query string through `form_class`, refused (403) to those who may
    not see the analytics unless the page is `public` (the coverage aggregates are public facts)."""

    form_class: type[forms.ParametersForm] = forms.ParametersForm
    public = False

    def dispatch(self, request, *args, **kwargs):
        if not self.public and not can_see_analytics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def on(self):
        return today()

    reads_snapshot = False  # whether the page reads the current (or the chosen) snapshot

    @cached_property
    def snapshot(self) -> Snapshot | None:
        """Return the snapshot the page reads: the one asked for, else the current one; None before the first."""
        if not self.reads_snapshot:
            return None
        return self.params.get("snapshot") or Snapshot.objects.current()

    def matrix(self, year: int):
        """Return the year's coverage matrix from the snapshot when it holds the year, else computed live."""
        if self.snapshot is not None and self.snapshot.first_year <= year <= self.snapshot.last_year:
            return matrix_of(self.snapshot, year)
        return coverage_matrix(year, today=self.on)

    @cached_property
    def form(self) -> forms.ParametersForm:
        return self.form_class(self.request.GET, today=self.on)

    @property
    def params(self) -> dict:
        return self.form.values

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "form": self.form,
                "as_of": self.on,
                "can_see_analytics": can_see_analytics(self.request.user),
                "snapshot": self.snapshot,
                "reads_snapshot": self.reads_snapshot,
                "refreshing": self.reads_snapshot and running_job() is not None,
            }
        )
        return context


class AnalyticsTableView(AnalyticsPageMixin, ExportMixin, SingleTableMixin, TemplateView):
    """An analytics page around one table of computed rows, exported as CSV or XLSX with every row."""

    paginate_by = 100

    @cached_property
    def rows(self) -> list:
        raise NotImplementedError

    def get_table_data(self):
        return self.rows


@method_decorator(login_not_required, name="dispatch")
class CoverageView(AnalyticsPageMixin, TemplateView):
    """The coverage heatmap of the 20 regions × service types for a year, and the tile-grid map (public)."""

    template_name = "evaluation/analytics/coverage.html"
    form_class = forms.CoverageForm
    public = True
    reads_snapshot = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, highlight = self.params["year"], self.params["region"]
        matrix = self.matrix(year)
        mine = own_region(self.request.user)
        context.update(
            {
                "year": year,
                "matrix": matrix,
                "statuses": CellStatus,
                "map": tile_map(
                    matrix,
                    year,
                    _(
                        "Each tile is a region placed like the map of Kazakhstan; the figure is the number "
                        "of services covered out of those that apply."
                    ),
                    highlight or mine,
                ),
                "highlight": highlight.pk if highlight else (mine.pk if mine else None),
                "own_region": mine,
                "own_row": next((row for row in matrix.rows() if mine and row[0].pk == mine.pk), None),
                # Committee staff and admins: the price per child served per region × service (contracts.prices).
                "prices": (
                    workbook.price_rows(user=self.request.user, year=year)
                    if self.request.user.is_authenticated and self.request.user.sees_all
                    else None
                ),
            }
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class CellView(AnalyticsPageMixin, TemplateView):
    """What is behind one cell: its contracts, calls, bids, money by year and population (public)."""

    template_name = "evaluation/analytics/cell.html"
    public = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = Region.objects.filter(pk=kwargs["region"]).first()
        service = ServiceType.objects.filter(pk=kwargs["service"]).first()
        year = kwargs["year"]
        if region is None or service is None or not forms.FIRST_YEAR <= year <= self.on.year + forms.YEARS_AHEAD:
            raise Http404
        cell = coverage_matrix(year, today=self.on, regions=[region], service_types=[service]).cell(region, service)
        years, planned, paid = series(year - 5, year, region=region, service_type=service)
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
class UncoveredView(AnalyticsTableView):
    """The failed, gap and never cells of a year, with what was tried (public)."""

    template_name = "evaluation/analytics/uncovered.html"
    form_class = forms.YearForm
    table_class = tables.UncoveredTable
    public = True
    paginate_by = 250  # every region × service on one page
    export_basename = "uncovered"

    @cached_property
    def rows(self) -> list:
        return uncovered_cells(self.params["year"], today=self.on)

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.params["year"], **kwargs)


class StabilityView(AnalyticsTableView):
    """Funding stability of every region × service over a window, with the verdict of each."""

    template_name = "evaluation/analytics/stability.html"
    form_class = forms.StabilityForm
    table_class = tables.StabilityTable
    paginate_by = 50  # a page a reader can scan; the verdict filter and the export hold the rest
    export_basename = "stability"

    @cached_property
    def all_rows(self) -> list:
        region, service = self.params["region"], self.params["service"]
        return stability_table(
            self.params["first"],
            self.params["last"],
            today=self.on,
            regions=[region] if region else None,
            service_types=[service] if service else None,
        )

    @cached_property
    def rows(self) -> list:
        verdict = self.params["verdict"]
        return [r for r in self.all_rows if r.verdict == verdict] if verdict else self.all_rows

    def get_table_kwargs(self):
        first, last = self.params["first"], self.params["last"]
        return {"years": range(first, last + 1), "own_region": own_region(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "first": self.params["first"],
                "last": self.params["last"],
                "rows": self.rows,
                "thresholds": thresholds(),
                "verdict_counts": {v: sum(1 for r in self.rows if r.verdict == v) for v in Verdict.values},
            }
        )
        return context


class PartyStabilityView(AnalyticsTableView):
    """Money of each provider or agency by year over a window, with the verdict of each."""

    template_name = "evaluation/analytics/stability_parties.html"
    form_class = forms.PartyStabilityForm
    kind = ""

    def compute(self, first: int, last: int) -> list:
        raise NotImplementedError

    @cached_property
    def rows(self) -> list:
        rows = self.compute(self.params["first"], self.params["last"])
        verdict = self.params["verdict"]
        return [r for r in rows if r.verdict == verdict] if verdict else rows

    def get_table_kwargs(self):
        return {"years": range(self.params["first"], self.params["last"] + 1)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {"first": self.params["first"], "last": self.params["last"], "kind": self.kind, "thresholds": thresholds()}
        )
        return context


class ProviderStabilityView(PartyStabilityView):
    table_class = tables.ProviderStabilityTable
    kind = "providers"
    export_basename = "stability-providers"

    def compute(self, first: int, last: int) -> list:
        return provider_stability(first, last, today=self.on)


class AgencyStabilityView(PartyStabilityView):
    table_class = tables.AgencyStabilityTable
    kind = "agencies"
    export_basename = "stability-agencies"

    def compute(self, first: int, last: int) -> list:
        return agency_stability(first, last, today=self.on)


class TrendsView(AnalyticsTableView):
    """Money by year for a region, a service, a provider and an agency (any combination), planned and paid."""

    template_name = "evaluation/analytics/trends.html"
    form_class = forms.TrendsForm
    table_class = tables.TrendTable
    export_basename = "trends"

    @cached_property
    def pick(self) -> dict:
        return {name: self.params[name] for name in ("region", "service_type", "provider", "agency")}

    @cached_property
    def money(self) -> tuple[list, list, list]:
        return series(self.params["first"], self.params["last"], **self.pick)

    @cached_property
    def rows(self) -> list:
        years, planned, paid = self.money
        return [{"year": y, "planned": p, "paid": q} for y, p, q in zip(years, planned, paid, strict=True)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        label = ", ".join(str(v) for v in self.pick.values() if v) or _("Kazakhstan, all services")
        years, planned, paid = self.money
        context.update(
            {
                "label": label,
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


class FlagsView(AnalyticsTableView):
    """Red flags of calls and contracts by kind, region, agency and year, each kind with its rule in words."""

    template_name = "evaluation/analytics/flags.html"
    form_class = forms.FlagsForm
    table_class = tables.FlagTable
    export_basename = "red-flags"

    @cached_property
    def rows(self) -> list:
        kind = self.params["kind"]
        return red_flags(
            today=self.on,
            year=self.params["year"],
            region=self.params["region"],
            agency=self.params["agency"],
            kinds=[kind] if kind else None,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "rules": [(FlagKind(k).label, r) for k, r in RULES.items()],
                "by_kind": {FlagKind(k).label: sum(1 for f in self.rows if f.kind == k) for k in FlagKind.values},
            }
        )
        return context


class CommitteeDashboardView(AnalyticsPageMixin, TemplateView):
    """The national picture on one page: coverage map, totals and money by year at once; the stability and red-flag
    panels, which cost the most to compute, load right after the page (htmx), each from CommitteePanelView."""

    template_name = "evaluation/analytics/committee.html"
    form_class = forms.CoverageForm
    reads_snapshot = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.params["year"]
        first, last = default_window(self.on)
        matrix = self.matrix(year)
        years, planned, paid = series(year - 9, year)
        context.update(
            {
                "year": year,
                "first": first,
                "last": last,
                "matrix": matrix,
                "map": tile_map(
                    matrix, year, _("Regions placed like the map of Kazakhstan."), own_region(self.request.user)
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


class CommitteePanelView(AnalyticsPageMixin, TemplateView):
    """One panel of the national picture (a template partial), loaded by htmx after the page."""

    PANELS = ("stability", "flags")
    form_class = forms.YearForm

    def get_template_names(self):
        if self.kwargs["panel"] not in self.PANELS:
            raise Http404
        return [f"evaluation/analytics/committee.html#{self.kwargs['panel']}"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.params["year"]
        first, last = default_window(self.on)
        context.update({"year": year, "first": first, "last": last})
        if self.kwargs["panel"] == "stability":
            stability = stability_table(first, last, today=self.on)
            unstable = [r for r in stability if r.verdict in (Verdict.INTERRUPTED, Verdict.VOLATILE)]
            unstable.sort(key=lambda r: (r.verdict != Verdict.INTERRUPTED, -(r.longest_gap or 0), -(r.cv or 0)))
            context["verdict_counts"] = [
                (Verdict(v).label, v, sum(1 for r in stability if r.verdict == v)) for v in Verdict.values
            ]
            context["unstable"] = unstable[:12]
        else:
            flags = red_flags(today=self.on, year=year)
            context["flag_counts"] = [
                (FlagKind(k).label, k, sum(1 for f in flags if f.kind == k)) for k in FlagKind.values
            ]
        return context


class WorkbookMixin(AnalyticsPageMixin):
    form_class = forms.WorkbookForm

    def filters(self) -> dict:
        params = self.params
        return {
            "year": params["year"],
            "first": params["first"],
            "last": params["last"],
            "region": params["region"],
            "service": params["service"],
            "today": self.on,
        }


class WorkbookView(WorkbookMixin, View):
    """Download the coverage workbook (XLSX) in the user's language, in their scope, with the filters on screen."""

    def get(self, request):
        filters = self.filters()
        now = timezone.now()
        citable = workbook.citable_id(now=now, **filters)
        content = workbook.workbook_bytes(
            user=request.user, now=now, citable=citable, language=get_language(), **filters
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="coverage-{filters["year"]}-{citable}.xlsx"'
        return response


class TableCSVView(WorkbookMixin, View):
    """Download one table of the workbook as CSV (UTF-8 with BOM): the rows of its sheet for this user."""

    def get(self, request, table):
        if table not in workbook.TABLES:
            raise Http404
        rows, _money = workbook.table_sheet(table, user=request.user, **self.filters())
        return export_response(rows, fmt="csv", basename=table)


@method_decorator(login_not_required, name="dispatch")
class StatusStylesView(TemplateView):
    """The CSS classes of the cell statuses and verdicts, written from the one definition of their colours
    (charts.CELL_COLOURS, charts.VERDICT_COLOURS) that the workbook uses too. A stylesheet, so the content security
    policy's ban on inline styles holds."""

    template_name = "evaluation/analytics/statuses.css"
    content_type = "text/css; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "cells": charts.CELL_COLOURS.items(),
                "verdicts": charts.VERDICT_COLOURS.items(),
                "shares": [(css_class, fill) for css_class, fill, _text, _label in charts.share_legend()],
            }
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "public, max-age=86400"
        return response


# -- snapshots -----------------------------------------------------------------------------------------------------


def can_refresh(user) -> bool:
    """Committee staff and admins may make a snapshot by hand."""
    return user.is_authenticated and user.effective_role in (Role.COMMITTEE, Role.ADMIN)


@method_decorator(login_not_required, name="dispatch")
class SnapshotListView(ListView):
    """The snapshots kept (public: their coverage is public; stability and flags are read by committee staff)."""

    template_name = "evaluation/analytics/snapshots.html"
    paginate_by = 50

    def get_queryset(self):
        return Snapshot.objects.visible_to(self.request.user).select_related("made_by")

    def get_template_names(self):
        if self.request.htmx and "progress" in self.request.GET:  # the progress bar polls itself
            return [f"{self.template_name}#progress"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = running_job()
        context.update(
            {
                "job": job,
                "finished": job is None and "progress" in self.request.GET,
                "current": Snapshot.objects.current(),
                "can_refresh": can_refresh(self.request.user),
                "can_see_analytics": can_see_analytics(self.request.user),
                "keep_daily": settings.GSZ["SNAPSHOT_KEEP_DAILY"],
            }
        )
        return context


@method_decorator(login_not_required, name="dispatch")
class SnapshotDetailView(DetailView):
    """One snapshot, citable by its number: when it was made, its hash, and its pages by year."""

    template_name = "evaluation/analytics/snapshot.html"
    context_object_name = "snapshot"

    def get_queryset(self):
        return Snapshot.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.object
        context.update(
            {
                "years": range(snapshot.first_year, snapshot.last_year + 1),
                "counts": {
                    "cells": snapshot.cells.count(),
                    "stability": snapshot.stability.count(),
                    "flags": snapshot.flags.count(),
                },
                "citation": self.request.build_absolute_uri(snapshot.get_absolute_url()),
                "can_see_analytics": can_see_analytics(self.request.user),
            }
        )
        return context


class SnapshotCompareView(AnalyticsPageMixin, TemplateView):
    """What changed between two snapshots: cells whose status changed, stability verdicts, red flags raised and
    cleared, each linked to the records behind it."""

    template_name = "evaluation/analytics/snapshot_compare.html"
    form_class = forms.CompareForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        older, newer = self.params["older"], self.params["newer"]
        changes = compare(older, newer) if older and newer else None
        context["changes"] = changes
        if changes:
            context["flag_groups"] = [
                (_("Red flags raised"), changes.new_flags, "new-flags"),
                (_("Red flags cleared"), changes.cleared_flags, "cleared-flags"),
            ]
        return context


class SnapshotRefreshView(View):
    """Make a snapshot now (committee staff and admins)."""

    def post(self, request):
        if not can_refresh(request.user):
            raise PermissionDenied
        refresh_in_background(by=request.user)
        messages.success(request, _("A new snapshot is being computed; the pages keep showing the current one."))
        return redirect("evaluation:snapshots")
