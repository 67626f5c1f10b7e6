"""Workflows of the competition cycle. Each runs in a transaction, checks the allowed transitions, writes the audit
log and sends its emails after commit. Deadline-sensitive steps lock the call row, so a bid arriving at the deadline
and the opening of bids cannot race."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action
from core.exceptions import InvalidTransition
from core.mail import notify
from core.models import Indicator, Role
from core.util import local_date
from tenders import rules, scoring
from tenders.forms import STALE_CALL_MESSAGE
from tenders.models import (
    DEFAULT_CRITERIA,
    Bid,
    BidDocument,
    Call,
    CommissionMember,
    Complaint,
    ConflictDeclaration,
    Criterion,
    Question,
    Score,
    ScoreSheet,
)

MIN_COMMISSION = 3


def _lock(call: Call) -> Call:
    """Return the call re-read with its row locked for the rest of the transaction."""
    return Call.objects.select_for_update().get(pk=call.pk)


def add_default_criteria(call: Call) -> None:
    """Give a new call the default evaluation criteria (editable until publication)."""
    Criterion.objects.bulk_create(
        Criterion(call=call, name_ru=ru, name_kk=kk, name_en=en, weight=weight, position=i)
        for i, (ru, kk, en, weight) in enumerate(DEFAULT_CRITERIA)
    )


def publication_errors(call: Call, now: dt.datetime) -> list[str]:
    """Return what stops a draft from being published, in words (empty when it may be published)."""
    errors = []
    earliest = rules.earliest_deadline(now, call.opens_at)
    if local_date(call.deadline) < earliest:
        errors.append(
            _("The deadline must fall on %(day)s or later: the submission period is %(rule)s.")
            % {"day": f"{earliest:%d.%m.%Y}", "rule": rules.submission_minimum(local_date(now)).describe()}
        )
    if call.opens_at >= call.deadline:
        errors.append(_("Submission must open before the deadline."))
    weights = sum(c.weight for c in call.criteria.all())
    if weights != 100:
        errors.append(_("The criteria weights sum to %(sum)d, not 100.") % {"sum": weights})
    years = sorted(line.year for line in call.budget_lines.all())
    if years != list(call.years):
        errors.append(
            _("There must be one budget line for each year %(first)d–%(last)d.")
            % {"first": call.start_year, "last": call.end_year}
        )
    if (
        call.outcome_share
        and not Indicator.objects.for_service(call.service_type).filter(kind=Indicator.Kind.OUTCOME).exists()
    ):
        errors.append(_("An outcome-payment share needs a service type with an outcome indicator."))
    return errors


def matching_ngo_users(call: Call):
    """Return members of active NGOs whose service areas match the call's region and service."""
    return (
        get_user_model()
        .objects.filter(
            role=Role.NGO,
            is_active=True,
            memberships__provider__status="active",
            memberships__provider__service_areas__region=call.region,
            memberships__provider__service_areas__service_type=call.service_type,
        )
        .distinct()
    )


def bidder_users(call: Call, *, statuses=None):
    """Return members of the NGOs holding bids on the call (optionally only bids in some statuses)."""
    bids = Bid.objects.filter(call=call)
    if statuses:
        bids = bids.filter(status__in=statuses)
    return (
        get_user_model().objects.filter(memberships__provider__in=bids.values("provider"), is_active=True).distinct()
    )


