"""The expert council's evaluation of results: means per criterion, the total as the sum of unrounded means, the
conclusion, the threshold copied at opening, recusal, quorum, score range, and the conclude/reopen transitions."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from evaluation import services
from evaluation.council import council_result, result_from_sheets
from evaluation.models import CRITERION_CODES, EvaluatorScore, ResultEvaluation
from evaluation.outcomes import contract_years
from tests import factories

FIFTEEN = Decimal("15")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def sheet(*values: int) -> dict[str, int]:
    """A complete sheet in the order relevance, plan, results, sustainability, long-term effect."""
    return dict(zip(CRITERION_CODES, values, strict=True))


# -- the arithmetic -------------------------------------------------------------------------------------------------

THREE_SHEETS = [sheet(3, 4, 3, 2, 3), sheet(4, 4, 3, 3, 3), sheet(3, 5, 4, 2, 3)]


def test_result_per_criterion_is_the_mean_over_the_sheets():
    result = result_from_sheets(THREE_SHEETS, threshold=FIFTEEN, quorum=3)

    # relevance (3 + 4 + 3) ÷ 3 = 10/3; plan 13/3; results 10/3; sustainability 7/3; long-term effect 9/3 = 3
    assert result.means == {
        "relevance": Decimal(10) / 3,
        "plan": Decimal(13) / 3,
        "results": Decimal(10) / 3,
        "sustainability": Decimal(7) / 3,
        "long_term": Decimal(3),
    }
    assert result.sheets == 3


def test_total_is_the_sum_of_the_unrounded_means():
    result = result_from_sheets(THREE_SHEETS, threshold=FIFTEEN, quorum=3)

    # 10/3 + 13/3 + 10/3 + 7/3 + 3 = 49/3 = 16.333…; summing means rounded to 3.33, 4.33, 3.33, 2.33 and 3 would
    # give 16.32 instead.
    assert result.total.quantize(Decimal("0.0000000001")) == Decimal("16.3333333333")


def test_a_threshold_between_the_rounded_and_the_unrounded_total_is_reached():
    # 16.333… ≥ 16.33 is positive; the sum of rounded means, 16.32, would have been negative.
    result = result_from_sheets(THREE_SHEETS, threshold=Decimal("16.33"), quorum=3)

    assert result.positive is True


def test_conclusion_is_negative_below_the_threshold():
    # means 3, 3, 3, 2 and 2: total 13 < 15
    result = result_from_sheets([sheet(3, 3, 3, 2, 2)] * 3, threshold=FIFTEEN, quorum=3)

    assert result.total == 13
    assert result.positive is False


def test_conclusion_is_positive_at_exactly_the_threshold():
    result = result_from_sheets([sheet(3, 3, 3, 3, 3)] * 3, threshold=FIFTEEN, quorum=3)

    assert result.total == 15
    assert result.positive is True


def test_conclusion_is_negative_when_any_criterion_mean_is_zero_even_with_a_high_total():
    # 5 + 5 + 5 + 5 + 0 = 20 ≥ 15, but every evaluator gave the long-term effect 0
    result = result_from_sheets([sheet(5, 5, 5, 5, 0)] * 3, threshold=FIFTEEN, quorum=3)

    assert result.total == 20
    assert result.positive is False


def test_a_single_zero_does_not_make_a_criterion_mean_zero():
    # long-term effect (0 + 3 + 3) ÷ 3 = 2; total 5 + 5 + 5 + 5 + 2 = 22
    result = result_from_sheets(
        [sheet(5, 5, 5, 5, 0), sheet(5, 5, 5, 5, 3), sheet(5, 5, 5, 5, 3)], threshold=FIFTEEN, quorum=3
    )

    assert result.means["long_term"] == 2
    assert result.positive is True


def test_incomplete_sheets_are_left_out():
    incomplete = {"relevance": 0, "plan": 0}

    result = result_from_sheets([*THREE_SHEETS, incomplete], threshold=FIFTEEN, quorum=3)

    assert result.sheets == 3
    assert result.means["relevance"] == Decimal(10) / 3


def test_without_a_complete_sheet_there_is_no_result_yet():
    result = result_from_sheets([], threshold=FIFTEEN, quorum=3)

    assert (result.means, result.total, result.positive, result.has_quorum) == ({}, None, None, False)


# -- an evaluation in the database ----------------------------------------------------------------------------------


@pytest.fixture
def contract(officer, provider, ngo_user, clock):
    """A 2025 contract (ended) of the officer's agency with its annual report accepted."""
    contract = factories.ContractFactory(agency=officer.agency, provider=provider, call__start_year=2025)
    factories.annual_report(contract, 2025)
    return contract


