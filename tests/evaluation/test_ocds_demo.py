"""The demo's history as open data: `load_demo` publishes the releases of years of events, dated as they happened;
every kind of package made of them passes the standard's checks; the bulk file holds nothing personal or sealed.
(One test: loading the demo takes a while.)"""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts.models import Report, ReportExpense
from evaluation.analytics import ocds
from evaluation.models import Release
from providers.models import Provider, StaffMember
from tenders.models import Bid, BidCostItem, Call, Complaint, Score
from tests.evaluation.ocds_check import assert_valid

pytestmark = pytest.mark.django_db


def meta(uri: str) -> dict:
    return ocds.package_meta(uri=uri, policy_uri="https://gsz.example.kz/opendata/")


def test_the_demo_publishes_its_history_and_every_package_passes_the_checks(client, opendata):
    call_command("load_demo", stdout=io.StringIO())
    releases = list(Release.objects.order_by("date", "pk"))

    # Years of history, dated as the events happened, every kind of event.
    assert len({r.date.year for r in releases}) >= 6
    kinds = Counter(r.tags[0] for r in releases)
    assert {"tender", "tenderUpdate", "tenderCancellation", "award", "contract", "implementation"} <= set(kinds)
    assert kinds["contractTermination"] >= 1
    # Calls brought in by an import publish no release: no event of the system happened to them.
    for call in (
        Call.objects.exclude(published_at=None).exclude(status=Call.Status.DRAFT).filter(imported_bid_count=None)
    ):
        first = Release.objects.filter(call=call).order_by("date", "pk").first()
        assert first is not None, call.number
        assert first.tags == ["tender"]
        assert first.date == call.published_at

    # A release package of everything, a feed page, records of every shape of history, the bulk file.
    everything = json.loads("".join(ocds.stream_package(meta("https://x/releases.json"), [r.text for r in releases])))
    assert_valid(everything)
    feed = client.get(reverse("opendata:feed"), {"limit": 200})
    assert feed.status_code == 200
    assert_valid(json.loads(b"".join(feed.streaming_content)))
    shapes: dict[tuple, str] = {}
    for release in releases:
        shapes.setdefault(release.ocid, ())
        shapes[release.ocid] += tuple(release.tags)
    sample = sorted({shape: ocid for ocid, shape in shapes.items()}.values())
    records = [ocds.dumps(ocds.record(ocid)) for ocid in sample]
    assert_valid(json.loads("".join(ocds.stream_package(meta("https://x/records.json"), records, key="records"))))
    ocds.write_bulk_file()
    with gzip.open(opendata / "releases.jsonl.gz", "rt", encoding="utf-8") as bulk:
        text = bulk.read()
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == len(releases)
    assert_valid({**meta("https://x/bulk/releases.jsonl.gz"), "releases": lines})

    # Nothing personal, no bid content, no scores or complaints, nothing about bids still sealed.
    markers = set()
    for staff in StaffMember.objects.all():
        markers |= {staff.full_name, staff.qualification}
    for user in get_user_model().objects.all():
        markers |= {user.get_full_name(), user.email}
    for provider in Provider.objects.all():
        markers |= {provider.phone, provider.email, provider.address}
    markers |= set(Bid.objects.values_list("proposal", flat=True))
    markers |= set(Bid.objects.exclude(price_justification="").values_list("price_justification", flat=True))
    markers |= set(BidCostItem.objects.values_list("item", flat=True))
    markers |= set(Score.objects.exclude(comment="").values_list("comment", flat=True))
    markers |= set(Complaint.objects.values_list("text", flat=True))
    markers |= set(Report.objects.values_list("narrative", flat=True))
    markers |= set(ReportExpense.objects.values_list("item", flat=True))
    found = sorted(marker for marker in markers if marker and marker in text)
    assert not found, f"published: {found}"
    sealed = Call.objects.filter(deadline__gt=timezone.now())
    assert sealed.filter(bids__status=Bid.Status.SUBMITTED).exists()  # the demo has sealed bids to keep
    for call in sealed:
        for release in Release.objects.filter(call=call):
            data = json.loads(release.text)
            assert "bids" not in data, call.number
            assert "numberOfTenderers" not in data.get("tender", {}), call.number
            assert "tenderers" not in data.get("tender", {}), call.number