@transaction.atomic
def save_call(*, form, formsets, acting_user, now: dt.datetime | None = None) -> Call:
    """Save a new or edited call (a valid CallForm) with its valid budget-line, criteria and target formsets. The
    terms of a published call change only while the set number of working days is left (otherwise the
    deadline is extended first), and its bidders are told of the change."""
    now = now or timezone.now()
    call = form.instance
    creating = call.pk is None
    published = not creating and call.status == Call.Status.PUBLISHED
    if published and not rules.terms_may_change(call.deadline, now):
        raise InvalidTransition(
            _("Fewer than %(days)s are left: extend the deadline before changing the terms.")
            % {"days": rules.days_text(rules.amendment_min_working_days(), working=True)}
        )
    if not creating:
        _lock(call)  # two saves of the same call wait for each other
    changes = audit.model_changes(form)
    try:
        with transaction.atomic():
            call = form.save()
            for formset in formsets:
                formset.instance = call
                formset.save()
    except IntegrityError as error:  # a stale page: a row it adds exists since it was loaded
        raise InvalidTransition(STALE_CALL_MESSAGE) from error
    edited = Action.TERMS_AMENDED if published else Action.EDITED
    audit.record(actor=acting_user, action=Action.CREATED if creating else edited, target=call, changes=changes)
    if published:
        notify(recipients=bidder_users(call), template="tenders/email/amended.txt", context={"call": call})
    return call


@transaction.atomic
def publish_call(*, call: Call, acting_user, now: dt.datetime | None = None) -> Call:
    """Publish a draft: checks the deadline, weights and budget lines; tells matching NGOs."""
    now = now or timezone.now()
    call = _lock(call)
    if call.status != Call.Status.DRAFT:
        raise InvalidTransition(_("Only a draft can be published."))
    errors = publication_errors(call, now)
    if errors:
        raise InvalidTransition(errors)
    call.publish(by=acting_user, now=now)
    notify(recipients=matching_ngo_users(call), template="tenders/email/published.txt", context={"call": call})
    return call


@transaction.atomic
def cancel_call(*, call: Call, acting_user, reason: str, now: dt.datetime | None = None) -> Call:
    """Cancel a draft, published or evaluating call with a reason; bidders are told."""
    if not reason.strip():
        raise InvalidTransition(_("Give a reason for the cancellation."))
    call = _lock(call)
    was_published = call.status != Call.Status.DRAFT
    call.cancel(by=acting_user, reason=reason, now=now or timezone.now())
    if was_published:
        notify(recipients=bidder_users(call), template="tenders/email/cancelled.txt", context={"call": call})
    return call


@transaction.atomic
def extend_deadline(*, call: Call, acting_user, new_deadline: dt.datetime, now: dt.datetime | None = None) -> Call:
    """Move the deadline of a published call later; bidders and NGOs with drafts are told. A call whose terms must
    be amended after an upheld complaint can be extended after its deadline too (its bids are not opened yet)."""
    now = now or timezone.now()
    call = _lock(call)
    if call.status != Call.Status.PUBLISHED or (call.deadline_passed(now) and not call.amendment_required):
        raise InvalidTransition(_("Only a published call before its deadline can be extended."))
    if new_deadline <= call.deadline:
        raise InvalidTransition(_("The new deadline must be later than the current one."))
    if call.amendment_required and local_date(new_deadline) < rules.earliest_deadline_after_change(now):
        raise InvalidTransition(
            _("After a change of terms the deadline must be at least %(days)s ahead (on %(day)s or later).")
            % {
                "days": rules.days_text(rules.amendment_min_working_days(), working=True),
                "day": f"{rules.earliest_deadline_after_change(now):%d.%m.%Y}",
            }
        )
    old = call.deadline
    call.extend_deadline(by=acting_user, new_deadline=new_deadline)
    notify(recipients=bidder_users(call), template="tenders/email/extended.txt", context={"call": call, "old": old})
    return call


@transaction.atomic
def reannounce(*, call: Call, acting_user, now: dt.datetime | None = None) -> Call:
    """Copy a failed or cancelled call into a new draft with the same terms."""
    now = now or timezone.now()
    if call.status not in (Call.Status.FAILED, Call.Status.CANCELLED):
        raise InvalidTransition(_("Only a failed or cancelled call can be re-announced."))
    count = call.reannouncements.count() + 1
    number = f"{call.number}-R{count}"
    while Call.objects.filter(number=number).exists():
        count += 1
        number = f"{call.number}-R{count}"
    new = call.draft_copy(number=number, by=acting_user, opens_at=now, deadline=now + dt.timedelta(days=21))
    audit.record(actor=acting_user, action=Action.REANNOUNCED, target=call, note=new.number)
    audit.record(actor=acting_user, action=Action.CREATED_AS_REANNOUNCEMENT, target=new, note=call.number)
    return new