@pytest.fixture
def panel(db):
    return [factories.ExpertFactory(username=f"council-{i}") for i in range(4)]


@pytest.fixture
def evaluation(contract, officer, panel):
    return services.open_evaluation(contract=contract, year=2025, evaluators=panel[:3], acting_user=officer)


def score(evaluation, user, values, *, conflict=False):
    evaluator = evaluation.evaluators.get(user=user)
    services.declare(evaluator=evaluator, has_conflict=conflict)
    if not conflict:
        services.submit_scores(evaluator=evaluator, values=sheet(*values), comment="Обоснование")
    return evaluator


def test_opening_copies_the_agencys_threshold(evaluation, officer):
    assert evaluation.threshold == Decimal("15")  # the default 15 of 25
    assert evaluation.status == ResultEvaluation.Status.OPEN
    assert evaluation.evaluators.count() == 3
    assert AuditEvent.objects.for_object(evaluation).filter(action="evaluation opened").exists()


def test_a_later_change_of_the_agencys_threshold_does_not_change_an_open_evaluation(evaluation, officer, panel):
    for user in panel[:3]:
        score(evaluation, user, (4, 4, 4, 3, 3))  # total 4 + 4 + 4 + 3 + 3 = 18
    officer.agency.evaluation_threshold = Decimal("20")
    officer.agency.save()

    evaluation.refresh_from_db()
    result = council_result(evaluation)

    # 18 is below the agency's new 20 but the evaluation keeps the 15 it copied when it opened
    assert evaluation.threshold == Decimal("15")
    assert (result.threshold, result.total, result.positive) == (Decimal("15"), 18, True)


def test_a_positive_conclusion_under_the_old_threshold_survives_a_stricter_agency(evaluation, officer, panel):
    for user in panel[:3]:
        score(evaluation, user, (4, 4, 4, 3, 3))  # total 18
    officer.agency.evaluation_threshold = Decimal("20")
    officer.agency.save()

    concluded = services.conclude(evaluation=evaluation, acting_user=officer)

    # 18 ≥ 15 (copied at opening), though it is below the agency's new 20
    assert concluded.total == 18
    assert concluded.positive is True


def test_an_evaluation_opened_after_the_change_uses_the_new_threshold(contract, officer, panel):
    officer.agency.evaluation_threshold = Decimal("20")
    officer.agency.save()

    evaluation = services.open_evaluation(contract=contract, year=2025, evaluators=panel[:3], acting_user=officer)

    assert evaluation.threshold == Decimal("20")


def test_a_recused_evaluator_is_left_out_of_the_means(contract, officer, panel):
    evaluation = services.open_evaluation(contract=contract, year=2025, evaluators=panel, acting_user=officer)
    for user in panel[:3]:
        score(evaluation, user, (4, 4, 4, 4, 4))
    recused = score(evaluation, panel[3], (), conflict=True)
    EvaluatorScore.objects.bulk_create(  # even scores written around the service do not count
        EvaluatorScore(evaluator=recused, criterion=code, value=0) for code in CRITERION_CODES
    )

    result = council_result(evaluation)

    assert (result.sheets, result.recused) == (3, 1)
    assert result.total == 20


