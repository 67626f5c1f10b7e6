"""The evaluation pages: from an accepted annual report to the council's conclusion, the outcome section of the
contract page, the ranking and the provider profile, and the indicator catalogue."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from contracts import services as contract_services
from core.models import Indicator
from core.templatetags.gsz import money
from evaluation.models import CRITERION_CODES, ResultEvaluation
from tenders.models import Bid, Call
from tests import factories


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client, settings):
    """The test client reading pages in English (the language cookie that logging in would set)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def last_message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def contract(officer, provider, ngo_user, clock):
    """A 2025 case-management contract of 9 M with a 20 % outcome share (outcome part 1 800 000) and targets of 70 %
    on cases closed with goals met and 10 % (lower is better) on repeat referrals."""
    contract = factories.ContractFactory(
        agency=officer.agency, provider=provider, call__start_year=2025, call__outcome_share=Decimal("20")
    )
    factories.TargetFactory(contract=contract, year=2025, value=70)
    factories.TargetFactory(
        contract=contract, year=2025, indicator=Indicator.objects.get(code="cm-repeat-referrals"), value=10
    )
    return contract


@pytest.fixture
def accepted_annual(contract, officer, ngo_user):
    """The 2025 annual report, submitted by the NGO with actuals 63 and 16, and accepted by the officer."""
    report = factories.annual_report(
        contract, 2025, {"cm-closed-positive": 63, "cm-repeat-referrals": 16}, status="draft"
    )
    contract_services.submit_report(report=report, acting_user=ngo_user)
    contract_services.accept_report(report=report, acting_user=officer)
    return report


@pytest.fixture
def council(db):
    return [factories.ExpertFactory(username=f"council-{i}") for i in range(3)]


# -- from the accepted annual report to the conclusion ----------------------------------------------------------------


def test_the_contract_page_offers_the_officer_to_open_the_evaluation_once_the_annual_report_is_accepted(
    client, officer, contract, accepted_annual
):
    client.force_login(officer)

    page = client.get(contract.get_absolute_url()).content.decode()

    assert 'data-testid="open-evaluation-2025"' in page
    assert reverse("evaluation:evaluation-open", args=[contract.pk, 2025]) in page


def test_no_evaluation_is_offered_before_the_annual_report_is_accepted(client, officer, contract):
    client.force_login(officer)

    page = client.get(contract.get_absolute_url()).content.decode()

    assert 'data-testid="open-evaluation-2025"' not in page


def test_the_officer_opens_the_evaluation_with_three_experts(client, officer, contract, accepted_annual, council):
    client.force_login(officer)
    url = reverse("evaluation:evaluation-open", args=[contract.pk, 2025])
    assert client.get(url).status_code == 200

    response = client.post(url, {"evaluators": [u.pk for u in council]})

    evaluation = ResultEvaluation.objects.get()
    assert response["Location"] == evaluation.get_absolute_url()
    assert (evaluation.contract, evaluation.year, evaluation.threshold) == (contract, 2025, Decimal("15"))
    assert sorted(evaluation.evaluators.values_list("user__username", flat=True)) == [u.username for u in council]


def test_opening_with_two_experts_is_refused(client, officer, contract, accepted_annual, council):
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:evaluation-open", args=[contract.pk, 2025]), {"evaluators": [u.pk for u in council[:2]]}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["evaluators"] == ["Choose at least 3 evaluators."]
    assert not ResultEvaluation.objects.exists()


def test_an_officer_of_another_agency_cannot_open_an_evaluation(client, other_officer, contract, accepted_annual):
    client.force_login(other_officer)

    response = client.get(reverse("evaluation:evaluation-open", args=[contract.pk, 2025]))

    assert response.status_code == 403  # the contract is a public fact: visible, but not theirs to evaluate


@pytest.fixture
def evaluation(client, officer, contract, accepted_annual, council):
    client.force_login(officer)
    client.post(
        reverse("evaluation:evaluation-open", args=[contract.pk, 2025]), {"evaluators": [u.pk for u in council]}
    )
    return ResultEvaluation.objects.get()


def action(evaluation, name: str) -> str:
    return reverse("evaluation:evaluation-action", args=[evaluation.pk, name])


def score_post(*values: int) -> dict:
    return {
        **{f"score_{code}": str(v) for code, v in zip(CRITERION_CODES, values, strict=True)},
        "comment": "Обоснование",
    }