# -- bids -------------------------------------------------------------------------------------------------------


def _at(moment: dt.datetime) -> dict[str, str]:
    """Return a moment as the words of a message: its local time ("18:00") and day ("8 December"), localised."""
    local = timezone.localtime(moment)
    return {"time": date_format(local, "H:i"), "date": date_format(local, "j E")}


def bids_closed_message(call: Call, now: dt.datetime | None = None) -> str:
    """Return why the call does not accept a bid now: past its deadline, when the deadline stopped it."""
    if call.deadline_passed(now):
        return _("The call stopped accepting bids at %(time)s on %(date)s.") % _at(call.deadline)
    return _("The call is not accepting bids: the deadline has passed or it is not open.")


def bid_edit_refusal(call: Call, bid: Bid, now: dt.datetime | None = None) -> str | None:
    """Return why the NGO cannot change the bid now, in words (None when it can): the call no longer accepts bids,
    or the bid is no longer a draft (a withdrawn bid can be edited again)."""
    if not call.is_accepting_bids(now or timezone.now()):
        return bids_closed_message(call, now)
    if bid.status == Bid.Status.SUBMITTED:
        return _(
            "Your bid was submitted at %(time)s on %(date)s and cannot be edited; withdraw it first to change it."
        ) % _at(bid.submitted_at)
    if bid.status not in (Bid.Status.DRAFT, Bid.Status.WITHDRAWN):
        return _("The bid can no longer be edited.")
    return None


def _lock_bid(bid: Bid) -> tuple[Call, Bid]:
    """Return the bid's call and the bid re-read with both rows locked (always in this order: the call first, as
    every deadline-sensitive step locks it), so every write to a bid sees the status the last one left."""
    call = _lock(bid.call)
    return call, Bid.objects.select_for_update().get(pk=bid.pk)


def _editable_bid(bid: Bid, now: dt.datetime | None) -> Bid:
    """Lock the bid and return it re-read, or refuse with the reason it cannot be changed."""
    call, bid = _lock_bid(bid)
    refusal = bid_edit_refusal(call, bid, now)
    if refusal:
        raise InvalidTransition(refusal)
    return bid


def start_bid(*, call: Call, provider, acting_user, now: dt.datetime | None = None) -> Bid:
    """Return the organisation's bid on an open call to edit: its live or withdrawn one, or a new draft at the
    call's budget (a double click finds the draft the other request made)."""
    if not call.is_accepting_bids(now or timezone.now()):
        raise InvalidTransition(bids_closed_message(call, now))
    existing = Bid.objects.filter(call=call, provider=provider).live().first()
    if existing:
        return existing
    withdrawn = Bid.objects.filter(call=call, provider=provider, status=Bid.Status.WITHDRAWN).first()
    if withdrawn:
        return withdrawn
    try:
        with transaction.atomic():
            bid = Bid.objects.create(
                call=call, provider=provider, price=call.total, proposal="", created_by=acting_user
            )
            audit.record(actor=acting_user, action=Action.BID_STARTED, target=bid)
    except IntegrityError:  # a double click: the other request created it
        bid = Bid.objects.filter(call=call, provider=provider).live().first()
    return bid