def test_quorum_needs_three_non_recused_complete_sheets(contract, officer, panel):
    evaluation = services.open_evaluation(contract=contract, year=2025, evaluators=panel, acting_user=officer)
    score(evaluation, panel[0], (4, 4, 4, 4, 4))
    score(evaluation, panel[1], (4, 4, 4, 4, 4))
    score(evaluation, panel[2], (), conflict=True)

    assert not council_result(evaluation).has_quorum
    with pytest.raises(InvalidTransition, match="At least 3 non-recused evaluators must submit their scores."):
        services.conclude(evaluation=evaluation, acting_user=officer)

    score(evaluation, panel[3], (4, 4, 4, 4, 4))
    assert council_result(evaluation).has_quorum


def test_an_evaluator_who_declared_but_did_not_submit_does_not_count(evaluation, panel):
    score(evaluation, panel[0], (4, 4, 4, 4, 4))
    score(evaluation, panel[1], (4, 4, 4, 4, 4))
    services.declare(evaluator=evaluation.evaluators.get(user=panel[2]), has_conflict=False)

    result = council_result(evaluation)

    assert (result.sheets, result.has_quorum) == (2, False)


@pytest.mark.parametrize("bad", [6, -1, 3.5, "4"])
def test_scores_outside_0_to_5_are_refused(evaluation, panel, bad):
    evaluator = evaluation.evaluators.get(user=panel[0])
    services.declare(evaluator=evaluator, has_conflict=False)
    values = {**sheet(3, 3, 3, 3, 3), "plan": bad}

    with pytest.raises(InvalidTransition, match="Scores are whole numbers from 0 to 5."):
        services.submit_scores(evaluator=evaluator, values=values, comment="")

    evaluator.refresh_from_db()
    assert evaluator.submitted_at is None
    assert not evaluator.scores.exists()


def test_a_sheet_must_score_every_criterion(evaluation, panel):
    evaluator = evaluation.evaluators.get(user=panel[0])
    services.declare(evaluator=evaluator, has_conflict=False)

    with pytest.raises(InvalidTransition, match="Score every criterion."):
        services.submit_scores(evaluator=evaluator, values={"relevance": 3}, comment="")


def test_scoring_before_declaring_is_refused(evaluation, panel):
    with pytest.raises(InvalidTransition, match="Declare your conflict of interest before scoring."):
        services.submit_scores(
            evaluator=evaluation.evaluators.get(user=panel[0]), values=sheet(3, 3, 3, 3, 3), comment=""
        )


def test_a_recused_evaluator_cannot_score(evaluation, panel):
    evaluator = score(evaluation, panel[0], (), conflict=True)

    with pytest.raises(InvalidTransition, match="You are recused from this evaluation."):
        services.submit_scores(evaluator=evaluator, values=sheet(3, 3, 3, 3, 3), comment="")


def test_a_declaration_is_made_once(evaluation, panel):
    evaluator = evaluation.evaluators.get(user=panel[0])
    services.declare(evaluator=evaluator, has_conflict=False)

    with pytest.raises(InvalidTransition, match="You have already declared."):
        services.declare(evaluator=evaluator, has_conflict=True)


def test_opening_needs_three_evaluators(contract, officer, panel):
    with pytest.raises(InvalidTransition, match="Appoint at least 3 evaluators."):
        services.open_evaluation(contract=contract, year=2025, evaluators=panel[:2], acting_user=officer)


def test_opening_needs_an_accepted_annual_report(officer, panel, clock):
    contract = factories.ContractFactory(agency=officer.agency, call__start_year=2025)
    factories.annual_report(contract, 2025, submitted=True)

    with pytest.raises(InvalidTransition, match="The annual report of that year must be accepted first."):
        services.open_evaluation(contract=contract, year=2025, evaluators=panel[:3], acting_user=officer)


def test_a_contract_year_is_evaluated_once(evaluation, contract, officer, panel):
    with pytest.raises(InvalidTransition, match="This contract year is already being evaluated."):
        services.open_evaluation(contract=contract, year=2025, evaluators=panel[1:], acting_user=officer)


# -- conclude and reopen --------------------------------------------------------------------------------------------


