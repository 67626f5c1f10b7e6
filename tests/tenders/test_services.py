"""Every transition and rule of the competition cycle, through the services (DESIGN.md, tenders).

The clock starts at 2026-11-24 10:00 Almaty time; the `call` fixture accepts bids until 2026-12-08 10:00 with a
budget of 10 000 000 ₸ and the default criteria 30/20/20/15/15.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from providers.models import Provider
from tenders import services
from tenders.models import Bid, Call, CallBudgetLine, CommissionMember, Complaint, Criterion, Score, ScoreSheet
from tests import factories
from tests.tenders.util import admit_all, appoint, evaluating_call, open_call, score, submitted_bid

pytestmark = pytest.mark.django_db

S71 = [8, 7, 6, 9, 5]  # 240 + 140 + 120 + 135 + 75 = 710 → 71.0
S80 = [8, 8, 8, 8, 8]  # 8 × 100 = 800 → 80.0
S45 = [5, 4, 4, 5, 4]  # 150 + 80 + 80 + 75 + 60 = 445 → 44.5
S30 = [3, 3, 3, 3, 3]  # 3 × 100 = 300 → 30.0
SECOND = dt.timedelta(seconds=1)


def actions(obj) -> list[str]:
    """Return the audit actions on an object, oldest first."""
    return list(AuditEvent.objects.for_object(obj).order_by("id").values_list("action", flat=True))


def messages_of(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.messages


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


@pytest.fixture
def draft(officer, clock):
    """A draft that may be published: deadline in 14 days, one budget line for 2027, weights summing to 100."""
    return factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)


# -- publication ------------------------------------------------------------------------------------------------


def test_a_valid_draft_is_published_with_its_time_and_an_audit_event(draft, officer, clock):
    services.publish_call(call=draft, acting_user=officer)

    draft.refresh_from_db()
    assert draft.status == Call.Status.PUBLISHED
    assert draft.published_at == dt.datetime.fromisoformat("2026-11-24 10:00+05:00")
    assert actions(draft) == ["published"]


def test_publication_is_refused_with_a_deadline_fewer_than_five_working_days_ahead(draft, officer, clock):
    # Published on Tuesday 24.11.2026: Wed 25 (1), Thu 26 (2), Fri 27 (3), Mon 30 (4), Tue 1 December (5).
    draft.deadline = dt.datetime.fromisoformat("2026-11-30 23:59+05:00")  # 4 working days
    draft.save()

    with pytest.raises(InvalidTransition) as error:
        services.publish_call(call=draft, acting_user=officer)

    assert messages_of(error) == [
        "The deadline must fall on 01.12.2026 or later: the submission period is at least 5 working days "
        "(in force from 01.01.2025)."
    ]
    draft.refresh_from_db()
    assert draft.status == Call.Status.DRAFT
    assert actions(draft) == []


def test_publication_accepts_a_deadline_exactly_five_working_days_ahead(draft, officer, clock):
    draft.deadline = dt.datetime.fromisoformat("2026-12-01 09:00+05:00")
    draft.save()

    services.publish_call(call=draft, acting_user=officer)

    assert Call.objects.get(pk=draft.pk).status == Call.Status.PUBLISHED


def test_publication_is_refused_when_the_weights_do_not_sum_to_100(officer, clock):
    call = factories.CallFactory(agency=officer.agency, draft=True, criteria=[30, 20, 20, 15, 10])

    with pytest.raises(InvalidTransition) as error:
        services.publish_call(call=call, acting_user=officer)

    assert messages_of(error) == ["The criteria weights sum to 95, not 100."]
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_publication_is_refused_when_the_budget_lines_do_not_match_the_duration(officer, clock):
    call = factories.CallFactory(agency=officer.agency, draft=True, duration_years=2, budget=[10_000_000])

    with pytest.raises(InvalidTransition) as error:
        services.publish_call(call=call, acting_user=officer)

    assert messages_of(error) == ["There must be one budget line for each year 2027–2028."]


def test_publication_is_refused_when_a_budget_line_falls_outside_the_years(officer, clock):
    call = factories.CallFactory(agency=officer.agency, draft=True, duration_years=2, budget=[])
    CallBudgetLine.objects.create(call=call, year=2027, amount=5_000_000)
    CallBudgetLine.objects.create(call=call, year=2029, amount=5_000_000)

    with pytest.raises(InvalidTransition) as error:
        services.publish_call(call=call, acting_user=officer)

    assert messages_of(error) == ["There must be one budget line for each year 2027–2028."]


def test_publication_lists_every_problem_at_once(officer, clock):
    call = factories.CallFactory(
        agency=officer.agency,
        draft=True,
        duration_years=3,
        budget=[1_000_000],
        criteria=[50, 60],
        deadline=dt.datetime.fromisoformat("2026-11-26 10:00+05:00"),
    )

    with pytest.raises(InvalidTransition) as error:
        services.publish_call(call=call, acting_user=officer)

    assert messages_of(error) == [
        "The deadline must fall on 01.12.2026 or later: the submission period is at least 5 working days "
        "(in force from 01.01.2025).",
        "The criteria weights sum to 110, not 100.",
        "There must be one budget line for each year 2027–2029.",
    ]


def test_only_a_draft_can_be_published(call, officer):
    with pytest.raises(InvalidTransition):
        services.publish_call(call=call, acting_user=officer)


def test_publication_emails_the_members_of_matching_ngos_after_commit(
    draft, officer, mailoutbox, django_capture_on_commit_callbacks
):
    case_management, almaty = draft.service_type, draft.region
    matching = factories.NgoUserFactory(email="match@example.kz")
    factories.ServiceAreaFactory(provider=matching.memberships.get().provider, region=almaty)
    elsewhere = factories.NgoUserFactory(email="elsewhere@example.kz")
    factories.ServiceAreaFactory(provider=elsewhere.memberships.get().provider, region=factories.region("35"))
    other_service = factories.NgoUserFactory(email="other-service@example.kz")
    factories.ServiceAreaFactory(
        provider=other_service.memberships.get().provider,
        region=almaty,
        service_type=factories.service("early-intervention"),
    )
    suspended = factories.NgoUserFactory(
        email="suspended@example.kz", provider=factories.ProviderFactory(status=Provider.Status.SUSPENDED)
    )
    factories.ServiceAreaFactory(provider=suspended.memberships.get().provider, region=almaty)
    assert case_management.code == "case-management"

    with django_capture_on_commit_callbacks() as callbacks:
        services.publish_call(call=draft, acting_user=officer)

        assert mailoutbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()

    assert [m.to for m in mailoutbox] == [["match@example.kz"]]
    assert draft.number in mailoutbox[0].subject


# -- submission -------------------------------------------------------------------------------------------------


@pytest.fixture
def draft_bid(call, provider, ngo_user):
    return factories.BidFactory(call=call, provider=provider, created_by=ngo_user)


def test_a_bid_is_accepted_one_second_before_the_deadline(draft_bid, ngo_user, clock):
    clock.move_to(draft_bid.call.deadline - SECOND)

    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    draft_bid.refresh_from_db()
    assert draft_bid.status == Bid.Status.SUBMITTED
    assert draft_bid.submitted_at == draft_bid.call.deadline - SECOND
    assert actions(draft_bid) == ["submitted"]


@pytest.mark.parametrize("after", [dt.timedelta(0), SECOND, dt.timedelta(days=1)], ids=["at", "second-after", "day"])
def test_a_bid_is_refused_at_and_after_the_deadline(draft_bid, ngo_user, clock, after):
    clock.move_to(draft_bid.call.deadline + after)

    with pytest.raises(InvalidTransition) as error:
        services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert messages_of(error) == ["The call stopped accepting bids at 10:00 on 8 December."]  # why, in words
    draft_bid.refresh_from_db()
    assert draft_bid.status == Bid.Status.DRAFT
    assert draft_bid.submitted_at is None
    assert actions(draft_bid) == []


def test_a_bid_is_refused_before_submission_opens(officer, provider, ngo_user, clock):
    call = factories.CallFactory(agency=officer.agency, opens_at=dt.datetime.fromisoformat("2026-11-25 09:00+05:00"))
    bid = factories.BidFactory(call=call, provider=provider, created_by=ngo_user)

    with pytest.raises(InvalidTransition):
        services.submit_bid(bid=bid, acting_user=ngo_user)


@pytest.mark.parametrize("status", [Provider.Status.UNVERIFIED, Provider.Status.SUSPENDED])
def test_an_unverified_or_suspended_ngo_cannot_submit(draft_bid, ngo_user, provider, status):
    Provider.objects.filter(pk=provider.pk).update(status=status)

    with pytest.raises(InvalidTransition) as error:
        services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert messages_of(error) == ["Your organisation cannot bid until it is verified and active."]
    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.DRAFT


def test_a_price_above_the_budget_is_refused(draft_bid, ngo_user):
    draft_bid.price = Decimal("10000000.01")
    draft_bid.save()

    with pytest.raises(InvalidTransition) as error:
        services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert messages_of(error) == ["The price exceeds the call's budget."]


def test_a_price_equal_to_the_budget_is_accepted(draft_bid, ngo_user):
    draft_bid.price = Decimal("10000000")
    draft_bid.save()

    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.SUBMITTED


def test_the_budget_is_the_sum_of_the_yearly_lines(officer, provider, ngo_user, clock):
    call = factories.CallFactory(agency=officer.agency, duration_years=3, budget=[10_000_000, 11_000_000, 12_000_000])
    bid = factories.BidFactory(call=call, provider=provider, price=Decimal("33000000"), created_by=ngo_user)

    services.submit_bid(bid=bid, acting_user=ngo_user)  # 10 + 11 + 12 = 33 million: at the budget, not above

    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_an_abnormally_low_price_without_justification_is_refused(draft_bid, ngo_user):
    draft_bid.price = Decimal("6999999.99")  # below 70 % of 10 000 000 = 7 000 000
    draft_bid.save()

    with pytest.raises(InvalidTransition) as error:
        services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert messages_of(error) == ["A price below 70% of the budget must be justified."]


def test_an_abnormally_low_price_with_a_justification_is_accepted(draft_bid, ngo_user):
    draft_bid.price = Decimal("5000000")
    draft_bid.price_justification = "Помещение предоставляет акимат безвозмездно; волонтёры-психологи."
    draft_bid.save()

    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.SUBMITTED


def test_a_price_of_exactly_70_percent_needs_no_justification(draft_bid, ngo_user):
    draft_bid.price = Decimal("7000000")
    draft_bid.save()

    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.SUBMITTED


def test_a_bid_is_withdrawn_and_submitted_again_before_the_deadline(draft_bid, ngo_user, clock):
    services.submit_bid(bid=draft_bid, acting_user=ngo_user)
    clock.move_to("2026-11-30 12:00+05:00")
    services.withdraw_bid(bid=draft_bid, acting_user=ngo_user)
    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.WITHDRAWN
    clock.move_to("2026-12-01 15:30+05:00")

    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    draft_bid.refresh_from_db()
    assert draft_bid.status == Bid.Status.SUBMITTED
    assert draft_bid.submitted_at == dt.datetime.fromisoformat("2026-12-01 15:30+05:00")  # the final submission
    assert actions(draft_bid) == ["submitted", "withdrawn", "submitted"]


def test_a_bid_cannot_be_withdrawn_at_the_deadline(draft_bid, ngo_user, clock):
    services.submit_bid(bid=draft_bid, acting_user=ngo_user)
    clock.move_to(draft_bid.call.deadline)

    with pytest.raises(InvalidTransition):
        services.withdraw_bid(bid=draft_bid, acting_user=ngo_user)

    assert Bid.objects.get(pk=draft_bid.pk).status == Bid.Status.SUBMITTED


def test_a_submitted_bid_cannot_be_submitted_twice(draft_bid, ngo_user):
    services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    with pytest.raises(InvalidTransition):
        services.submit_bid(bid=draft_bid, acting_user=ngo_user)

    assert actions(draft_bid) == ["submitted"]


def test_one_live_bid_per_provider_per_call_is_a_database_constraint(draft_bid, provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.create(
            call=draft_bid.call, provider=provider, price=1_000_000, proposal="вторая", created_by=draft_bid.created_by
        )

    assert Bid.objects.filter(call=draft_bid.call, provider=provider).count() == 1


def test_a_withdrawn_bid_does_not_count_as_live(draft_bid, provider, ngo_user):
    services.submit_bid(bid=draft_bid, acting_user=ngo_user)
    services.withdraw_bid(bid=draft_bid, acting_user=ngo_user)

    Bid.objects.create(call=draft_bid.call, provider=provider, price=1_000_000, proposal="новая", created_by=ngo_user)

    assert Bid.objects.filter(call=draft_bid.call, provider=provider).live().count() == 1


def test_the_same_provider_may_bid_on_another_call(draft_bid, provider, officer):
    other_call = factories.CallFactory(agency=officer.agency)

    factories.BidFactory(call=other_call, provider=provider)

    assert provider.bids.count() == 2


# -- opening and admission --------------------------------------------------------------------------------------


def test_bids_cannot_be_opened_before_the_deadline(call, officer, clock):
    clock.move_to(call.deadline - SECOND)

    with pytest.raises(InvalidTransition) as error:
        services.open_bids(call=call, acting_user=officer)

    assert messages_of(error) == ["Bids can be opened only after the deadline of a published call."]
    assert Call.objects.get(pk=call.pk).status == Call.Status.PUBLISHED


def test_bids_are_opened_at_the_deadline(call, officer, clock):
    open_call(call, clock, officer)

    call.refresh_from_db()
    assert call.status == Call.Status.EVALUATION
    assert call.opened_at == call.deadline
    assert actions(call) == ["bids opened"]


def test_no_bid_is_accepted_after_opening_even_with_a_time_before_the_deadline(call, officer, clock):
    bid = factories.BidFactory(call=call)
    open_call(call, clock, officer)

    with pytest.raises(InvalidTransition):
        services.submit_bid(bid=bid, acting_user=bid.created_by, now=call.deadline - SECOND)


def test_admission_and_rejection_with_a_reason(call, officer, clock):
    good, weak = submitted_bid(call), submitted_bid(call)
    open_call(call, clock, officer)

    services.decide_admission(bid=good, acting_user=officer, admit=True)
    services.decide_admission(bid=weak, acting_user=officer, admit=False, reason="Нет справок о несудимости")

    refresh(good, weak)
    assert good.status == Bid.Status.ADMITTED
    assert weak.status == Bid.Status.REJECTED
    assert weak.decision_reason == "Нет справок о несудимости"
    assert actions(good) == ["submitted", "admitted"]
    assert actions(weak) == ["submitted", "rejected"]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(call, officer, clock, reason):
    bid = submitted_bid(call)
    open_call(call, clock, officer)

    with pytest.raises(InvalidTransition) as error:
        services.decide_admission(bid=bid, acting_user=officer, admit=False, reason=reason)

    assert messages_of(error) == ["Give a reason for the rejection."]
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_admission_waits_for_the_opening(call, officer):
    bid = submitted_bid(call)

    with pytest.raises(InvalidTransition):
        services.decide_admission(bid=bid, acting_user=officer, admit=True)


def test_a_draft_left_at_the_deadline_cannot_be_admitted(call, officer, clock):
    bid = factories.BidFactory(call=call)
    open_call(call, clock, officer)

    with pytest.raises(InvalidTransition):
        services.decide_admission(bid=bid, acting_user=officer, admit=True)


# -- commission, declarations and scores ------------------------------------------------------------------------


def test_only_officers_and_experts_sit_on_a_commission(call, officer, ngo_user, committee):
    for user in (ngo_user, committee):
        with pytest.raises(InvalidTransition):
            services.appoint_member(call=call, user=user, is_chair=False, acting_user=officer)

    assert not call.commission.exists()


def test_a_commission_has_one_chair(call, officer, experts):
    appoint(call, experts[:2], officer)  # the first is chair

    services.appoint_member(call=call, user=experts[2], is_chair=True, acting_user=officer)

    assert list(call.commission.filter(is_chair=True).values_list("user", flat=True)) == [experts[2].pk]
    assert actions(call).count("commission member appointed") == 3


def test_a_member_cannot_be_appointed_twice(call, officer, experts):
    appoint(call, experts[:1], officer)

    with pytest.raises(InvalidTransition):
        services.appoint_member(call=call, user=experts[0], is_chair=False, acting_user=officer)


def test_declarations_wait_for_the_opening(call, officer, experts):
    bid = submitted_bid(call)
    (member,) = appoint(call, experts[:1], officer)

    with pytest.raises(InvalidTransition):
        services.declare(member=member, bid=bid, has_conflict=False)


def test_a_member_declares_once_per_bid(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    services.declare(member=member, bid=bid, has_conflict=False)

    with pytest.raises(InvalidTransition):
        services.declare(member=member, bid=bid, has_conflict=True)

    assert actions(call).count("no conflict declared") == 1


def test_scoring_needs_a_declaration_first(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    values = {c.pk: (7, "") for c in call.criteria.all()}

    with pytest.raises(InvalidTransition) as error:
        services.save_scores(member=member, bid=bid, values=values, submit=True)

    assert messages_of(error) == ["Declare your conflict of interest before scoring."]
    assert not ScoreSheet.objects.exists()


def test_a_recused_member_cannot_score(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    services.declare(member=member, bid=bid, has_conflict=True, note="Работала в этом фонде до 2025 года")
    values = {c.pk: (7, "") for c in call.criteria.all()}

    with pytest.raises(InvalidTransition) as error:
        services.save_scores(member=member, bid=bid, values=values, submit=True)

    assert messages_of(error) == ["You are recused from this bid."]
    assert not ScoreSheet.objects.exists()


@pytest.mark.parametrize("value", [11, -1])
def test_scores_outside_0_to_10_are_refused(officer, clock, experts, value):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)

    with pytest.raises(InvalidTransition) as error:
        score(member, bid, [value, 5, 5, 5, 5])

    assert messages_of(error) == ["Scores are whole numbers from 0 to 10."]
    assert not Score.objects.exists()


def test_the_bounds_0_and_10_are_accepted(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)

    sheet = score(member, bid, [0, 10, 0, 10, 0])

    assert sorted(sheet.scores.values_list("value", flat=True)) == [0, 0, 0, 10, 10]
    assert sheet.submitted_at is not None


@pytest.mark.parametrize("value", [11, -1])
def test_the_database_refuses_scores_outside_0_to_10(officer, clock, experts, value):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)
    sheet = ScoreSheet.objects.create(member=member, bid=bid)

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(sheet=sheet, criterion=call.criteria.first(), value=value)


def test_submitting_a_sheet_needs_every_criterion(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)

    with pytest.raises(InvalidTransition) as error:
        score(member, bid, [8, 7, 6, 9, None])

    assert messages_of(error) == ["Score every criterion before submitting."]
    assert not ScoreSheet.objects.exists()  # the whole save is undone


def test_an_incomplete_sheet_can_be_saved_without_submitting(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1)

    sheet = score(member, bid, [8, 7, 6, 9, None], submit=False)

    assert sheet.submitted_at is None
    assert sheet.scores.count() == 4


def test_only_admitted_bids_are_scored(call, officer, clock, experts):
    bid = submitted_bid(call)
    open_call(call, clock, officer)
    services.decide_admission(bid=bid, acting_user=officer, admit=False, reason="Нет лицензии")
    (member,) = appoint(call, experts[:1], officer)

    with pytest.raises(InvalidTransition) as error:
        score(member, Bid.objects.get(pk=bid.pk), S80)

    assert messages_of(error) == ["Only admitted bids are scored."]


def test_scores_cannot_change_after_scoring_closes(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    member = members[0]
    for seat in members:
        score(seat, bid, S80)
    services.close_scoring(call=call, acting_user=officer)

    with pytest.raises(InvalidTransition):
        score(member, bid, S30)

    assert actions(call)[-1] == "scoring closed"


# -- award and failure ------------------------------------------------------------------------------------------


def test_the_award_waits_for_a_quorum_on_every_admitted_bid(officer, clock, experts):
    call, (first, second), members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, first, S80)
    for member in members[:2]:
        score(member, second, S71)  # 2 of 3 sheets

    with pytest.raises(InvalidTransition) as error:
        services.award_call(call=call, acting_user=officer)

    assert messages_of(error) == ["Every admitted bid needs a quorum of complete score sheets first."]
    assert Call.objects.get(pk=call.pk).status == Call.Status.EVALUATION
    with pytest.raises(InvalidTransition):
        services.fail_call(call=call, acting_user=officer)


def test_the_award_waits_for_every_opened_bid_to_be_admitted_or_rejected(call, officer, clock, experts):
    admitted, undecided = submitted_bid(call), submitted_bid(call)
    open_call(call, clock, officer)
    services.decide_admission(bid=admitted, acting_user=officer, admit=True)
    members = appoint(call, experts, officer)
    for member in members:
        score(member, Bid.objects.get(pk=admitted.pk), S80)

    with pytest.raises(InvalidTransition) as error:
        services.award_call(call=call, acting_user=officer)

    assert messages_of(error) == ["Admit or reject every bid first."]
    assert Bid.objects.get(pk=undecided.pk).status == Bid.Status.SUBMITTED


def test_the_best_bid_wins_the_others_are_not_selected_and_a_standstill_opens(officer, clock, experts):
    call, (first, second, third), members = evaluating_call(officer, clock, experts, bids=3)
    services.decide_admission(bid=third, acting_user=officer, admit=False, reason="Нет опыта")
    for member in members:
        score(member, first, S71)  # 71.0
        score(member, second, S80)  # 80.0
    clock.move_to("2026-12-10 16:00+05:00")

    winner = services.award_call(call=call, acting_user=officer)

    refresh(call, first, second, third)
    assert winner.pk == second.pk
    assert (first.status, second.status, third.status) == (
        Bid.Status.NOT_SELECTED,
        Bid.Status.WINNER,
        Bid.Status.REJECTED,
    )
    assert call.status == Call.Status.AWARDED
    assert call.decided_at == dt.datetime.fromisoformat("2026-12-10 16:00+05:00")
    # 5 working days from Thursday 10.12.2026: Fri 11, Mon 14, Tue 15, (Wed 16 Independence Day), Thu 17, Fri 18.
    assert call.standstill_until == dt.datetime.fromisoformat("2026-12-18 16:00+05:00")
    assert call.in_standstill(call.standstill_until - SECOND)
    assert not call.in_standstill(call.standstill_until)
    assert actions(call)[-1] == "awarded"
    assert actions(second)[-1] == "winner"
    assert actions(first)[-1] == "not selected"


def test_a_single_admitted_bid_can_be_awarded(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    for member in members:
        score(member, bid, S71)

    services.award_call(call=call, acting_user=officer)

    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.WINNER
    assert call.bids.submitted_at_deadline().count() == 1  # flagged "single bid"


def test_the_quorum_is_configurable_per_call(officer, clock, experts):
    call, (bid,), (member, *_rest) = evaluating_call(officer, clock, experts, bids=1, quorum=1)
    score(member, bid, S71)

    services.award_call(call=call, acting_user=officer)

    assert Call.objects.get(pk=call.pk).status == Call.Status.AWARDED


def test_a_call_whose_best_bid_is_below_the_minimum_fails(officer, clock, experts):
    call, (first, second), members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, first, S45)  # 44.5 < 50
        score(member, second, S30)  # 30.0

    with pytest.raises(InvalidTransition) as error:
        services.award_call(call=call, acting_user=officer)
    assert messages_of(error) == ["No admitted bid reaches the minimum score: declare the call failed."]

    services.fail_call(call=call, acting_user=officer, reason="Ни одна заявка не набрала 50 баллов")

    refresh(call, first)
    assert call.status == Call.Status.FAILED
    assert call.status_reason == "Ни одна заявка не набрала 50 баллов"
    assert first.status == Bid.Status.ADMITTED  # a failed call has no winner
    assert actions(call)[-1] == "failed"


def test_the_minimum_winning_score_is_inclusive(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1, min_winning_score=Decimal("44.5"))
    for member in members:
        score(member, bid, S45)  # exactly 44.5

    services.award_call(call=call, acting_user=officer)

    assert Call.objects.get(pk=call.pk).status == Call.Status.AWARDED


def test_a_call_without_an_admitted_bid_fails_and_cannot_be_awarded(call, officer, clock):
    bid = submitted_bid(call)
    open_call(call, clock, officer)
    services.decide_admission(bid=bid, acting_user=officer, admit=False, reason="Документы не подписаны")

    with pytest.raises(InvalidTransition):
        services.award_call(call=call, acting_user=officer)
    services.fail_call(call=call, acting_user=officer)

    assert Call.objects.get(pk=call.pk).status == Call.Status.FAILED


def test_a_call_with_no_bid_at_all_fails(call, officer, clock):
    open_call(call, clock, officer)

    services.fail_call(call=call, acting_user=officer)

    assert Call.objects.get(pk=call.pk).status == Call.Status.FAILED


def test_a_call_whose_best_bid_reaches_the_minimum_cannot_be_declared_failed(officer, clock, experts):
    call, (bid,), members = evaluating_call(officer, clock, experts, bids=1)
    for member in members:
        score(member, bid, S71)

    with pytest.raises(InvalidTransition) as error:
        services.fail_call(call=call, acting_user=officer)

    assert messages_of(error) == ["A bid reaches the minimum score: the call must be awarded."]


def test_when_the_winner_declines_the_next_ranked_bid_wins(officer, clock, experts):
    call, (first, second, third), members = evaluating_call(officer, clock, experts, bids=3)
    for member in members:
        score(member, first, S80)  # 80.0: winner
        score(member, second, S71)  # 71.0: next
        score(member, third, S45)  # 44.5: below the minimum
    services.award_call(call=call, acting_user=officer)
    clock.move_to("2026-12-12 11:00+05:00")

    next_bid = services.decline_award(bid=Bid.objects.get(pk=first.pk), acting_user=first.created_by)

    refresh(call, first, second, third)
    assert next_bid.pk == second.pk
    assert (first.status, second.status, third.status) == (
        Bid.Status.DECLINED,
        Bid.Status.WINNER,
        Bid.Status.NOT_SELECTED,
    )
    assert call.status == Call.Status.AWARDED
    # A new standstill: from Saturday 12.12.2026, Mon 14, Tue 15, Thu 17, Fri 18, Mon 21 (16 December is a holiday).
    assert call.standstill_until == dt.datetime.fromisoformat("2026-12-21 11:00+05:00")
    assert actions(first)[-1] == "declined"
    assert actions(second)[-1] == "winner (next ranked)"
    assert actions(call)[-1] == "awarded to the next-ranked bid"


def test_when_the_winner_declines_and_no_other_bid_reaches_the_minimum_the_call_fails(officer, clock, experts):
    call, (first, second), members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, first, S80)
        score(member, second, S45)  # below 50: cannot win
    services.award_call(call=call, acting_user=officer)

    assert services.decline_award(bid=Bid.objects.get(pk=first.pk), acting_user=officer) is None

    refresh(call, second)
    assert call.status == Call.Status.FAILED
    assert second.status == Bid.Status.NOT_SELECTED
    assert actions(call)[-2:] == ["back to evaluation", "failed"]


def test_only_the_winner_can_decline(officer, clock, experts):
    call, (first, second), members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, first, S80)
        score(member, second, S71)
    services.award_call(call=call, acting_user=officer)

    with pytest.raises(InvalidTransition):
        services.decline_award(bid=Bid.objects.get(pk=second.pk), acting_user=officer)


# -- complaints -------------------------------------------------------------------------------------------------


def test_a_complaint_about_the_terms_is_accepted_until_the_deadline(call, provider, ngo_user, clock):
    clock.move_to(call.deadline - SECOND)

    complaint = services.file_complaint(
        call=call, provider=provider, acting_user=ngo_user, kind=Complaint.Kind.TERMS, text="Срок слишком короткий"
    )

    assert complaint.status == Complaint.Status.SUBMITTED
    assert actions(call) == ["complaint filed"]


def test_a_complaint_about_the_terms_is_refused_at_the_deadline(call, provider, ngo_user, clock):
    clock.move_to(call.deadline)

    with pytest.raises(InvalidTransition) as error:
        services.file_complaint(call=call, provider=provider, acting_user=ngo_user, kind="terms", text="Поздно")

    assert messages_of(error) == ["A complaint about the terms can be filed only before the deadline."]
    assert not Complaint.objects.exists()


@pytest.fixture
def awarded(officer, clock, experts):
    """An awarded call: the first of two bids won (80.0 against 71.0) on 2026-12-08 10:00; standstill 5 days."""
    call, bids, members = evaluating_call(officer, clock, experts, bids=2)
    for member in members:
        score(member, bids[0], S80)
        score(member, bids[1], S71)
    services.award_call(call=call, acting_user=officer)
    call.refresh_from_db()
    return call, [Bid.objects.get(pk=b.pk) for b in bids]


def test_a_complaint_about_the_result_is_accepted_from_a_bidder_during_the_standstill(awarded, clock):
    call, (_winner, loser) = awarded
    clock.move_to(call.standstill_until - SECOND)

    services.file_complaint(
        call=call, provider=loser.provider, acting_user=loser.created_by, kind="result", text="Оценка занижена"
    )

    assert call.complaints.count() == 1


def test_a_complaint_about_the_result_is_refused_after_the_standstill(awarded, clock):
    call, (_winner, loser) = awarded
    clock.move_to(call.standstill_until)

    with pytest.raises(InvalidTransition) as error:
        services.file_complaint(
            call=call, provider=loser.provider, acting_user=loser.created_by, kind="result", text="…"
        )

    assert messages_of(error) == ["A complaint about the result can be filed only during the standstill."]


def test_a_complaint_about_the_result_is_refused_before_the_award(officer, clock, experts):
    call, (bid,), _members = evaluating_call(officer, clock, experts, bids=1)

    with pytest.raises(InvalidTransition):
        services.file_complaint(call=call, provider=bid.provider, acting_user=bid.created_by, kind="result", text="…")


def test_only_bidders_can_complain_about_the_result(awarded, provider, ngo_user):
    call, _bids = awarded

    with pytest.raises(InvalidTransition) as error:
        services.file_complaint(
            call=call, provider=provider, acting_user=ngo_user, kind="result", text="Несправедливо"
        )

    assert messages_of(error) == ["Only bidders can complain about the result."]


def test_an_ngo_that_only_drafted_a_bid_cannot_complain_about_the_result(officer, clock, experts, provider, ngo_user):
    call = factories.CallFactory(agency=officer.agency)
    winner = submitted_bid(call)
    factories.BidFactory(call=call, provider=provider, created_by=ngo_user)  # never submitted
    open_call(call, clock, officer)
    admit_all(call, officer)
    for member in appoint(call, experts, officer):
        score(member, Bid.objects.get(pk=winner.pk), S80)
    services.award_call(call=call, acting_user=officer)

    with pytest.raises(InvalidTransition):
        services.file_complaint(call=call, provider=provider, acting_user=ngo_user, kind="result", text="…")


def test_an_upheld_complaint_about_the_result_sends_the_call_back_to_evaluation(awarded, officer, clock):
    call, (winner, loser) = awarded
    complaint = services.file_complaint(
        call=call, provider=loser.provider, acting_user=loser.created_by, kind="result", text="Ошибка в подсчёте"
    )

    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Пересчитать баллы")

    refresh(call, winner, loser, complaint)
    assert complaint.status == Complaint.Status.UPHELD
    assert call.status == Call.Status.EVALUATION
    assert call.standstill_until is None
    assert call.decided_at is None
    assert (winner.status, loser.status) == (Bid.Status.ADMITTED, Bid.Status.ADMITTED)
    assert actions(call)[-3:] == ["complaint filed", "complaint upheld", "back to evaluation"]


def test_a_rejected_complaint_about_the_result_leaves_the_award(awarded, officer):
    call, (winner, loser) = awarded
    complaint = services.file_complaint(
        call=call, provider=loser.provider, acting_user=loser.created_by, kind="result", text="Ошибка в подсчёте"
    )

    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="Подсчёт верен")

    refresh(call, winner)
    assert call.status == Call.Status.AWARDED
    assert winner.status == Bid.Status.WINNER


def test_a_complaint_is_decided_once_and_with_a_text(call, provider, ngo_user, officer):
    complaint = services.file_complaint(call=call, provider=provider, acting_user=ngo_user, kind="terms", text="…")

    with pytest.raises(InvalidTransition):
        services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="  ")
    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="Сроки разумны")
    with pytest.raises(InvalidTransition):
        services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Передумали")

    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.REJECTED


def test_an_upheld_complaint_about_the_terms_blocks_the_opening_until_the_deadline_is_extended(
    call, provider, ngo_user, officer, clock
):
    complaint = services.file_complaint(
        call=call, provider=provider, acting_user=ngo_user, kind="terms", text="Требование к опыту 10 лет завышено"
    )
    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Снизить до 2 лет")
    call.refresh_from_db()
    assert call.amendment_required
    clock.move_to(call.deadline)

    with pytest.raises(InvalidTransition) as error:
        services.open_bids(call=call, acting_user=officer)
    assert messages_of(error) == ["An upheld complaint requires amending the call and extending the deadline first."]

    new_deadline = dt.datetime.fromisoformat("2026-12-20 18:00+05:00")
    services.extend_deadline(call=call, acting_user=officer, new_deadline=new_deadline)
    call.refresh_from_db()
    assert not call.amendment_required
    assert call.deadline == new_deadline
    assert call.is_accepting_bids()  # bids are accepted again until the new deadline
    clock.move_to(new_deadline)
    services.open_bids(call=call, acting_user=officer)
    assert Call.objects.get(pk=call.pk).status == Call.Status.EVALUATION


def test_after_a_change_of_terms_the_new_deadline_is_at_least_two_working_days_ahead(
    call, provider, ngo_user, officer, clock
):
    complaint = services.file_complaint(call=call, provider=provider, acting_user=ngo_user, kind="terms", text="…")
    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=True, decision="Исправить")
    clock.move_to("2026-12-07 10:00+05:00")

    with pytest.raises(InvalidTransition) as error:
        services.extend_deadline(
            call=call, acting_user=officer, new_deadline=dt.datetime.fromisoformat("2026-12-08 23:59+05:00")
        )

    # From Monday 7 December: Tue 8 (1), Wed 9 (2).
    assert messages_of(error) == [
        "After a change of terms the deadline must be at least 2 working days ahead (on 09.12.2026 or later)."
    ]
    services.extend_deadline(
        call=call, acting_user=officer, new_deadline=dt.datetime.fromisoformat("2026-12-09 09:00+05:00")
    )


# -- deadline changes, cancellation, re-announcement ------------------------------------------------------------


def test_extending_the_deadline_notifies_bidders(
    call, officer, ngo_user, provider, mailoutbox, django_capture_on_commit_callbacks
):
    submitted = submitted_bid(call)
    factories.BidFactory(call=call, provider=provider, created_by=ngo_user)  # a draft holder is a bidder too
    bystander = factories.NgoUserFactory(email="bystander@example.kz")
    factories.ServiceAreaFactory(provider=bystander.memberships.get().provider)
    new_deadline = call.deadline + dt.timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):
        services.extend_deadline(call=call, acting_user=officer, new_deadline=new_deadline)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([submitted.created_by.email, ngo_user.email])
    assert Call.objects.get(pk=call.pk).deadline == new_deadline
    assert actions(call) == ["deadline extended"]


def test_the_deadline_only_moves_later_and_only_before_it_passes(call, officer, clock):
    with pytest.raises(InvalidTransition):
        services.extend_deadline(call=call, acting_user=officer, new_deadline=call.deadline - dt.timedelta(days=1))
    clock.move_to(call.deadline)
    with pytest.raises(InvalidTransition):
        services.extend_deadline(call=call, acting_user=officer, new_deadline=call.deadline + dt.timedelta(days=7))


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_cancellation_needs_a_reason(call, officer, reason):
    with pytest.raises(InvalidTransition):
        services.cancel_call(call=call, acting_user=officer, reason=reason)

    assert Call.objects.get(pk=call.pk).status == Call.Status.PUBLISHED


def test_a_published_call_is_cancelled_with_its_reason_and_bidders_are_told(
    call, officer, mailoutbox, django_capture_on_commit_callbacks
):
    bid = submitted_bid(call)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_call(call=call, acting_user=officer, reason="Бюджет перераспределён")

    call.refresh_from_db()
    assert call.status == Call.Status.CANCELLED
    assert call.status_reason == "Бюджет перераспределён"
    assert call.cancelled_at is not None
    assert [m.to for m in mailoutbox] == [[bid.created_by.email]]
    assert actions(call) == ["cancelled"]


def test_an_awarded_call_cannot_be_cancelled(awarded, officer):
    call, _bids = awarded

    with pytest.raises(InvalidTransition):
        services.cancel_call(call=call, acting_user=officer, reason="Передумали")


def test_a_failed_call_is_reannounced_as_a_new_draft_with_the_same_terms(officer, clock):
    call = factories.CallFactory(
        agency=officer.agency,
        duration_years=2,
        budget=[12_000_000, 13_000_000],
        criteria=[40, 30, 30],
        status=Call.Status.FAILED,
        min_experience_years=2,
    )
    factories.CallTargetFactory(call=call, year=2027, value=Decimal("70"))
    factories.CallTargetFactory(call=call, year=2028, value=Decimal("75"))

    new = services.reannounce(call=call, acting_user=officer)

    assert new.pk != call.pk
    assert new.status == Call.Status.DRAFT
    assert new.number == f"{call.number}-R1"
    assert new.reannounced_from == call
    assert new.published_at is None
    assert new.min_experience_years == 2
    assert list(new.budget_lines.values_list("year", "amount", "funding_source")) == list(
        call.budget_lines.values_list("year", "amount", "funding_source")
    )
    assert list(new.criteria.values_list("name_ru", "weight", "position")) == list(
        call.criteria.values_list("name_ru", "weight", "position")
    )
    assert list(new.targets.values_list("year", "indicator", "value")) == list(
        call.targets.values_list("year", "indicator", "value")
    )
    assert call.budget_lines.count() == 2  # the original keeps its rows
    assert Criterion.objects.filter(call=call).count() == 3
    assert actions(call) == ["re-announced"]
    assert actions(new) == ["created as re-announcement"]
    assert services.reannounce(call=call, acting_user=officer).number == f"{call.number}-R2"


def test_only_failed_or_cancelled_calls_are_reannounced(call, officer):
    with pytest.raises(InvalidTransition):
        services.reannounce(call=call, acting_user=officer)


# -- reminders --------------------------------------------------------------------------------------------------


def test_deadline_reminders_are_sent_once(
    officer, provider, ngo_user, clock, mailoutbox, django_capture_on_commit_callbacks
):
    closing = factories.CallFactory(
        agency=officer.agency, deadline=dt.datetime.fromisoformat("2026-11-25 18:00+05:00")
    )
    factories.BidFactory(call=closing, provider=provider, created_by=ngo_user)  # a draft, 32 hours left
    submitted_bid(closing, minutes_before=60 * 30)  # already submitted: not reminded
    factories.CallFactory(
        agency=officer.agency,
        opens_at=dt.datetime.fromisoformat("2026-11-01 10:00+05:00"),
        deadline=dt.datetime.fromisoformat("2026-11-23 18:00+05:00"),
    )  # past its deadline, not opened
    factories.CallFactory(agency=officer.agency)  # closes in 14 days: no reminder yet

    with django_capture_on_commit_callbacks(execute=True):
        first = services.deadline_reminders()
    sent = [m.to for m in mailoutbox]
    with django_capture_on_commit_callbacks(execute=True):
        second = services.deadline_reminders()

    assert first == {"draft_holders": 1, "unopened": 1}
    assert sorted(sent) == sorted([[ngo_user.email], [officer.email]])
    assert second == {"draft_holders": 0, "unopened": 0}
    assert len(mailoutbox) == 2


# -- the audit trail --------------------------------------------------------------------------------------------


def test_every_transition_of_a_full_cycle_writes_an_audit_event(officer, clock, experts, draft):
    services.publish_call(call=draft, acting_user=officer)
    bid = submitted_bid(draft)
    services.withdraw_bid(bid=bid, acting_user=bid.created_by, now=draft.deadline - dt.timedelta(minutes=30))
    services.submit_bid(bid=bid, acting_user=bid.created_by, now=draft.deadline - dt.timedelta(minutes=20))
    open_call(draft, clock, officer)
    admit_all(draft, officer)
    members = appoint(draft, experts, officer)
    for member in members:
        score(member, Bid.objects.get(pk=bid.pk), S71)
    services.close_scoring(call=draft, acting_user=officer)
    services.award_call(call=draft, acting_user=officer)
    services.decline_award(bid=Bid.objects.get(pk=bid.pk), acting_user=bid.created_by)

    assert actions(draft) == [
        "published",
        "bids opened",
        *["commission member appointed"] * 3,
        *["no conflict declared", "scores submitted"] * 3,
        "scoring closed",
        "awarded",
        "back to evaluation",
        "failed",
    ]
    assert actions(bid) == ["submitted", "withdrawn", "submitted", "admitted", "winner", "declined"]
    assert set(AuditEvent.objects.filter(action="awarded").values_list("actor", flat=True)) == {officer.pk}
    assert CommissionMember.objects.filter(call=draft).count() == 3