@transaction.atomic
def save_bid(*, form, items, acting_user, now: dt.datetime | None = None) -> Bid:
    """Save the NGO's edit of its bid (a valid BidForm and cost-estimate formset); a withdrawn bid becomes a draft
    again. Under the bid's lock, with its status re-read: a bid submitted meanwhile (another tab) is refused, saying
    when it was submitted, and only the fields the form changed are written, never the whole row from a stale read.
    The staffing plan names NGO staff: personal data is recorded as changed, never by value."""
    bid = _editable_bid(form.instance, now)
    changes = audit.model_changes(form)
    many = {field.name for field in Bid._meta.many_to_many}
    fields = [name for name in form.changed_data if name not in many]
    for name in fields:
        setattr(bid, name, getattr(form.instance, name))
    if fields:
        bid.save(update_fields=fields)
    for name in many.intersection(form.changed_data):
        getattr(bid, name).set(form.cleaned_data[name])
    items.instance = bid
    items.save()
    if bid.status == Bid.Status.WITHDRAWN:
        bid.reopen(by=acting_user)
    audit.record(actor=acting_user, action=Action.BID_EDITED, target=bid, changes=changes, sensitive=("staff",))
    return bid


@transaction.atomic
def add_bid_document(*, bid: Bid, form, acting_user, now: dt.datetime | None = None) -> BidDocument:
    """Attach a document (a valid DocumentForm) to the NGO's bid, under the bid's lock like every edit."""
    bid = _editable_bid(bid, now)
    document = BidDocument.from_form(form, bid=bid)
    audit.record(actor=acting_user, action=Action.DOCUMENT_ADDED, target=bid)
    return document


@transaction.atomic
def submit_bid(*, bid: Bid, acting_user, now: dt.datetime | None = None) -> Bid:
    """Submit (or resubmit) a bid. The server refuses it at or after the deadline, with the call and bid rows
    locked; a second submission (a double click, another tab) finds the bid submitted and changes nothing."""
    now = now or timezone.now()
    call, bid = _lock_bid(bid)
    if bid.status == Bid.Status.SUBMITTED:
        raise InvalidTransition(_("Your bid was already submitted at %(time)s on %(date)s.") % _at(bid.submitted_at))
    if not call.is_accepting_bids(now):
        raise InvalidTransition(bids_closed_message(call, now))
    if not bid.provider.may_bid:
        raise InvalidTransition(_("Your organisation cannot bid until it is verified and active."))
    total = call.total
    if bid.price > total:
        raise InvalidTransition(_("The price exceeds the call's budget."))
    if bid.is_abnormally_low(total) and not bid.price_justification.strip():
        # xgettext:no-python-format
        raise InvalidTransition(_("A price below 70% of the budget must be justified."))
    bid.submit(by=acting_user, now=now)
    return bid


@transaction.atomic
def withdraw_bid(*, bid: Bid, acting_user, now: dt.datetime | None = None) -> Bid:
    """Withdraw a submitted bid before the deadline (it can be edited and submitted again)."""
    now = now or timezone.now()
    call, bid = _lock_bid(bid)
    if not call.is_accepting_bids(now):
        closed = call.deadline_passed(now)
        raise InvalidTransition(
            bids_closed_message(call, now) if closed else _("A bid can be withdrawn only before the deadline.")
        )
    bid.withdraw(by=acting_user)
    return bid


@transaction.atomic
def open_bids(*, call: Call, acting_user, now: dt.datetime | None = None) -> Call:
    """After the deadline, open the bids: the call goes to evaluation."""
    now = now or timezone.now()
    call = _lock(call)
    if call.status != Call.Status.PUBLISHED or not call.deadline_passed(now):
        raise InvalidTransition(_("Bids can be opened only after the deadline of a published call."))
    if call.amendment_required:
        raise InvalidTransition(_("An upheld complaint requires amending the call and extending the deadline first."))
    call.open_bids(by=acting_user, now=now)
    return call