@pytest.fixture
def scored(evaluation, panel):
    for user, values in zip(panel[:3], [(3, 4, 3, 2, 3), (4, 4, 3, 3, 3), (3, 5, 4, 2, 3)], strict=True):
        score(evaluation, user, values)
    return evaluation


def test_concluding_records_the_total_the_conclusion_and_an_audit_event(scored, officer):
    concluded = services.conclude(evaluation=scored, acting_user=officer)

    concluded.refresh_from_db()
    assert concluded.status == ResultEvaluation.Status.SUBMITTED
    assert concluded.concluded_at is not None
    assert concluded.total == Decimal("16.3333")  # 49/3 stored to four places
    assert concluded.positive is True
    event = AuditEvent.objects.for_object(concluded).get(action="evaluation concluded")
    assert event.actor == officer
    assert event.changes["status"] == ["open", "submitted"]


def test_concluding_emails_the_ngo_after_commit(
    scored, officer, ngo_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.conclude(evaluation=scored, acting_user=officer)

    assert [m.to for m in mailoutbox] == [[ngo_user.email]]


def test_a_concluded_evaluation_cannot_be_scored(scored, officer, panel):
    services.conclude(evaluation=scored, acting_user=officer)
    evaluator = scored.evaluators.get(user=panel[0])

    with pytest.raises(InvalidTransition, match="The evaluation is concluded; it changes only by reopening it."):
        services.submit_scores(evaluator=evaluator, values=sheet(0, 0, 0, 0, 0), comment="")

    assert sorted(evaluator.scores.values_list("value", flat=True)) == [2, 3, 3, 3, 4]


def test_a_concluded_evaluation_cannot_be_concluded_again(scored, officer):
    services.conclude(evaluation=scored, acting_user=officer)

    with pytest.raises(InvalidTransition, match="The evaluation is concluded"):
        services.conclude(evaluation=scored, acting_user=officer)


def test_reopening_needs_a_reason(scored, officer):
    services.conclude(evaluation=scored, acting_user=officer)

    with pytest.raises(InvalidTransition, match="Give a reason for reopening."):
        services.reopen(evaluation=scored, acting_user=officer, reason=" ")

    scored.refresh_from_db()
    assert scored.status == ResultEvaluation.Status.SUBMITTED


def test_an_open_evaluation_cannot_be_reopened(scored, officer):
    with pytest.raises(InvalidTransition):
        services.reopen(evaluation=scored, acting_user=officer, reason="Ошибка")


def test_reopening_clears_the_result_and_records_the_reason(scored, officer):
    services.conclude(evaluation=scored, acting_user=officer)

    services.reopen(evaluation=scored, acting_user=officer, reason="Ошибка в оценке")

    scored.refresh_from_db()
    assert scored.status == ResultEvaluation.Status.OPEN
    assert (scored.total, scored.positive, scored.concluded_at) == (None, None, None)
    assert not scored.evaluators.filter(submitted_at__isnull=False).exists()
    event = AuditEvent.objects.for_object(scored).get(action="evaluation reopened")
    assert event.changes["note"] == "Ошибка в оценке"


def test_after_reopening_evaluators_rescore_and_the_council_concludes_again(scored, officer, panel):
    services.conclude(evaluation=scored, acting_user=officer)
    services.reopen(evaluation=scored, acting_user=officer, reason="Пересмотр")

    for user in panel[:3]:
        evaluator = scored.evaluators.get(user=user)
        services.submit_scores(evaluator=evaluator, values=sheet(2, 2, 2, 2, 2), comment="Пересмотр")
    concluded = services.conclude(evaluation=scored, acting_user=officer)

    # all 2s: total 10 < 15
    assert (concluded.total, concluded.positive) == (10, False)
    assert AuditEvent.objects.for_object(scored).filter(action="evaluation concluded").count() == 2


def test_before_quorum_there_is_no_conclusion_only_the_count_of_sheets():
    result = result_from_sheets(THREE_SHEETS[:1], threshold=FIFTEEN, quorum=3)

    assert (result.sheets, result.has_quorum, result.positive) == (1, False, None)


def test_the_evaluation_page_shows_only_how_many_sheets_are_in_before_quorum(client, officer, evaluation):
    first = evaluation.evaluators.first()
    services.declare(evaluator=first, has_conflict=False)
    services.submit_scores(evaluator=first, values=dict.fromkeys(CRITERION_CODES, 5), comment="")
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(evaluation.get_absolute_url())

    html = page.content.decode()
    assert "1 of 3 required sheets are in" in html
    result = html.split('data-testid="result"')[1].split("</div>")[0]
    assert "Conclusion by the scores" not in result  # no provisional conclusion (the agency's rule stays stated)
    assert 'class="yes"' not in result
    assert 'class="no"' not in result


# -- the agency's rule as settings, per-criterion conclusions and the two stages ----------------------------------


def test_the_any_zero_rule_is_a_setting(settings):
    sheets = [dict(zip(CRITERION_CODES, (5, 5, 5, 5, 0), strict=True))] * 3  # total 20 ≥ 15, one mean 0
    assert result_from_sheets(sheets, threshold=FIFTEEN, quorum=3).positive is False
    settings.GSZ = {**settings.GSZ, "COUNCIL_ANY_ZERO_NEGATIVE": False}
    assert result_from_sheets(sheets, threshold=FIFTEEN, quorum=3).positive is True


def test_the_overall_conclusion_adds_the_criterion_conclusions(settings):
    result = result_from_sheets(THREE_SHEETS, threshold=FIFTEEN, quorum=3)
    all_positive = dict.fromkeys(CRITERION_CODES, True)
    one_negative = {**all_positive, "results": False}
    assert result.positive is True
    assert result.overall(all_positive) is True
    assert result.overall(one_negative) is False
    assert result.overall(None) is True  # nothing recorded: the scores' rule alone
    settings.GSZ = {**settings.GSZ, "COUNCIL_NEGATIVE_CRITERION_NEGATIVE": False}
    assert result.overall(one_negative) is True


def test_the_conclusion_records_each_criterion_and_a_negative_one_makes_it_negative(evaluation, officer, panel):
    for user in panel[:3]:
        score(evaluation, user, (4, 4, 4, 3, 3))  # 18 ≥ 15
    conclusions = {code: (True, "") for code in CRITERION_CODES} | {"long_term": (False, "Эффект не доказан")}
    with pytest.raises(InvalidTransition, match="every criterion"):
        services.conclude(evaluation=evaluation, acting_user=officer, conclusions={"relevance": (True, "")})

    services.conclude(evaluation=evaluation, acting_user=officer, conclusions=conclusions)

    evaluation.refresh_from_db()
    assert (evaluation.total, evaluation.positive) == (Decimal(18), False)
    assert evaluation.conclusions.get(criterion="long_term").comment == "Эффект не доказан"


def test_the_final_stage_follows_the_last_year_and_stands_beside_the_preliminary(officer, provider, panel, clock):
    contract = factories.ContractFactory(
        agency=officer.agency, provider=provider, call__start_year=2024, call__duration_years=2
    )
    for year in (2024, 2025):
        factories.annual_report(contract, year)
    last = max(contract_years(contract))

    preliminary = services.open_evaluation(contract=contract, year=last, evaluators=panel[:3], acting_user=officer)
    final = services.open_evaluation(
        contract=contract, year=last, evaluators=panel[:3], acting_user=officer, stage=ResultEvaluation.Stage.FINAL
    )

    assert (preliminary.stage, final.stage) == (ResultEvaluation.Stage.PRELIMINARY, ResultEvaluation.Stage.FINAL)
    with pytest.raises(InvalidTransition, match="last year"):
        services.open_evaluation(
            contract=contract,
            year=last - 1,
            evaluators=panel[:3],
            acting_user=officer,
            stage=ResultEvaluation.Stage.FINAL,
        )
    with pytest.raises(InvalidTransition, match="already"):
        services.open_evaluation(
            contract=contract, year=last, evaluators=panel[:3], acting_user=officer, stage=ResultEvaluation.Stage.FINAL
        )