def test_an_expert_declares_no_conflict_and_scores(client, evaluation, council):
    expert = council[0]
    client.force_login(expert)
    page = client.get(evaluation.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="my-sheet"' in page.content.decode()

    client.post(action(evaluation, "declare"), {"has_conflict": "0"})
    response = client.post(action(evaluation, "score"), score_post(4, 4, 3, 3, 3))

    seat = evaluation.evaluators.get(user=expert)
    assert last_message(response) == "Your scores are submitted."
    assert seat.has_conflict is False
    assert seat.submitted_at is not None
    assert sorted(seat.scores.values_list("criterion", "value")) == sorted(
        zip(CRITERION_CODES, [4, 4, 3, 3, 3], strict=True)
    )


def test_a_score_of_6_is_refused_with_a_message(client, evaluation, council):
    client.force_login(council[0])
    client.post(action(evaluation, "declare"), {"has_conflict": "0"})

    response = client.post(action(evaluation, "score"), score_post(6, 4, 3, 3, 3))

    assert last_message(response) == "Score every criterion from 0 to 5 and write a comment."
    assert not evaluation.evaluators.get(user=council[0]).scores.exists()


def test_an_expert_who_is_not_on_the_council_cannot_score(client, evaluation, expert):
    client.force_login(expert)

    response = client.post(action(evaluation, "declare"), {"has_conflict": "0"})

    assert response.status_code == 404  # the evaluation is not visible to them at all


def conclusion_post(negative=()) -> dict:
    """The council's conclusion on each criterion: positive except those in `negative`."""
    data = {}
    for code in CRITERION_CODES:
        data[f"conclusion_{code}"] = "negative" if code in negative else "positive"
        data[f"comment_{code}"] = f"Вывод: {code}"
    return data


def score_all(client, evaluation, council, first_scores=(4, 4, 5)):
    for user, first in zip(council, first_scores, strict=True):
        client.force_login(user)
        client.post(action(evaluation, "declare"), {"has_conflict": "0"})
        client.post(action(evaluation, "score"), score_post(first, 4, 3, 3, 3))


def test_the_officer_concludes_after_three_experts_scored(client, officer, evaluation, council):
    # sheets 4 4 3 3 3 / 4 4 3 3 3 / 5 4 3 3 3: means 13/3, 4, 3, 3, 3 → total 17.333… ≥ 15: positive
    for user, first in zip(council, [4, 4, 5], strict=True):
        client.force_login(user)
        client.post(action(evaluation, "declare"), {"has_conflict": "0"})
        client.post(action(evaluation, "score"), score_post(first, 4, 3, 3, 3))
    client.force_login(officer)
    assert client.get(evaluation.get_absolute_url()).context["can_conclude"]

    response = client.post(action(evaluation, "conclude"), conclusion_post())

    evaluation.refresh_from_db()
    assert last_message(response) == "The evaluation is concluded."
    assert evaluation.status == ResultEvaluation.Status.SUBMITTED
    assert (evaluation.total, evaluation.positive) == (Decimal("17.3333"), True)
    assert evaluation.conclusions.filter(positive=True).count() == 5


def test_one_negative_criterion_makes_the_conclusion_negative_and_the_printout_shows_it(
    client, officer, evaluation, council
):
    score_all(client, evaluation, council)  # total 17.33 ≥ 15 by the scores
    client.force_login(officer)

    response = client.post(action(evaluation, "conclude"), conclusion_post(negative=["plan"]))

    evaluation.refresh_from_db()
    assert last_message(response) == "The evaluation is concluded."
    assert (evaluation.total, evaluation.positive) == (Decimal("17.3333"), False)
    assert evaluation.conclusions.get(criterion="plan").comment == "Вывод: plan"
    page = client.get(evaluation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="council-conclusion"' in page
    assert 'data-testid="print"' in page
    assert page.count("Signature: ") == 3
    assert "no criterion has a negative conclusion" in page  # the agency's rule, in words


def test_without_the_setting_a_negative_criterion_leaves_the_scores_rule(
    client, officer, evaluation, council, settings
):
    settings.GSZ = {**settings.GSZ, "COUNCIL_NEGATIVE_CRITERION_NEGATIVE": False}
    score_all(client, evaluation, council)
    client.force_login(officer)

    client.post(action(evaluation, "conclude"), conclusion_post(negative=["plan"]))

    evaluation.refresh_from_db()
    assert evaluation.positive is True


def test_concluding_needs_a_conclusion_on_every_criterion(client, officer, evaluation, council):
    score_all(client, evaluation, council)
    client.force_login(officer)
    data = conclusion_post()
    del data["conclusion_results"]

    response = client.post(action(evaluation, "conclude"), data)

    evaluation.refresh_from_db()
    assert last_message(response) == "Record the council's conclusion on every criterion."
    assert evaluation.status == ResultEvaluation.Status.OPEN


def test_concluding_without_quorum_shows_a_message(client, officer, evaluation):
    client.force_login(officer)

    response = client.post(action(evaluation, "conclude"), conclusion_post())

    evaluation.refresh_from_db()
    assert last_message(response) == "At least 3 non-recused evaluators must submit their scores."
    assert evaluation.status == ResultEvaluation.Status.OPEN


def test_an_expert_cannot_conclude(client, evaluation, council):
    client.force_login(council[0])

    assert client.post(action(evaluation, "conclude")).status_code == 403


def test_the_evaluation_page_shows_the_evidence(client, officer, evaluation):
    client.force_login(officer)

    response = client.get(evaluation.get_absolute_url())

    # 63 ÷ 70 = 0.9; 10 ÷ 16 = 0.625 (lower is better); score (0.9 + 0.625) ÷ 2 = 0.7625
    outcome = response.context["outcome"]
    assert outcome.score == Decimal("0.7625")
    assert 'data-testid="evidence"' in response.content.decode()


# -- the contract page ------------------------------------------------------------------------------------------------


def test_the_contract_page_shows_targets_against_actuals_and_the_outcome_score(
    client, officer, contract, accepted_annual
):
    client.force_login(officer)

    response = client.get(contract.get_absolute_url())

    page = re.sub(r"[ \n]+", " ", response.content.decode())  # the template wraps its lines
    assert 'data-testid="outcomes"' in page
    # 63 ÷ 70 = 0.9 and 10 ÷ 16 = 0.625: (0.9 + 0.625) ÷ 2 = 76.25 %, shown rounded
    assert "Outcome score: <strong>76\u00a0%</strong> (2 of 2 indicators)" in page


def test_the_contract_page_shows_outcome_payments_earned_and_withheld(client, officer, contract, accepted_annual):
    client.force_login(officer)

    page = client.get(contract.get_absolute_url()).content.decode()

    # earned 1 800 000 × 0.7625 = 1 372 500; withheld 1 800 000 − 1 372 500 = 427 500
    assert 'data-testid="outcome-payments"' in page
    assert money(Decimal("1372500")) in page
    assert money(Decimal("427500")) in page


def test_the_ngo_sees_its_own_contracts_outcomes(client, ngo_user, contract, accepted_annual):
    client.force_login(ngo_user)

    page = client.get(contract.get_absolute_url()).content.decode()

    assert 'data-testid="outcome-payments"' in page


def test_another_ngo_does_not_see_the_outcomes(client, other_ngo_user, contract, accepted_annual):
    client.force_login(other_ngo_user)

    page = client.get(contract.get_absolute_url()).content.decode()

    assert 'data-testid="outcomes"' not in page


# -- ranking and profile ----------------------------------------------------------------------------------------------


def test_the_committee_opens_the_ranking(client, committee, provider, contract, accepted_annual):
    client.force_login(committee)

    response = client.get(reverse("evaluation:ranking"), {"service": contract.service_type_id})

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.provider == provider
    assert 'data-testid="ranking"' in response.content.decode()


def test_the_ranking_exports_its_rows(client, committee, provider, contract, accepted_annual):
    client.force_login(committee)

    response = client.get(reverse("evaluation:ranking"), {"service": contract.service_type_id, "export": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "#",
        "NGO",
        "Shrunk score",
        "Mean",
        "Evaluated contract years",
        "Money",
        "Council conclusions (final where made): positive / negative",
    ]
    assert rows[1][6] == "0 / 0"  # no concluded evaluation yet
    # one evaluated year: 0.7625 (its own mean is the overall mean, so the shrunk score too); 9 M in 2025
    assert [row[:5] for row in rows[1:]] == [["1", provider.name, "0.7625", "0.7625", "1"]]
    assert Decimal(rows[1][5]) == Decimal("9000000")  # the exact amount (SQLite and PostgreSQL write its scale apart)


def test_the_evaluations_and_the_indicators_export_their_rows(client, committee, officer, contract, accepted_annual):
    evaluation = factories.ResultEvaluationFactory(contract=contract, year=2025)
    client.force_login(committee)

    evaluations = client.get(reverse("evaluation:evaluation-list"), {"export": "csv"})
    indicators = client.get(reverse("evaluation:indicator-list"), {"kind": Indicator.Kind.OUTCOME, "export": "csv"})

    evaluation_rows = list(csv.reader(io.StringIO(b"".join(evaluations.streaming_content).decode("utf-8-sig"))))
    assert evaluation_rows[0] == ["Contract", "Year", "NGO", "Region", "Status", "Total", "Conclusion"]
    assert [row[:3] for row in evaluation_rows[1:]] == [[contract.number, "2025", evaluation.contract.provider.name]]
    indicator_rows = list(csv.reader(io.StringIO(b"".join(indicators.streaming_content).decode("utf-8-sig"))))
    assert indicator_rows[0] == ["Code", "Indicator", "Service", "Kind", "Unit", "Direction"]  # no delete button
    assert {row[0] for row in indicator_rows[1:]} == set(
        Indicator.objects.filter(kind=Indicator.Kind.OUTCOME).values_list("code", flat=True)
    )


def test_the_committee_opens_a_provider_profile(client, committee, provider, contract, accepted_annual):
    client.force_login(committee)

    response = client.get(reverse("evaluation:provider-profile", args=[provider.pk]))

    assert response.status_code == 200
    profile = response.context["profile"]
    # the 2025 annual report was due 10 January 2026 and first submitted on 24 November 2026 (the clock): late
    assert (profile.reports, profile.on_time) == (1, 0)
    assert profile.mean_outcome == Decimal("0.7625")


def test_an_ngo_cannot_open_another_ngos_profile(client, other_ngo_user, provider):
    client.force_login(other_ngo_user)

    response = client.get(reverse("evaluation:provider-profile", args=[provider.pk]))

    assert response.status_code == 404  # another NGO is outside an NGO member's scope


def test_an_ngo_cannot_open_the_ranking(client, ngo_user):
    client.force_login(ngo_user)

    assert client.get(reverse("evaluation:ranking")).status_code == 403


# -- the indicator catalogue ------------------------------------------------------------------------------------------


def test_an_indicator_used_by_a_target_cannot_be_deleted(client, admin_user, contract):
    used = Indicator.objects.get(code="cm-repeat-referrals")  # a reference indicator: only admins may delete
    client.force_login(admin_user)

    response = client.post(reverse("evaluation:indicator-delete", args=[used.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The indicator is used by calls, contracts or reports and cannot be deleted."
    ]
    assert Indicator.objects.filter(pk=used.pk).exists()


def test_an_unused_indicator_can_be_deleted(client, officer):
    unused = factories.IndicatorFactory(created_by_agency=officer.agency)
    client.force_login(officer)

    response = client.post(reverse("evaluation:indicator-delete", args=[unused.pk]))

    assert last_message(response) == "The indicator is deleted."
    assert not Indicator.objects.filter(pk=unused.pk).exists()


def test_an_officer_cannot_delete_another_agencys_indicator(client, officer, other_officer):
    theirs = factories.IndicatorFactory(created_by_agency=other_officer.agency)
    client.force_login(officer)

    assert client.post(reverse("evaluation:indicator-delete", args=[theirs.pk])).status_code == 403
    assert Indicator.objects.filter(pk=theirs.pk).exists()


def test_only_an_admin_deletes_a_reference_indicator(client, officer, admin_user):
    reference = factories.IndicatorFactory()  # the catalogue's: no agency added it
    client.force_login(officer)
    assert client.post(reverse("evaluation:indicator-delete", args=[reference.pk])).status_code == 403
    assert Indicator.objects.filter(pk=reference.pk).exists()

    client.force_login(admin_user)
    response = client.post(reverse("evaluation:indicator-delete", args=[reference.pk]))

    assert last_message(response) == "The indicator is deleted."
    assert not Indicator.objects.filter(pk=reference.pk).exists()


def test_an_indicator_an_officer_adds_belongs_to_their_agency_and_only_it_offers_the_delete_button(
    client, officer, other_officer
):
    client.force_login(officer)
    client.post(
        reverse("evaluation:indicator-create"),
        {
            "code": "agency-own",
            "kind": Indicator.Kind.OUTPUT,
            "unit": Indicator.Unit.FAMILIES,
            "direction": Indicator.Direction.HIGHER,
            "name_ru": "Семьи",
            "name_kk": "Отбасылар",
            "name_en": "Families",
        },
    )
    own = Indicator.objects.get(code="agency-own")
    assert own.created_by_agency == officer.agency

    def delete_buttons(user) -> list[str]:
        client.force_login(user)
        page = client.get(reverse("evaluation:indicator-list"), {"kind": Indicator.Kind.OUTPUT}).content.decode()
        return re.findall(r'action="/[^"]*indicators/(\d+)/delete/"', page)

    assert delete_buttons(officer) == [str(own.pk)]  # the reference catalogue offers no delete button
    assert delete_buttons(other_officer) == []


def test_an_ngo_cannot_delete_an_indicator(client, ngo_user):
    unused = factories.IndicatorFactory()
    client.force_login(ngo_user)

    assert client.post(reverse("evaluation:indicator-delete", args=[unused.pk])).status_code == 403
    assert Indicator.objects.filter(pk=unused.pk).exists()


# -- what each reader may open from the pages --------------------------------------------------------------------


def test_the_ngo_sees_no_open_evaluation_on_its_contract_until_it_is_concluded(client, ngo_user, evaluation):
    client.force_login(ngo_user)
    page = client.get(evaluation.contract.get_absolute_url()).content.decode()
    assert evaluation.get_absolute_url() not in page  # an open evaluation is outside the NGO's scope (404)

    ResultEvaluation.objects.filter(pk=evaluation.pk).update(status=ResultEvaluation.Status.SUBMITTED)
    page = client.get(evaluation.contract.get_absolute_url()).content.decode()
    assert evaluation.get_absolute_url() in page
    assert client.get(evaluation.get_absolute_url()).status_code == 200


def test_the_profile_links_only_the_evaluations_the_reader_may_open(client, expert, council, provider, evaluation):
    url = reverse("evaluation:provider-profile", args=[provider.pk])

    client.force_login(expert)  # not on this council: the track record counts it, but does not link it
    page = client.get(url)
    assert [e.openable for e in page.context["profile"].evaluations] == [False]
    assert evaluation.get_absolute_url() not in page.content.decode()

    client.force_login(council[0])
    page = client.get(url)
    assert [e.openable for e in page.context["profile"].evaluations] == [True]
    assert evaluation.get_absolute_url() in page.content.decode()


def test_the_evidence_links_a_report_only_for_readers_who_may_open_it(client, officer, council, evaluation):
    report = evaluation.contract.periods.get(kind="annual", year=2025).report

    client.force_login(council[0])  # an evaluator reads the report the council's evaluation rests on (issue 11)
    page = client.get(evaluation.get_absolute_url())
    assert [p.report_openable for p in page.context["periods"] if p.report_obj] == [True]
    assert report.get_absolute_url() in page.content.decode()
    assert client.get(report.get_absolute_url()).status_code == 200

    client.force_login(factories.ExpertFactory(username="not-on-the-council"))
    assert client.get(report.get_absolute_url()).status_code == 404

    client.force_login(officer)
    page = client.get(evaluation.get_absolute_url())
    assert [p.report_openable for p in page.context["periods"] if p.report_obj] == [True]
    assert report.get_absolute_url() in page.content.decode()


def test_the_bids_page_shows_the_track_records_of_the_bidders_it_lists(client, officer, clock):
    now = timezone.now()
    call = factories.CallFactory(
        agency=officer.agency,
        status=Call.Status.EVALUATION,
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
    )
    admitted = factories.BidFactory(call=call, status=Bid.Status.ADMITTED)
    factories.BidFactory(call=call, status=Bid.Status.WITHDRAWN)
    client.force_login(officer)

    page = client.get(reverse("tenders:call-bids", args=[call.pk]))

    html = page.content.decode()
    assert 'data-testid="bidders-records"' in html
    section = html[html.index('data-testid="bidders-records"') :]
    assert section.count('/profile/"') == 1  # the withdrawn bid is not listed, nor its bidder
    assert reverse("evaluation:provider-profile", args=[admitted.provider_id]) in section