@transaction.atomic
def decide_admission(*, bid: Bid, acting_user, admit: bool, reason: str = "") -> Bid:
    """Admit a bid to scoring, or reject it with a reason."""
    call = _lock(bid.call)
    if call.status != Call.Status.EVALUATION or call.scoring_closed_at:
        raise InvalidTransition(_("Bids are admitted or rejected during evaluation, before scoring closes."))
    if not admit and not reason.strip():
        raise InvalidTransition(_("Give a reason for the rejection."))
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if admit:
        bid.admit(by=acting_user, now=timezone.now())
    else:
        bid.reject(by=acting_user, reason=reason, now=timezone.now())
    return bid


# -- commission -------------------------------------------------------------------------------------------------


@transaction.atomic
def appoint_member(*, call: Call, user, is_chair: bool, acting_user) -> CommissionMember:
    """Appoint an officer or expert to the commission (one chair)."""
    if call.status not in (Call.Status.DRAFT, Call.Status.PUBLISHED, Call.Status.EVALUATION) or call.scoring_closed_at:
        raise InvalidTransition(_("The commission can change only until scoring closes."))
    if user.role not in (Role.OFFICER, Role.EXPERT):
        raise InvalidTransition(_("Only officers and experts can sit on a commission."))
    if CommissionMember.objects.filter(call=call, user=user).exists():
        raise InvalidTransition(_("This person is already on the commission."))
    if is_chair:
        CommissionMember.objects.filter(call=call, is_chair=True).update(is_chair=False)
    member = CommissionMember.objects.create(call=call, user=user, is_chair=is_chair)
    audit.record(actor=acting_user, action=Action.COMMISSION_MEMBER_APPOINTED, target=call, note=str(user))
    return member


@transaction.atomic
def appoint_substitute(*, call: Call, user, acting_user) -> CommissionMember:
    """Seat a substitute member while the commission scores (a recusal or an absence left a bid short of quorum):
    the substitute declares conflicts and scores like any member. The agency's officers or the chair appoint."""
    call = _lock(call)
    if call.status != Call.Status.EVALUATION or call.scoring_closed_at:
        raise InvalidTransition(_("A substitute is appointed while the commission scores, before scoring closes."))
    if user.role not in (Role.OFFICER, Role.EXPERT):
        raise InvalidTransition(_("Only officers and experts can sit on a commission."))
    if CommissionMember.objects.filter(call=call, user=user).exists():
        raise InvalidTransition(_("This person is already on the commission."))
    member = CommissionMember.objects.create(call=call, user=user, is_chair=False, is_substitute=True)
    audit.record(actor=acting_user, action=Action.SUBSTITUTE_APPOINTED, target=call, note=str(user))
    return member


@transaction.atomic
def remove_member(*, member: CommissionMember, acting_user) -> None:
    if member.sheets.exists() or member.declarations.exists():
        raise InvalidTransition(_("A member who has declared or scored cannot be removed."))
    audit.record(actor=acting_user, action=Action.COMMISSION_MEMBER_REMOVED, target=member.call, note=str(member.user))
    member.delete()


@transaction.atomic
def declare(*, member: CommissionMember, bid: Bid, has_conflict: bool, note: str = "") -> ConflictDeclaration:
    """Declare, once, whether the member has a conflict of interest with a bidder (a conflict recuses them)."""
    if member.call.status != Call.Status.EVALUATION:
        raise InvalidTransition(_("Declarations are made after the bids are opened."))
    if bid.call_id != member.call_id:
        raise InvalidTransition(_("This bid belongs to another call."))
    if ConflictDeclaration.objects.filter(member=member, bid=bid).exists():
        raise InvalidTransition(_("You have already declared for this bid."))
    declaration = ConflictDeclaration.objects.create(member=member, bid=bid, has_conflict=has_conflict, note=note)
    audit.record(
        actor=member.user,
        action=Action.CONFLICT_DECLARED if has_conflict else Action.NO_CONFLICT_DECLARED,
        target=bid.call,
        note=f"{bid.provider}",
    )
    return declaration


