"""Open data for anyone: the page that explains what is published and how, and the OCDS endpoints — release packages
by page and date range, a record package per contracting process, the change feed and the bulk file. Packages are
streamed from the stored release texts (bounded memory); bad parameters get a translated JSON error, never a 500."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import TemplateView

from evaluation.analytics import ocds
from evaluation.models import Release

JSON = "application/json"
MAX_LIMIT = 1000


def json_error(message: str, status: int = 400) -> JsonResponse:
    return public(JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False}))


def public(response):
    """Let any web page read open data (it is public, and no cookie is needed for it)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def policy_uri(request) -> str:
    return request.build_absolute_uri(reverse("opendata:index"))


def package_response(request, texts, *, links: dict | None = None) -> StreamingHttpResponse:
    meta = ocds.package_meta(uri=request.build_absolute_uri(), policy_uri=policy_uri(request))
    if links:
        meta["links"] = links
    return public(StreamingHttpResponse(ocds.stream_package(meta, texts), content_type=JSON))


def parse_day(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“%(name)s” must be a date as YYYY-MM-DD.") % {"name": name}) from None


def parse_moment(value: str) -> dt.datetime:
    """Return an ISO 8601 date or date-time; without an offset it is read as +05:00 (a '+' sent unencoded in a
    query string arrives as a space)."""
    value = value.strip().replace(" ", "+")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“since” must be an ISO 8601 date or date and time.")) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ocds.OFFSET)


MAX_PAGE = 10**9  # beyond any real page; a larger number would overflow the database's offset


def parse_positive(value: str, name: str, *, maximum: int | None = None) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) < 1 or (maximum and int(value) > maximum):
        if maximum:
            message = _("“%(name)s” must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        else:
            message = _("“%(name)s” must be a whole number from 1.") % {"name": name}
        raise ValueError(message)
    return int(value)


# The events that publish a release: (what happens, the release's tag, the tender status it announces).
EVENTS = [
    (_lazy("A call is published"), "tender", ""),
    (_lazy("Its deadline is extended or its terms are amended"), "tenderAmendment", ""),
    (_lazy("Its bids are opened (the number of bids)"), "tenderUpdate", ""),
    (_lazy("It is cancelled"), "tenderCancellation", ""),
    (_lazy("It is awarded, or awarded to the next-ranked bid when the winner declines"), "award", ""),
    (_lazy("An upheld complaint sends the result back to evaluation"), "awardCancellation", ""),
    (_lazy("It fails"), "tender", "unsuccessful"),
    (_lazy("Its contract is signed by both parties"), "contract", ""),
    (_lazy("The contract is amended"), "contractAmendment", ""),
    (_lazy("The contract is terminated or completed"), "contractTermination", ""),
    (_lazy("A payment is recorded; an annual report is accepted"), "implementation", ""),
]
# The mapping of the system's data to OCDS fields (README.md says the same).
MAPPING = [
    (("ocid",), _lazy("the OCID prefix and the call's number")),
    (("buyer", "tender.procuringEntity"), _lazy("the agency that buys, identified by its BIN (scheme KZ-BIN)")),
    (
        ("parties",),
        _lazy(
            "the agency (buyer, procuring entity, payer) and the NGOs (tenderers, supplier, payee), identified by "
            "their BINs (KZ-BIN)"
        ),
    ),
    (("planning.budget.budgetBreakdown",), _lazy("the call's budget by year and funding source (id: year-source)")),
    (
        ("tender.value", "tender.tenderPeriod", "tender.contractPeriod"),
        _lazy("the call's total budget, its submission window and the years it buys"),
    ),
    (
        ("tender.items",),
        _lazy(
            "the service type (classification scheme GSZ-SERVICE) and target group; the region as "
            "deliveryAddress.region and its KATO code in deliveryLocation"
        ),
    ),
    (("tender.targets",), _lazy("the call's target indicators by year")),
    (
        ("tender.numberOfTenderers", "bids.statistics"),
        _lazy(
            "the number of bids, from the deadline on (never before: bids are sealed); the number admitted, from "
            "the result on"
        ),
    ),
    (("tender.tenderers",), _lazy("the bidding NGOs, from the result on")),
    (("awards",), _lazy("the winner, its price and the date; pending during the standstill for complaints")),
    (
        ("contracts",),
        _lazy("period, value, date signed (the later signature), status and amendments with their rationale"),
    ),
    (
        ("contracts.agreedMetrics",),
        _lazy(
            "the annual tranches (metric annualTranches: the fixed part and the part paid by results of each "
            "year, with the funding source) and the target indicators by year"
        ),
    ),
    (
        ("contracts.implementation.milestones",),
        _lazy("a payment milestone per tranche, due on its planned disbursement date; the annual reports"),
    ),
    (("contracts.implementation.transactions",), _lazy("the payments (id: year-part-number)")),
    (
        ("contracts.implementation.metrics",),
        _lazy("from each accepted annual report: children and families served and the indicator actuals"),
    ),
    (("amount", "date"), _lazy("money in tenge (KZT) as numbers; dates in ISO 8601 with the +05:00 offset")),
]


@method_decorator(login_not_required, name="dispatch")
class OpenDataView(TemplateView):
    """What is published, under which licence and how often, the mapping to OCDS, and the links."""

    template_name = "evaluation/opendata.html"

    def get_context_data(self, **kwargs):
        totals = Release.objects.aggregate(releases=Count("pk"), processes=Count("ocid", distinct=True))
        latest = Release.objects.order_by("-date", "-pk").only("ocid", "date").first()
        first = Release.objects.order_by("date", "pk").only("date").first()
        today = timezone.localdate()
        example_record = reverse("opendata:record", args=[latest.ocid]) if latest else None
        return super().get_context_data(
            events=EVENTS,
            mapping=MAPPING,
            example_record=example_record,
            example_record_text=unquote(example_record) if example_record else None,
            prefix=ocds.ocid_prefix(),
            licence_name=settings.GSZ["OCDS_LICENSE_NAME"],
            licence_url=settings.GSZ["OCDS_LICENSE_URL"],
            publisher=settings.GSZ["OCDS_PUBLISHER_NAME"],
            page_size=settings.GSZ["OCDS_PAGE_SIZE"],
            totals=totals,
            latest=latest,
            first=first,
            example_from=(today - dt.timedelta(days=365)).isoformat(),
            example_to=today.isoformat(),
            bulk=ocds.bulk_info(),
            extensions=ocds.EXTENSIONS,
            **kwargs,
        )


@method_decorator(login_not_required, name="dispatch")
class ReleasePackageView(View):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD&page=N`: releases dated in the range (both days inclusive), oldest first,
    a page at a time, with links to the previous and next pages."""

    def get(self, request):
        params = request.GET
        try:
            first = parse_day(params["from"], "from") if params.get("from") else None
            last = parse_day(params["to"], "to") if params.get("to") else None
            page = parse_positive(params.get("page", "1"), "page")
        except ValueError as error:
            return json_error(str(error))
        if first and last and last < first:
            return json_error(_("“to” must not be before “from”."))
        if page > MAX_PAGE:
            return json_error(_("There is no such page."), status=404)
        size = settings.GSZ["OCDS_PAGE_SIZE"]
        releases = Release.objects.dated_between(
            dt.datetime.combine(first, dt.time.min, ocds.OFFSET) if first else None,
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, ocds.OFFSET) if last else None,
        )
        start = (page - 1) * size
        texts = list(releases.values_list("text", flat=True)[start : start + size + 1])
        if page > 1 and not texts:
            return json_error(_("There is no such page."), status=404)
        links = {}

        def page_url(number: int) -> str:
            query = {key: params[key] for key in ("from", "to") if params.get(key)}
            return request.build_absolute_uri(f"{request.path}?{urlencode({**query, 'page': number})}")

        if len(texts) > size:
            links["next"] = page_url(page + 1)
            texts = texts[:size]
        if page > 1:
            links["prev"] = page_url(page - 1)
        return package_response(request, texts, links=links or None)


@method_decorator(login_not_required, name="dispatch")
class RecordPackageView(View):
    """The record of one contracting process: every release and the compiled release (ocdsmerge)."""

    def get(self, request, ocid: str):
        record = ocds.record(ocid)
        if record is None:
            return json_error(_("No contracting process has this OCID."), status=404)
        meta = ocds.package_meta(uri=request.build_absolute_uri(), policy_uri=policy_uri(request))
        content = ocds.stream_package(meta, [ocds.dumps(record)], key="records")
        return public(StreamingHttpResponse(content, content_type=JSON))


@method_decorator(login_not_required, name="dispatch")
class FeedView(View):
    """The change feed: releases in the order they were published, `?since=` a moment or after `?offset=` (the
    `links.next` of the previous page); an empty page's next link is the same offset, to poll again later."""

    def get(self, request):
        params = request.GET
        offset = params.get("offset") or None
        try:
            since = parse_moment(params["since"]) if params.get("since") else None
            limit = params.get("limit", str(settings.GSZ["OCDS_PAGE_SIZE"]))
            limit = parse_positive(limit, "limit", maximum=MAX_LIMIT)
        except ValueError as error:
            return json_error(str(error))
        if offset:
            try:
                ocds.parse_offset(offset)
            except ValueError:
                return json_error(_("“offset” must be the offset given by the feed's previous page."))
        page, next_offset = ocds.feed(since=since, offset=offset, limit=limit)
        query = {"offset": next_offset, **({"limit": limit} if "limit" in params else {})}
        links = {"next": request.build_absolute_uri(f"{request.path}?{urlencode(query)}")}
        return package_response(request, [release.text for release in page], links=links)


@method_decorator(login_not_required, name="dispatch")
class BulkFileView(View):
    """Every release as gzipped JSON lines, as the scheduled command last wrote it."""

    def get(self, request):
        path = ocds.bulk_path()
        try:
            handle = path.open("rb")
        except OSError:
            return json_error(_("The bulk file has not been written yet; it is rebuilt daily."), status=404)
        response = FileResponse(handle, content_type="application/gzip", as_attachment=True, filename=ocds.BULK_NAME)
        return public(response)
