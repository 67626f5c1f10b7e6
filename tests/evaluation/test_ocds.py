"""Open data in OCDS 1.1: a release per public event, made from the audit log through the real services; what each
release says; what never enters one; records compiled with ocdsmerge; the bulk file. Every package is checked with
the standard's own tools (tests/evaluation/ocds_check.py)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from contracts import services as contract_services
from contracts.models import Amendment, Payment, Report, ReportingPeriod
from core import audit
from core.models import Indicator
from evaluation.analytics import ocds
from evaluation.models import Release
from tenders import services as tender_services
from tenders.models import Bid, Call, Complaint
from tests import factories
from tests.evaluation.ocds_check import assert_valid
from tests.tenders.util import admit_all, appoint, score, submitted_bid

pytestmark = pytest.mark.django_db

TODAY = "2026-11-24 10:00+05:00"


def package(*releases: Release) -> dict:
    meta = ocds.package_meta(uri="https://gsz.example.kz/opendata/releases.json", policy_uri="https://gsz.example.kz/")
    return json.loads("".join(ocds.stream_package(meta, [r.text for r in releases])))


def record_package(ocid: str) -> dict:
    meta = ocds.package_meta(
        uri="https://gsz.example.kz/opendata/records/x.json", policy_uri="https://gsz.example.kz/"
    )
    return json.loads("".join(ocds.stream_package(meta, [ocds.dumps(ocds.record(ocid))], key="records")))


def releases_of(call: Call) -> list[dict]:
    return [json.loads(r.text) for r in Release.objects.filter(call=call).order_by("date", "pk")]


def tags(call: Call) -> list[str]:
    return [r["tag"][0] for r in releases_of(call)]


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- the life of one call through the real services ----------------------------------------------------------------


class Life:
    """A two-year call of the officer's agency walked through the whole cycle with the real services, each step
    committed (so its release is published): published, deadline extended, two bids, opened, awarded, the contract
    prepared and signed by both, a payment, a cut of the second year, the first annual report accepted, terminated."""

    def __init__(self, clock, officer, experts, commit):
        self.clock, self.officer, self.commit = clock, officer, commit
        clock.move_to(TODAY)
        self.call = factories.CallFactory(
            agency=officer.agency,
            created_by=officer,
            draft=True,
            start_year=2027,
            duration_years=2,
            budget=[10_000_000, 12_000_000],
        )
        for year, value in ((2027, 60), (2028, 70)):
            factories.CallTargetFactory(call=self.call, year=year, value=value)
        self.winner_provider = factories.ProviderFactory(name_ru="ОФ «Победитель»")
        self.loser_provider = factories.ProviderFactory(name_ru="ОО «Второе место»")
        self.experts = experts

    def publish(self):
        with self.commit():
            tender_services.publish_call(call=self.call, acting_user=self.officer)
        self.clock.move_to("2026-11-26 10:00+05:00")
        with self.commit():
            tender_services.extend_deadline(
                call=self.call, acting_user=self.officer, new_deadline=self.call.deadline + dt.timedelta(days=2)
            )
        self.call.refresh_from_db()
        self.winner_bid = submitted_bid(self.call, provider=self.winner_provider, minutes_before=120)
        self.loser_bid = submitted_bid(self.call, provider=self.loser_provider, minutes_before=60)
        return self

    def award(self):
        self.clock.move_to(self.call.deadline + dt.timedelta(hours=1))
        with self.commit():
            tender_services.open_bids(call=self.call, acting_user=self.officer)
        admit_all(self.call, self.officer)
        members = appoint(self.call, self.experts, self.officer)
        for member in members:
            score(member, Bid.objects.get(pk=self.winner_bid.pk), [9] * 5)
            score(member, Bid.objects.get(pk=self.loser_bid.pk), [6] * 5)
        self.clock.move_to(self.call.deadline + dt.timedelta(days=1))
        with self.commit():
            tender_services.award_call(call=self.call, acting_user=self.officer)
        self.call.refresh_from_db()
        return self

    def contract(self):
        self.clock.move_to(self.call.standstill_until + dt.timedelta(days=1))
        winner = Bid.objects.get(pk=self.winner_bid.pk)
        tranches = contract_services.default_tranches(self.call, winner.price)
        for tranche in tranches:
            tranche["planned_date"] = tranche["planned_date"] or dt.date(2027, 2, 1)
        indicator = Indicator.objects.get(code="cm-closed-positive")
        with self.commit():
            self.contract_ = contract_services.prepare_contract(
                call=self.call,
                acting_user=self.officer,
                number="Д-OCDS-1",
                start_date=dt.date(2027, 1, 1),
                end_date=dt.date(2028, 12, 31),
                tranches=tranches,
                targets=[{"year": 2027, "indicator": indicator, "value": Decimal(60)}],
            )
        with self.commit():
            contract_services.sign(contract=self.contract_, acting_user=self.officer)
        self.clock.move_to(self.clock_now() + dt.timedelta(days=2))
        ngo = factories.first_member(self.winner_provider)
        with self.commit():
            contract_services.sign(contract=self.contract_, acting_user=ngo)
        self.contract_.refresh_from_db()
        return self

    def clock_now(self):
        from django.utils import timezone

        return timezone.now()

    def implement(self):
        self.clock.move_to("2027-02-10 10:00+05:00")
        tranche = self.contract_.tranches.get(year=2027)
        with self.commit():
            contract_services.record_payment(
                tranche=tranche,
                kind=Payment.Kind.FIXED,
                date=dt.date(2027, 2, 5),
                amount=tranche.fixed_amount,
                acting_user=self.officer,
            )
        self.clock.move_to("2027-03-01 10:00+05:00")
        amounts = {t.year: t.amount for t in self.contract_.tranches.all()}
        self.cut = Decimal(2_000_000)
        amounts[2028] -= self.cut
        with self.commit():
            contract_services.amend_amounts(
                contract=self.contract_,
                amounts=amounts,
                reason_code=Amendment.Reason.BUDGET_CUT,
                reason_text="Сокращение местного бюджета",
                effective_date=dt.date(2028, 1, 1),
                acting_user=self.officer,
            )
        self.clock.move_to("2028-01-05 10:00+05:00")
        period = self.contract_.periods.get(kind=ReportingPeriod.Kind.ANNUAL, year=2027)
        report = Report.objects.create(
            period=period,
            narrative="NARRATIVE-MARKER: подробности работы",
            children_served=87,
            families_served=41,
            created_by=factories.first_member(self.winner_provider),
        )
        factories.ActualFactory(report=report, value=Decimal("64.5"))
        contract_services.submit_report(report=report, acting_user=report.created_by)
        self.clock.move_to("2028-01-08 10:00+05:00")
        with self.commit():
            contract_services.accept_report(report=report, acting_user=self.officer)
        self.clock.move_to("2028-06-01 10:00+05:00")
        with self.commit():
            contract_services.terminate(
                contract=self.contract_,
                on=dt.date(2028, 6, 15),
                reason_code=Amendment.Reason.NON_PERFORMANCE,
                reason_text="Систематическое невыполнение плана",
                acting_user=self.officer,
            )
        self.contract_.refresh_from_db()
        return self


@pytest.fixture
def life(clock, officer, experts, commit, opendata):
    return Life(clock, officer, experts, commit)


@pytest.fixture
def experts(db):
    return [factories.ExpertFactory(username=f"ocds-expert-{i}") for i in range(3)]


def test_each_public_event_of_a_call_publishes_one_release_in_order(life):
    life.publish().award().contract().implement()

    assert tags(life.call) == [
        "tender",
        "tenderAmendment",
        "tenderUpdate",
        "award",
        "contract",
        "implementation",
        "contractAmendment",
        "implementation",
        "contractTermination",
    ]
    releases = releases_of(life.call)
    assert len({r["id"] for r in releases}) == len(releases)
    assert {r["ocid"] for r in releases} == {f"ocds-test01-{life.call.number}"}
    assert all(r["date"].endswith("+05:00") for r in releases)
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)


def test_every_release_of_the_life_passes_the_standards_checks(life):
    life.publish().award().contract().implement()

    for release in Release.objects.filter(call=life.call):
        assert_valid(package(release))
    assert_valid(record_package(ocds.ocid_of(life.call)))


def test_the_tender_release_maps_the_call(life):
    life.publish()
    call = life.call

    tender_release = releases_of(call)[0]

    tender = tender_release["tender"]
    assert tender["id"] == call.number
    assert tender["status"] == "active"
    assert tender["value"] == {"amount": 22_000_000, "currency": "KZT"}
    assert (
        tender["procuringEntity"]
        == tender_release["buyer"]
        == {
            "id": f"KZ-BIN-{call.agency.bin}",
            "name": call.agency.name_ru,
        }
    )
    assert tender_release["parties"][0]["identifier"] == {
        "scheme": "KZ-BIN",
        "id": call.agency.bin,
        "legalName": call.agency.name_ru,
    }
    assert tender_release["parties"][0]["roles"] == ["buyer", "procuringEntity"]
    item = tender["items"][0]
    assert item["classification"] == {
        "scheme": "GSZ-SERVICE",
        "id": "case-management",
        "description": call.service_type.name_ru,
    }
    assert item["deliveryAddress"]["region"] == call.region.name_ru
    assert item["deliveryLocation"]["gazetteer"] == {"scheme": "KATO", "identifiers": [call.region.kato]}
    assert tender["tenderPeriod"] == {"startDate": ocds.iso(call.opens_at), "endDate": "2026-12-08T10:00:00+05:00"}
    assert tender["contractPeriod"] == {
        "startDate": "2027-01-01T00:00:00+05:00",
        "endDate": "2028-12-31T23:59:59+05:00",
    }
    breakdown = tender_release["planning"]["budget"]["budgetBreakdown"]
    assert [(b["id"], b["amount"]["amount"], b["period"]["startDate"][:4]) for b in breakdown] == [
        ("2027-local", 10_000_000, "2027"),
        ("2028-local", 12_000_000, "2028"),
    ]
    assert tender["targets"][0]["id"] == "cm-closed-positive"
    assert [(o["id"], o["measure"]) for o in tender["targets"][0]["observations"]] == [("2027", 60), ("2028", 70)]


def test_the_extension_is_a_tender_amendment_with_the_new_deadline(life):
    life.publish()

    amendment = releases_of(life.call)[1]

    assert amendment["tag"] == ["tenderAmendment"]
    assert amendment["tender"]["tenderPeriod"]["endDate"] == "2026-12-10T10:00:00+05:00"
    assert amendment["tender"]["amendments"][0]["rationale"]
    assert "2026-12-08T10:00:00+05:00" in amendment["tender"]["amendments"][0]["description"]


def test_nothing_about_bids_is_published_before_the_deadline(life):
    life.publish()

    text = " ".join(r.text for r in Release.objects.filter(call=life.call))

    for secret in (
        life.winner_provider.name_ru,
        life.winner_provider.bin,
        life.loser_provider.name_ru,
        life.loser_provider.bin,
        '"bids"',
        "numberOfTenderers",
        "tenderers",
    ):
        assert secret not in text


def test_the_opening_publishes_the_number_of_bids_and_the_award_the_winner(life):
    life.publish().award()
    call, winner = life.call, Bid.objects.get(pk=life.winner_bid.pk)

    _tender, _amendment, opening, award_release = releases_of(call)

    assert opening["tender"]["numberOfTenderers"] == 2
    assert opening["bids"]["statistics"] == [
        {"id": "bids", "measure": "bids", "date": "2026-12-10T10:00:00+05:00", "value": 2}
    ]
    assert "tenderers" not in opening["tender"]  # names come with the result
    award = award_release["awards"][0]
    assert award["status"] == "pending"  # the standstill for complaints
    assert award["value"] == {"amount": int(winner.price), "currency": "KZT"}
    assert award["suppliers"] == [{"id": f"KZ-BIN-{winner.provider.bin}", "name": winner.provider.name_ru}]
    assert award["date"] == ocds.iso(call.decided_at)
    assert award_release["tender"]["status"] == "complete"
    assert {t["id"] for t in award_release["tender"]["tenderers"]} == {
        f"KZ-BIN-{life.winner_provider.bin}",
        f"KZ-BIN-{life.loser_provider.bin}",
    }
    statistics = {s["measure"]: s["value"] for s in award_release["bids"]["statistics"]}
    assert statistics == {"bids": 2, "validBids": 2}
    roles = {p["name"]: p["roles"] for p in award_release["parties"]}
    assert roles[life.winner_provider.name_ru] == ["tenderer", "supplier"]
    assert roles[life.loser_provider.name_ru] == ["tenderer"]


def test_the_contract_release_has_period_value_signature_tranches_and_targets(life):
    life.publish().award().contract()
    contract = life.contract_

    contract_release = releases_of(life.call)[-1]

    assert contract_release["tag"] == ["contract"]
    section = contract_release["contracts"][0]
    assert section["id"] == contract.number
    assert section["awardID"] == f"award-{contract.bid_id}"
    assert section["status"] == "active"
    assert section["dateSigned"] == ocds.iso(contract.provider_signed_at)  # the later signature
    assert section["period"] == {"startDate": "2027-01-01T00:00:00+05:00", "endDate": "2028-12-31T23:59:59+05:00"}
    assert section["value"] == {"amount": int(contract.total), "currency": "KZT"}
    tranches = {o["id"]: o for o in section["agreedMetrics"][0]["observations"]}
    for tranche in contract.tranches.all():
        observation = tranches[f"{tranche.year}-fixed"]
        assert observation["value"]["amount"] == int(tranche.fixed_amount)
        assert observation["dimensions"] == {"part": "fixed", "fundingSource": "local"}
    milestones = {m["id"]: m for m in section["implementation"]["milestones"]}
    assert milestones["tranche-2027"]["dueDate"] == "2027-02-01T00:00:00+05:00"
    assert milestones["tranche-2027"]["status"] == "scheduled"
    targets = section["agreedMetrics"][1]
    assert targets["id"] == "cm-closed-positive"
    assert targets["observations"][0]["measure"] == 60
    assert contract_release["awards"][0]["status"] == "active"
    roles = {p["id"]: p["roles"] for p in contract_release["parties"]}
    assert roles[f"KZ-BIN-{contract.agency.bin}"] == ["buyer", "procuringEntity", "payer"]
    assert roles[f"KZ-BIN-{contract.provider.bin}"] == ["tenderer", "supplier", "payee"]


def test_only_the_second_signature_publishes_the_contract(life):
    life.publish().award()
    life.contract()

    causes = list(Release.objects.filter(call=life.call).order_by("date", "pk").values_list("cause", flat=True))

    assert causes == ["published", "deadline extended", "bids opened", "awarded", "NGO signature"]


def test_payments_amendments_reports_and_the_termination_follow_the_contract(life):
    life.publish().award().contract().implement()
    contract = life.contract_
    *_rest, payment, amendment, report, termination = releases_of(life.call)

    transaction = payment["contracts"][0]["implementation"]["transactions"][0]
    paid = contract.tranches.get(year=2027).payments.get()
    assert transaction["id"] == f"2027-fixed-{paid.pk}"
    assert transaction["date"] == "2027-02-05T00:00:00+05:00"
    assert transaction["value"] == {"amount": int(paid.amount), "currency": "KZT"}
    assert transaction["payer"]["id"] == f"KZ-BIN-{contract.agency.bin}"
    assert transaction["payee"]["id"] == f"KZ-BIN-{contract.provider.bin}"
    assert payment["contracts"][0]["implementation"]["milestones"][0]["status"] == "met"

    section = amendment["contracts"][0]
    assert section["value"]["amount"] == int(contract.total)
    assert section["amendments"][0]["id"].startswith("amount-")
    assert section["amendments"][0]["rationale"].endswith("Сокращение местного бюджета")
    cut = {o["id"]: o["value"]["amount"] for o in section["agreedMetrics"][0]["observations"]}
    assert cut["2028-fixed"] == int(contract.tranches.get(year=2028).amount)

    metrics = {m["id"]: m for m in report["contracts"][0]["implementation"]["metrics"]}
    assert metrics["childrenServed"]["observations"] == [
        {
            "id": "2027",
            "period": {"startDate": "2027-01-01T00:00:00+05:00", "endDate": "2027-12-31T23:59:59+05:00"},
            "measure": 87,
            "unit": {"name": "дети"},
        }
    ]
    assert metrics["cm-closed-positive"]["observations"][0]["measure"] == 64.5
    milestone = report["contracts"][0]["implementation"]["milestones"][0]
    assert (milestone["type"], milestone["status"]) == ("reporting", "met")

    ended = termination["contracts"][0]
    assert ended["status"] == "terminated"
    assert ended["amendments"][-1]["id"].startswith("termination-")
    assert ended["amendments"][-1]["date"] == "2028-06-15T00:00:00+05:00"
    assert "2028-06-15" in ended["amendments"][-1]["description"]


def test_the_record_compiles_the_releases_with_ocdsmerge(life):
    life.publish().award().contract().implement()
    contract = life.contract_

    record = ocds.record(ocds.ocid_of(life.call))

    compiled = record["compiledRelease"]
    assert len(record["releases"]) == 9
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["tenderPeriod"]["endDate"] == "2026-12-10T10:00:00+05:00"
    assert compiled["awards"][0]["status"] == "active"
    compiled_contract = compiled["contracts"][0]
    assert compiled_contract["status"] == "terminated"
    assert compiled_contract["value"]["amount"] == int(contract.total)  # after the cut
    assert compiled_contract["dateSigned"] == ocds.iso(contract.provider_signed_at)
    assert [a["id"].split("-")[0] for a in compiled_contract["amendments"]] == ["amount", "termination"]
    assert len(compiled_contract["implementation"]["transactions"]) == 1
    assert {m["id"] for m in compiled_contract["implementation"]["milestones"]} == {
        "tranche-2027",
        "tranche-2028",
        "annual-report-2027",
    }
    tranches = {o["id"]: o["value"]["amount"] for o in compiled_contract["agreedMetrics"][0]["observations"]}
    assert sum(tranches.values()) == int(contract.total)
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles[life.winner_provider.name_ru] == ["tenderer", "supplier", "payee"]


def test_releases_built_late_say_what_the_releases_built_on_time_said(life):
    """The releases of the history rebuilt from the audit log (as the demo's and pre-existing data's are) equal
    those published as the events happened."""
    life.publish().award().contract().implement()
    on_time = list(Release.objects.filter(call=life.call).order_by("pk").values_list("release_id", "text"))
    Release.objects.filter(call=life.call).delete()  # a queryset delete: the model's own refuses

    made = ocds.publish_pending()

    assert made == len(on_time)
    assert list(Release.objects.filter(call=life.call).order_by("pk").values_list("release_id", "text")) == on_time


def test_publishing_again_changes_nothing(life):
    life.publish().award()
    before = list(Release.objects.values_list("pk", "text"))

    assert ocds.publish_pending() == 0
    for event_id in Release.objects.values_list("event_id", flat=True):
        assert ocds.publish_event(event_id) is None
    assert list(Release.objects.values_list("pk", "text")) == before


def test_a_published_release_cannot_be_changed_or_deleted(life):
    life.publish()
    release = Release.objects.first()

    release.text = "{}"
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()


# -- what is never published ---------------------------------------------------------------------------------------


def test_a_draft_is_never_published_even_when_cancelled(clock, officer, commit, opendata):
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    with commit():
        audit.record(actor=officer, action="edited", target=call)
        tender_services.cancel_call(call=call, acting_user=officer, reason="Передумали")

    assert not Release.objects.exists()
    assert ocds.publish_pending() == 0


def test_a_call_cancelled_before_its_deadline_keeps_its_bids_sealed_for_ever(clock, officer, commit, opendata):
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    with commit():
        tender_services.publish_call(call=call, acting_user=officer)
    sealed = factories.ProviderFactory(name_ru="ОФ «Запечатанная заявка»")
    submitted_bid(call, provider=sealed)
    with commit():
        tender_services.cancel_call(call=call, acting_user=officer, reason="Изменение объёма финансирования")
    clock.move_to(call.deadline + dt.timedelta(days=30))
    ocds.publish_pending()

    releases = releases_of(call)

    assert [r["tag"] for r in releases] == [["tender"], ["tenderCancellation"]]
    cancellation = releases[1]
    assert cancellation["tender"]["status"] == "cancelled"
    assert cancellation["tender"]["amendments"][-1]["rationale"] == "Изменение объёма финансирования"
    assert "bids" not in cancellation
    assert "numberOfTenderers" not in cancellation["tender"]
    text = " ".join(r.text for r in Release.objects.all())
    assert sealed.name_ru not in text
    assert sealed.bin not in text
    assert_valid(package(*Release.objects.filter(call=call)))
    # Even a release built for the call long after the deadline says nothing about its bids.
    late = ocds.build_release(ocds._release_tender_update, call, at=clock_now(), release_id="late")
    assert "bids" not in late
    assert "numberOfTenderers" not in late["tender"]


def clock_now():
    from django.utils import timezone

    return timezone.now()


def test_a_failed_call_is_an_unsuccessful_tender(clock, officer, experts, commit, opendata):
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    with commit():
        tender_services.publish_call(call=call, acting_user=officer)
    bid = submitted_bid(call)
    clock.move_to(call.deadline + dt.timedelta(hours=1))
    with commit():
        tender_services.open_bids(call=call, acting_user=officer)
    admit_all(call, officer)
    for member in appoint(call, experts, officer):
        score(member, Bid.objects.get(pk=bid.pk), [2] * 5)
    with commit():
        tender_services.fail_call(call=call, acting_user=officer, reason="Ни одна заявка не набрала минимума")

    failed = releases_of(call)[-1]

    assert failed["tag"] == ["tender"]
    assert failed["tender"]["status"] == "unsuccessful"
    assert "awards" not in failed
    assert {s["measure"]: s["value"] for s in failed["bids"]["statistics"]} == {"bids": 1, "validBids": 1}
    assert failed["tender"]["tenderers"] == [{"id": f"KZ-BIN-{bid.provider.bin}", "name": bid.provider.name_ru}]
    assert_valid(package(*Release.objects.filter(call=call)))
    assert_valid(record_package(ocds.ocid_of(call)))


@pytest.fixture
def awarded_pair(clock, officer, experts, commit, opendata):
    """A call awarded to the better of two bids (both above the minimum)."""
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    with commit():
        tender_services.publish_call(call=call, acting_user=officer)
    first, second = submitted_bid(call, minutes_before=120), submitted_bid(call, minutes_before=60)
    clock.move_to(call.deadline + dt.timedelta(hours=1))
    with commit():
        tender_services.open_bids(call=call, acting_user=officer)
    admit_all(call, officer)
    for member in appoint(call, experts, officer):
        score(member, Bid.objects.get(pk=first.pk), [9] * 5)
        score(member, Bid.objects.get(pk=second.pk), [7] * 5)
    with commit():
        tender_services.award_call(call=call, acting_user=officer)
    return call, Bid.objects.get(pk=first.pk), Bid.objects.get(pk=second.pk)


def test_when_the_winner_declines_the_next_ranked_award_replaces_the_first(awarded_pair, officer, commit):
    call, first, second = awarded_pair
    with commit():
        tender_services.decline_award(bid=first, acting_user=factories.first_member(first.provider))

    release = releases_of(call)[-1]

    assert release["tag"] == ["award"]
    assert {a["id"]: a["status"] for a in release["awards"]} == {
        f"award-{first.pk}": "cancelled",
        f"award-{second.pk}": "pending",
    }
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles[f"KZ-BIN-{first.provider.bin}"] == ["tenderer"]
    assert roles[f"KZ-BIN-{second.provider.bin}"] == ["tenderer", "supplier"]
    assert_valid(package(*Release.objects.filter(call=call)))
    compiled = ocds.record(ocds.ocid_of(call))["compiledRelease"]
    assert {a["id"]: a["status"] for a in compiled["awards"]} == {
        f"award-{first.pk}": "cancelled",
        f"award-{second.pk}": "pending",
    }


def test_an_upheld_complaint_about_the_result_cancels_the_award(awarded_pair, officer, commit):
    call, first, second = awarded_pair
    complaint = factories.ComplaintFactory(
        call=call,
        provider=second.provider,
        filed_by=factories.first_member(second.provider),
        kind=Complaint.Kind.RESULT,
    )
    with commit():
        tender_services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Пересчитать")

    release = releases_of(call)[-1]

    assert release["tag"] == ["awardCancellation"]
    assert release["tender"]["status"] == "active"
    assert release["awards"] == [{**release["awards"][0], "status": "cancelled"}]
    assert release["awards"][0]["id"] == f"award-{first.pk}"
    assert_valid(package(*Release.objects.filter(call=call)))


def test_quarterly_reports_and_the_first_signature_publish_nothing(clock, commit, opendata):
    clock.move_to("2026-02-01 10:00+05:00")
    contract = factories.ContractFactory(agency_only=True)
    with commit():
        audit.record(actor=contract.agency_signed_by, action="agency signature", target=contract)
    quarter = contract.periods.filter(kind=ReportingPeriod.Kind.QUARTERLY).first() or factories.ReportingPeriodFactory(
        contract=contract, kind=ReportingPeriod.Kind.QUARTERLY, quarter=1
    )
    report = factories.ReportFactory(period=quarter, submitted=True)
    with commit():
        contract_services.accept_report(report=report, acting_user=contract.created_by)

    assert not Release.objects.exists()


def test_a_termination_release_carries_its_amendment_while_the_clock_ticks(commit, opendata):
    """In production time moves between the status change and the amendment written after it."""
    import time_machine

    with time_machine.travel("2026-06-01 10:00+05:00", tick=True):
        contract = factories.ContractFactory(call__start_year=2026)
        with commit():
            contract_services.terminate(
                contract=contract,
                on=dt.date(2026, 7, 1),
                reason_code=Amendment.Reason.NON_PERFORMANCE,
                reason_text="Невыполнение плана",
                acting_user=contract.created_by,
            )

    (release,) = releases_of(contract.call)

    assert release["tag"] == ["contractTermination"]
    section = release["contracts"][0]
    assert section["status"] == "terminated"
    assert [a["id"].split("-")[0] for a in section["amendments"]] == ["termination"]
    assert section["amendments"][0]["rationale"].endswith("Невыполнение плана")
    assert Release.objects.get().cause == "amended"


def test_an_outcome_only_tranche_is_published_as_an_outcome_part(clock, commit, opendata):
    clock.move_to("2026-06-01 10:00+05:00")
    contract = factories.ContractFactory(call__outcome_share=Decimal(100), call__start_year=2026)
    tranche = contract.tranches.get()
    assert tranche.fixed_amount == 0
    with commit():
        audit.record(actor=contract.provider_signed_by, action="NGO signature", target=contract)
        contract_services.record_payment(
            tranche=tranche,
            kind=Payment.Kind.OUTCOME,
            date=dt.date(2026, 5, 30),
            amount=tranche.outcome_amount,
            acting_user=contract.created_by,
        )

    contract_release, payment = releases_of(contract.call)

    observations = {o["id"]: o for o in contract_release["contracts"][0]["agreedMetrics"][0]["observations"]}
    assert observations["2026-fixed"]["value"]["amount"] == 0
    assert observations["2026-outcome"]["value"]["amount"] == int(tranche.outcome_amount)
    assert observations["2026-outcome"]["dimensions"]["part"] == "outcome"
    transaction = payment["contracts"][0]["implementation"]["transactions"][0]
    assert transaction["id"].startswith("2026-outcome-")
    assert payment["contracts"][0]["implementation"]["milestones"][0]["status"] == "met"
    assert_valid(package(*Release.objects.all()))
    assert_valid(record_package(ocds.ocid_of(contract.call)))


def test_a_call_re_announced_after_failing_points_to_the_failed_process(clock, officer, commit, opendata):
    failed = factories.CallFactory(agency=officer.agency, created_by=officer, status=Call.Status.FAILED)
    new = tender_services.reannounce(call=failed, acting_user=officer)
    new.deadline = clock_now() + dt.timedelta(days=20)
    new.save(update_fields=["deadline"])
    with commit():
        tender_services.publish_call(call=new, acting_user=officer)

    related = releases_of(new)[0]["relatedProcesses"]

    assert related == [
        {
            "id": "1",
            "relationship": ["unsuccessfulProcess"],
            "title": failed.title_ru,
            "scheme": "ocid",
            "identifier": ocds.ocid_of(failed),
        }
    ]


# -- the bulk file -------------------------------------------------------------------------------------------------


def read_bulk(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_the_bulk_file_holds_every_release_oldest_first_and_passes_the_checks(life, opendata):
    life.publish().award().contract().implement()

    result = ocds.write_bulk_file()

    releases = read_bulk(opendata / "releases.jsonl.gz")
    assert result["releases"] == len(releases) == Release.objects.count()
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    meta = ocds.package_meta(uri="https://gsz.example.kz/opendata/bulk/releases.jsonl.gz", policy_uri="https://x/")
    assert_valid({**meta, "releases": releases})
    assert [p.name for p in opendata.iterdir()] == ["releases.jsonl.gz"]  # no temporary file left behind


def test_a_failed_write_leaves_the_previous_bulk_file_whole(life, opendata, monkeypatch):
    life.publish()
    ocds.write_bulk_file()
    before = (opendata / "releases.jsonl.gz").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ocds.gzip.GzipFile, "write", broken)
    with pytest.raises(OSError, match="disk full"):
        ocds.write_bulk_file()

    assert (opendata / "releases.jsonl.gz").read_bytes() == before
    assert [p.name for p in opendata.iterdir()] == ["releases.jsonl.gz"]


def test_the_scheduled_command_publishes_what_was_missed_and_rewrites_the_bulk_file(clock, officer, opendata):
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    tender_services.publish_call(call=call, acting_user=officer)  # its commit hook never ran: no release yet
    assert not Release.objects.exists()

    call_command("rebuild_opendata", stdout=io.StringIO())

    assert tags(call) == ["tender"]
    assert len(read_bulk(opendata / "releases.jsonl.gz")) == 1


PERSONAL_AND_SEALED = "SEALED-MARKER"


def test_the_bulk_file_holds_nothing_personal_and_nothing_sealed(life, clock, officer, commit, opendata):
    """Every personal field and every sealed bid's marker of a busy history is searched for in the whole file."""
    life.publish().award().contract().implement()
    markers = []
    # NGO staff, users (officers, experts, NGO members), organisations' contacts.
    for provider in (life.winner_provider, life.loser_provider):
        staff = factories.StaffMemberFactory(provider=provider, full_name=f"Сотрудникова {provider.pk} Персона")
        markers += [staff.full_name, staff.qualification, provider.phone, provider.email, provider.address]
    for user in [life.officer, *life.experts, factories.first_member(life.winner_provider)]:
        markers += [user.get_full_name(), user.email, user.username]
    # Bid content, scores and comments of the opened call.
    for bid in Bid.objects.filter(call=life.call):
        markers += [bid.proposal, *bid.cost_items.values_list("item", flat=True)]
    markers += ["NARRATIVE-MARKER"]
    # A call open now, with a sealed bid of an NGO that bid nowhere else, and a cancelled one with another.
    clock.move_to("2028-07-01 10:00+05:00")
    open_call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True, start_year=2029)
    cancelled = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True, start_year=2029)
    with commit():
        tender_services.publish_call(call=open_call, acting_user=officer)
        tender_services.publish_call(call=cancelled, acting_user=officer)
    for call, name in ((open_call, "ОФ «Тайная заявка»"), (cancelled, "ОО «Отменённая тайна»")):
        provider = factories.ProviderFactory(name_ru=name)
        bid = factories.BidFactory(
            call=call, provider=provider, proposal=f"{PERSONAL_AND_SEALED} proposal", price=Decimal("7654321")
        )
        factories.BidCostItemFactory(bid=bid, item=f"{PERSONAL_AND_SEALED} cost item")
        tender_services.submit_bid(bid=bid, acting_user=bid.created_by)
        markers += [provider.name_ru, provider.bin, "7654321", PERSONAL_AND_SEALED]
    with commit():
        tender_services.cancel_call(call=cancelled, acting_user=officer, reason="Отмена до срока")
        tender_services.extend_deadline(
            call=open_call, acting_user=officer, new_deadline=open_call.deadline + dt.timedelta(days=3)
        )
    ocds.rebuild_opendata()

    with gzip.open(opendata / "releases.jsonl.gz", "rt", encoding="utf-8") as bulk:
        text = bulk.read()

    assert text.count("\n") == Release.objects.count() > 10
    found = [marker for marker in markers if marker and str(marker) in text]
    assert not found, f"published: {found}"


# -- the schema the records are compiled with ----------------------------------------------------------------------


def test_the_schemas_records_are_compiled_with_are_the_standards_own():
    from tests.evaluation.ocds_check import extended_release_schema, shared

    pairs = [
        ("release-schema.json", shared() / "schema" / "release-schema.json"),
        ("bid-extension.json", shared() / "extensions" / "ocds_bid_extension" / "release-schema.json"),
        ("metrics-extension.json", shared() / "extensions" / "ocds_metrics_extension" / "release-schema.json"),
    ]
    for name, original in pairs:
        assert json.loads((ocds.SCHEMA_DIR / name).read_text()) == json.loads(original.read_text()), name
    assert ocds.release_schema() == extended_release_schema()  # merged as json-merge-patch merges them