@transaction.atomic
def save_scores(*, member: CommissionMember, bid: Bid, values: dict[int, tuple[int, str]], submit: bool) -> ScoreSheet:
    """Save a member's scores for an admitted bid (integers 0–10); submitting needs every criterion."""
    call = _lock(member.call)
    if call.status != Call.Status.EVALUATION or call.scoring_closed_at:
        raise InvalidTransition(_("Scoring is closed."))
    if bid.call_id != call.pk or bid.status != Bid.Status.ADMITTED:
        raise InvalidTransition(_("Only admitted bids are scored."))
    declaration = ConflictDeclaration.objects.filter(member=member, bid=bid).first()
    if declaration is None:
        raise InvalidTransition(_("Declare your conflict of interest before scoring."))
    if declaration.has_conflict:
        raise InvalidTransition(_("You are recused from this bid."))
    criteria = {c.pk: c for c in call.criteria.all()}
    for criterion_id, (value, _comment) in values.items():
        if criterion_id not in criteria:
            raise InvalidTransition(_("Unknown criterion."))
        if not isinstance(value, int) or not 0 <= value <= 10:
            raise InvalidTransition(_("Scores are whole numbers from 0 to 10."))
    sheet, _created = ScoreSheet.objects.get_or_create(member=member, bid=bid)
    for criterion_id, (value, comment) in values.items():
        Score.objects.update_or_create(
            sheet=sheet, criterion_id=criterion_id, defaults={"value": value, "comment": comment}
        )
    if submit:
        scored = set(sheet.scores.values_list("criterion_id", flat=True))
        if scored != set(criteria):
            raise InvalidTransition(_("Score every criterion before submitting."))
        sheet.submitted_at = timezone.now()
        sheet.save(update_fields=["submitted_at"])
    audit.record(
        actor=member.user,
        action=Action.SCORES_SUBMITTED if submit else Action.SCORES_SAVED,
        target=call,
        note=f"{bid.provider}",
    )
    return sheet


@transaction.atomic
def close_scoring(*, call: Call, acting_user) -> Call:
    call = _lock(call)
    call.close_scoring(by=acting_user, now=timezone.now())
    return call


def ranking(call: Call) -> list[scoring.BidResult]:
    """Return the admitted (and already decided) bids ranked best first."""
    bids = call.bids.filter(
        status__in=[Bid.Status.ADMITTED, Bid.Status.WINNER, Bid.Status.NOT_SELECTED, Bid.Status.DECLINED]
    ).select_related("provider")
    return scoring.rank(scoring.bid_results(call, bids))


def award_outcome(call: Call) -> tuple[str, scoring.BidResult | None, list[scoring.BidResult]]:
    """Return ("award" | "fail" | "wait" | "undecided", best result, ranking) for a call under evaluation.

    "undecided": an opened bid is neither admitted nor rejected yet, so the ranking is not final."""
    ranked = [r for r in ranking(call) if r.bid.status in (Bid.Status.ADMITTED, Bid.Status.WINNER)]
    if call.bids.filter(status=Bid.Status.SUBMITTED).exists():
        return "undecided", None, ranked
    if not ranked:
        return "fail", None, ranked
    if any(not r.has_quorum for r in ranked):
        return "wait", None, ranked
    best = ranked[0]
    if best.result is None or best.result < call.min_winning_score:
        return "fail", best, ranked
    return "award", best, ranked


@transaction.atomic
def award_call(*, call: Call, acting_user, now: dt.datetime | None = None) -> Bid:
    """Award the call to the best admitted bid once every admitted bid has quorum; opens the standstill."""
    now = now or timezone.now()
    call = _lock(call)
    if call.status != Call.Status.EVALUATION:
        raise InvalidTransition(_("Only a call under evaluation can be awarded."))
    outcome, best, ranked = award_outcome(call)
    if outcome == "undecided":
        raise InvalidTransition(_("Admit or reject every bid first."))
    if outcome == "wait":
        raise InvalidTransition(_("Every admitted bid needs a quorum of complete score sheets first."))
    if outcome == "fail":
        raise InvalidTransition(_("No admitted bid reaches the minimum score: declare the call failed."))
    for result in ranked:
        if result is best and result.bid.status != Bid.Status.WINNER:
            result.bid.win(by=acting_user)
        elif result is not best and result.bid.status != Bid.Status.NOT_SELECTED:
            result.bid.lose(by=acting_user)
    call.award(by=acting_user, winner=best.bid, now=now, standstill_until=rules.standstill_until(now))
    notify(recipients=bidder_users(call), template="tenders/email/results.txt", context={"call": call})
    return best.bid


@transaction.atomic
def fail_call(*, call: Call, acting_user, reason: str = "", now: dt.datetime | None = None) -> Call:
    """Declare the call failed: no admitted bid, or the best is below the minimum score."""
    call = _lock(call)
    if call.status != Call.Status.EVALUATION:
        raise InvalidTransition(_("Only a call under evaluation can fail."))
    outcome, _best, _ranked = award_outcome(call)
    if outcome == "award":
        raise InvalidTransition(_("A bid reaches the minimum score: the call must be awarded."))
    if outcome == "undecided":
        raise InvalidTransition(_("Admit or reject every bid first."))
    if outcome == "wait":
        raise InvalidTransition(_("Every admitted bid needs a quorum of complete score sheets first."))
    call.fail(by=acting_user, now=now or timezone.now(), reason=reason)
    notify(recipients=bidder_users(call), template="tenders/email/results.txt", context={"call": call})
    return call


@transaction.atomic
def decline_award(*, bid: Bid, acting_user, now: dt.datetime | None = None) -> Bid | None:
    """Record that the winner declines; award the next-ranked bid reaching the minimum, or fail the call."""
    now = now or timezone.now()
    call = _lock(bid.call)
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if call.status != Call.Status.AWARDED or bid.status != Bid.Status.WINNER:
        raise InvalidTransition(_("Only the winner of an awarded call can decline."))
    bid.decline(by=acting_user)
    candidates = [
        r
        for r in ranking(call)
        if r.bid.status == Bid.Status.NOT_SELECTED and r.result is not None and r.result >= call.min_winning_score
    ]
    if not candidates:
        call.fail_after_decline(by=acting_user, now=now)
        notify(recipients=bidder_users(call), template="tenders/email/results.txt", context={"call": call})
        return None
    nxt = candidates[0].bid
    nxt.win(by=acting_user, next_ranked=True)
    call.award_next_ranked(by=acting_user, winner=nxt, now=now, standstill_until=rules.standstill_until(now))
    notify(recipients=bidder_users(call), template="tenders/email/results.txt", context={"call": call})
    return nxt


# -- questions and complaints -----------------------------------------------------------------------------------


@transaction.atomic
def ask_question(*, call: Call, acting_user, text: str, now: dt.datetime | None = None) -> Question:
    if not call.is_accepting_bids(now or timezone.now()):
        raise InvalidTransition(_("Questions can be asked while the call accepts bids."))
    question = Question.objects.create(call=call, asked_by=acting_user, text=text)
    audit.record(actor=acting_user, action=Action.QUESTION_ASKED, target=call)
    return question


@transaction.atomic
def answer_question(*, question: Question, acting_user, answer: str) -> Question:
    if not answer.strip():
        raise InvalidTransition(_("Write the answer."))
    old = question.answer
    question.answer = answer
    question.answered_by = acting_user
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record(
        actor=acting_user,
        action=Action.QUESTION_ANSWERED,
        target=question.call,
        changes={"answer": (old, answer)},
    )
    notify(recipients=[question.asked_by], template="tenders/email/answered.txt", context={"question": question})
    return question


@transaction.atomic
def file_complaint(*, call: Call, provider, acting_user, kind: str, text: str, now=None) -> Complaint:
    """File a complaint: about the terms before the deadline; about the result during the standstill."""
    now = now or timezone.now()
    if kind == Complaint.Kind.TERMS and not call.is_accepting_bids(now):
        raise InvalidTransition(_("A complaint about the terms can be filed only before the deadline."))
    if kind == Complaint.Kind.RESULT:
        if not call.in_standstill(now):
            raise InvalidTransition(_("A complaint about the result can be filed only during the standstill."))
        if not call.bids.submitted_at_deadline().filter(provider=provider).exists():
            raise InvalidTransition(_("Only bidders can complain about the result."))
    complaint = Complaint.objects.create(call=call, provider=provider, filed_by=acting_user, kind=kind, text=text)
    audit.record(actor=acting_user, action=Action.COMPLAINT_FILED, target=call, note=complaint.get_kind_display())
    audit.record(actor=acting_user, action=Action.COMPLAINT_FILED, target=complaint, note=complaint.get_kind_display())
    officers = get_user_model().objects.filter(role=Role.OFFICER, agency=call.agency, is_active=True)
    notify(recipients=officers, template="tenders/email/complaint_filed.txt", context={"complaint": complaint})
    return complaint


@transaction.atomic
def decide_complaint(*, complaint: Complaint, acting_user, upheld: bool, decision: str) -> Complaint:
    """Uphold or reject a complaint. Upheld about the result: back to evaluation; about terms: amend and extend."""
    if complaint.status != Complaint.Status.SUBMITTED:
        raise InvalidTransition(_("This complaint is already decided."))
    if not decision.strip():
        raise InvalidTransition(_("Write the decision."))
    if upheld:
        complaint.uphold(by=acting_user, decision=decision, now=timezone.now())
    else:
        complaint.reject(by=acting_user, decision=decision, now=timezone.now())
    audit.record(
        actor=acting_user,
        action=Action.COMPLAINT_UPHELD if upheld else Action.COMPLAINT_REJECTED,
        target=complaint.call,
        note=decision,
    )
    call = _lock(complaint.call)
    if upheld and complaint.kind == Complaint.Kind.RESULT and call.status == Call.Status.AWARDED:
        for bid in call.bids.filter(status__in=[Bid.Status.WINNER, Bid.Status.NOT_SELECTED]):
            bid.readmit(by=acting_user)
        call.return_to_evaluation(by=acting_user, note=decision)
    elif upheld and complaint.kind == Complaint.Kind.TERMS and call.status == Call.Status.PUBLISHED:
        call.require_amendment()
    notify(
        recipients=[complaint.filed_by],
        template="tenders/email/complaint_decided.txt",
        context={"complaint": complaint},
    )
    return complaint


def deadline_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the scheduled reminders once each: NGOs holding drafts 48 hours before the deadline; officers of calls
    past their deadline whose bids are not opened."""
    now = now or timezone.now()
    sent = {"draft_holders": 0, "unopened": 0}
    closing = Call.objects.filter(
        status=Call.Status.PUBLISHED,
        deadline__gt=now,
        deadline__lte=now + dt.timedelta(hours=48),
        draft_reminder_sent_at__isnull=True,
    )
    for call in closing:
        with transaction.atomic():
            users = bidder_users(call, statuses=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
            notify(recipients=users, template="tenders/email/deadline_soon.txt", context={"call": call})
            Call.objects.filter(pk=call.pk).update(draft_reminder_sent_at=now)
            sent["draft_holders"] += 1
    for call in Call.objects.past_deadline_unopened(now).filter(unopened_reminder_sent_at__isnull=True):
        with transaction.atomic():
            officers = get_user_model().objects.filter(role=Role.OFFICER, agency=call.agency, is_active=True)
            notify(recipients=officers, template="tenders/email/unopened.txt", context={"call": call})
            Call.objects.filter(pk=call.pk).update(unopened_reminder_sent_at=now)
            sent["unopened"] += 1
    return sent
