"""factory_boy factories for every model. Reference rows (regions, service types, indicators) come from the
reference loader, not from factories: tests use the real 20 regions and 11 services."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import Agency, AuditEvent, Indicator, Region, Role, ServiceType
from core.validators import make_bin
from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember
from tenders.models import (
    DEFAULT_CRITERIA,
    Bid,
    BidCostItem,
    Call,
    CallBudgetLine,
    CallTarget,
    CommissionMember,
    Complaint,
    ConflictDeclaration,
    Criterion,
    Question,
    Score,
    ScoreSheet,
)

PASSWORD = "test-pass-123!"


def region(code: str) -> Region:
    """Return a reference region by its 2-digit code."""
    return Region.objects.get(code=code)


def service(code: str) -> ServiceType:
    """Return a reference service type by its code."""
    return ServiceType.objects.get(code=code)


def valid_bin(n: int, *, year_month: str = "1505", type_digit: str = "4") -> str:
    """Return the n-th valid BIN of a sequence (skipping prefixes that have no valid check digit)."""
    serial = n * 3
    while True:
        candidate = make_bin(f"{year_month}{type_digit}0{serial:05d}")
        if candidate:
            return candidate
        serial += 1


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name_ru = factory.Sequence(lambda n: f"Управление социальных программ №{n}")
    name_kk = factory.Sequence(lambda n: f"Әлеуметтік бағдарламалар басқармасы №{n}")
    bin = factory.Sequence(lambda n: valid_bin(n, year_month="9901"))
    level = Agency.Level.REGIONAL
    region = factory.LazyFunction(lambda: region("75"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    first_name = "Тест"
    last_name = factory.Sequence(lambda n: f"Пользователь {n}")
    role = Role.NGO
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficerFactory(UserFactory):
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)


class ExpertFactory(UserFactory):
    role = Role.EXPERT


class CommitteeFactory(UserFactory):
    role = Role.COMMITTEE


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name_ru = factory.Sequence(lambda n: f"ОФ «Тест {n}»")
    name_kk = factory.Sequence(lambda n: f"«Тест {n}» ҚҚ")
    bin = factory.Sequence(lambda n: valid_bin(n + 5000))
    legal_form = Provider.LegalForm.PUBLIC_FUND
    registration_date = dt.date(2015, 5, 12)
    home_region = factory.LazyFunction(lambda: region("75"))
    address = "Алматы, ул. Абая, 1"
    phone = "+7 701 000 00 00"
    email = factory.Sequence(lambda n: f"ngo{n}@example.kz")
    ngo_db_listed = True
    ngo_db_last_submission = dt.date(2026, 3, 1)
    status = Provider.Status.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class NgoUserFactory(UserFactory):
    """An NGO member together with the organisation they belong to (pass provider=... to choose it)."""

    @factory.post_generation
    def provider(obj, create, extracted, **kwargs):
        if create:
            MembershipFactory(user=obj, provider=extracted or ProviderFactory())


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea

    provider = factory.SubFactory(ProviderFactory)
    region = factory.LazyFunction(lambda: region("75"))
    service_type = factory.LazyFunction(lambda: service("case-management"))
    capacity = 50


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    provider = factory.SubFactory(ProviderFactory)
    full_name = factory.Sequence(lambda n: f"Сотрудник Тестовый {n}")
    position = StaffMember.Position.SOCIAL_WORKER
    qualification = "Высшее, социальная работа"
    certification_expiry = dt.date(2027, 12, 31)
    no_record_certificate_date = dt.date(2026, 6, 1)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    provider = factory.SubFactory(ProviderFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.kz")
    invited_by = factory.SubFactory(UserFactory)


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRequest

    bin = factory.Sequence(lambda n: valid_bin(n + 9000))
    full_name = "Иванова Мария"
    position = "директор"
    email = "maria@example.kz"
    phone = "+7 701 111 22 33"
    message = "Я директор организации."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test-indicator-{n}")
    service_type = factory.LazyFunction(lambda: service("case-management"))
    kind = Indicator.Kind.OUTCOME
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.HIGHER
    name_ru = factory.Sequence(lambda n: f"Показатель {n}")
    name_kk = factory.Sequence(lambda n: f"Көрсеткіш {n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "edited"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Provider))
    object_id = "1"
    object_repr = "test"


# -- tenders ----------------------------------------------------------------------------------------------------

YEARLY_BUDGET = Decimal("10000000")  # 10 million tenge a year unless a test says otherwise


class CallFactory(factory.django.DjangoModelFactory):
    """A published call accepting bids now (opened a day ago, deadline in 14 days), created by the agency's first
    officer, with one budget line per year and the five default criteria. `budget=[amounts]` sets the yearly
    amounts, `criteria=[weights]` the weights (`criteria=[]` for none); `draft=True` makes an unpublished draft."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=Call.Status.DRAFT, published_at=None)

    number = factory.Sequence(lambda n: f"ГСЗ-TEST-{n:04d}")
    title_ru = factory.Sequence(lambda n: f"Кейс-менеджмент для детей, лот {n}")
    title_kk = factory.Sequence(lambda n: f"Балаларға кейс-менеджмент, лот {n}")
    description_ru = "Сопровождение детей в трудной жизненной ситуации и их семей по месту жительства."
    agency = factory.SubFactory(AgencyFactory)
    region = factory.LazyAttribute(lambda call: call.agency.region or region("75"))
    service_type = factory.LazyFunction(lambda: service("case-management"))
    target_group = "Дети в трудной жизненной ситуации"
    start_year = 2027
    duration_years = 1
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    min_qualified_staff = 0
    min_experience_years = 0
    requires_ngo_listing = False
    status = Call.Status.PUBLISHED
    published_at = factory.SelfAttribute("opens_at")
    created_by = factory.LazyAttribute(
        lambda call: call.agency.officers.order_by("pk").first() or OfficerFactory(agency=call.agency)
    )

    @factory.post_generation
    def budget(obj, create, extracted, **kwargs):
        if not create:
            return
        amounts = extracted if extracted is not None else [YEARLY_BUDGET] * obj.duration_years
        for year, amount in zip(obj.years, amounts, strict=False):
            CallBudgetLine.objects.create(call=obj, year=year, amount=Decimal(amount))

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        if not create:
            return
        weights = extracted if extracted is not None else [w for *_names, w in DEFAULT_CRITERIA]
        names = [names for *names, _w in DEFAULT_CRITERIA]
        Criterion.objects.bulk_create(
            Criterion(
                call=obj,
                name_ru=names[i % len(names)][0] + ("" if i < len(names) else f" {i}"),
                name_en=names[i % len(names)][2],
                weight=weight,
                position=i,
            )
            for i, weight in enumerate(weights)
        )


class CallTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallTarget

    call = factory.SubFactory(CallFactory)
    year = factory.LazyAttribute(lambda target: target.call.start_year)
    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="cm-closed-positive"))
    value = Decimal("70")


class BidFactory(factory.django.DjangoModelFactory):
    """A draft bid at 90 % of the call's budget by a member of the provider; `submitted=True` for a submitted one."""

    class Meta:
        model = Bid

    class Params:
        submitted = factory.Trait(
            status=Bid.Status.SUBMITTED, submitted_at=factory.LazyFunction(lambda: timezone.now())
        )

    call = factory.SubFactory(CallFactory)
    provider = factory.SubFactory(ProviderFactory)
    price = factory.LazyAttribute(lambda bid: (bid.call.total * Decimal("0.9")).quantize(Decimal("1")))
    proposal = "Индивидуальные планы сопровождения, мобильная бригада, работа с семьёй."
    status = Bid.Status.DRAFT
    created_by = factory.LazyAttribute(
        lambda bid: (
            bid.provider.memberships.first().user
            if bid.provider.memberships.exists()
            else NgoUserFactory(provider=bid.provider)
        )
    )


class BidCostItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BidCostItem

    bid = factory.SubFactory(BidFactory)
    year = factory.LazyAttribute(lambda item: item.bid.call.start_year)
    item = "Оплата труда специалистов"
    amount = Decimal("5000000")


class CommissionMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionMember

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(ExpertFactory)
    is_chair = False


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictDeclaration

    member = factory.SubFactory(CommissionMemberFactory)
    bid = factory.SubFactory(BidFactory, call=factory.SelfAttribute("..member.call"))
    has_conflict = False


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreSheet

    member = factory.SubFactory(CommissionMemberFactory)
    bid = factory.SubFactory(BidFactory, call=factory.SelfAttribute("..member.call"))
    submitted_at = factory.LazyFunction(lambda: timezone.now())


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    sheet = factory.SubFactory(ScoreSheetFactory)
    criterion = factory.LazyAttribute(lambda score: score.sheet.bid.call.criteria.first())
    value = 5


def score_sheet(member: CommissionMember, bid: Bid, values, *, submitted: bool = True) -> ScoreSheet:
    """Write one member's sheet for a bid directly: `values` in the order of the call's criteria (None skips one)."""
    sheet = ScoreSheetFactory(member=member, bid=bid, submitted_at=timezone.now() if submitted else None)
    for criterion, value in zip(bid.call.criteria.all(), values, strict=False):
        if value is not None:
            Score.objects.create(sheet=sheet, criterion=criterion, value=value)
    return sheet


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    call = factory.SubFactory(CallFactory)
    asked_by = factory.SubFactory(UserFactory)
    text = "Можно ли включить в смету аренду помещения?"


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    call = factory.SubFactory(CallFactory)
    provider = factory.SubFactory(ProviderFactory)
    filed_by = factory.LazyAttribute(
        lambda complaint: (
            complaint.provider.memberships.first().user
            if complaint.provider.memberships.exists()
            else NgoUserFactory(provider=complaint.provider)
        )
    )
    kind = Complaint.Kind.TERMS
    text = "Срок подачи заявок слишком короткий для подготовки сметы."


# == contracts and evaluation ==================================================================================
# (block owned by the contracts/evaluation tests; imports kept here so the block stays self-contained)

from contracts import services as contract_services  # noqa: E402
from contracts.models import (  # noqa: E402
    Actual,
    Contract,
    Payment,
    Report,
    ReportExpense,
    ReportingPeriod,
    Target,
    Tranche,
)
from evaluation.models import CRITERION_CODES, Evaluator, EvaluatorScore, ResultEvaluation  # noqa: E402


def almaty(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """Return an aware datetime on `day` at hh:mm Asia/Almaty (UTC+5)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone(dt.timedelta(hours=5)))


def first_member(provider: Provider):
    """Return the provider's first member, creating one if it has none."""
    membership = provider.memberships.order_by("pk").first()
    return membership.user if membership else NgoUserFactory(provider=provider)


class AwardedCallFactory(CallFactory):
    """A one-year call for 2026 awarded 20 days ago, whose 5-day standstill ended 15 days ago: a contract may be
    prepared for it. Its bidding window closed 30 days ago."""

    status = Call.Status.AWARDED
    start_year = 2026
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=60))
    deadline = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    opened_at = factory.LazyAttribute(lambda call: call.deadline + dt.timedelta(hours=1))
    decided_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=20))
    standstill_until = factory.LazyAttribute(lambda call: call.decided_at + dt.timedelta(days=5))


class WinningBidFactory(BidFactory):
    """The winning bid of a call (90 % of its budget unless `price=` says otherwise)."""

    status = Bid.Status.WINNER
    submitted_at = factory.LazyAttribute(lambda bid: bid.call.deadline - dt.timedelta(days=1))
    decided_at = factory.LazyAttribute(lambda bid: bid.call.decided_at)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract signed by both parties (active) made from an awarded call and its winning bid, with one tranche per
    call year proportional to the call's budget lines (the service's own `default_tranches`) and its reporting
    periods generated. The first tranche is planned 30 days after the start, later ones on 1 March of their year.

    `call__start_year`, `call__duration_years`, `call__budget=[...]`, `call__outcome_share` shape the call;
    `tranches=[amounts]` sets the tranche amounts (and the total to their sum), `tranches=False` makes none;
    `unsigned=True` leaves it pending signature (nobody has signed), `agency_only=True` signed by the agency only.
    """

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    class Params:
        unsigned = factory.Trait(
            status=Contract.Status.PENDING,
            agency_signed_at=None,
            agency_signed_by=None,
            provider_signed_at=None,
            provider_signed_by=None,
        )
        agency_only = factory.Trait(status=Contract.Status.PENDING, provider_signed_at=None, provider_signed_by=None)

    agency = factory.SubFactory(AgencyFactory)
    provider = factory.SubFactory(ProviderFactory)
    call = factory.SubFactory(AwardedCallFactory, agency=factory.SelfAttribute("..agency"))
    bid = factory.SubFactory(
        WinningBidFactory, call=factory.SelfAttribute("..call"), provider=factory.SelfAttribute("..provider")
    )
    number = factory.Sequence(lambda n: f"Д-TEST-{n:04d}")
    region = factory.LazyAttribute(lambda c: c.call.region)
    service_type = factory.LazyAttribute(lambda c: c.call.service_type)
    total = factory.LazyAttribute(lambda c: c.bid.price)
    start_date = factory.LazyAttribute(lambda c: dt.date(c.call.start_year, 1, 1))
    end_date = factory.LazyAttribute(lambda c: dt.date(c.call.end_year, 12, 31))
    scope = "Сопровождение детей и семей по месту жительства."
    status = Contract.Status.ACTIVE
    created_by = factory.LazyAttribute(lambda c: c.call.created_by)
    agency_signed_at = factory.LazyAttribute(lambda c: c.call.standstill_until + dt.timedelta(days=1))
    agency_signed_by = factory.SelfAttribute("created_by")
    provider_signed_at = factory.LazyAttribute(lambda c: c.call.standstill_until + dt.timedelta(days=2))
    provider_signed_by = factory.LazyAttribute(lambda c: c.bid.created_by)

    @factory.post_generation
    def tranches(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        rows = contract_services.default_tranches(obj.call, obj.total)
        if extracted is not None:
            amounts = [Decimal(a) for a in extracted]
            rows = [{**row, "amount": amount} for row, amount in zip(rows, amounts, strict=True)]
            obj.total = sum(amounts, Decimal("0"))
            obj.save(update_fields=["total"])
        for row in rows:
            fixed, outcome = contract_services.split_parts(row["amount"], obj.call.outcome_share)
            Tranche.objects.create(
                contract=obj,
                year=row["year"],
                amount=row["amount"],
                fixed_amount=fixed,
                outcome_amount=outcome,
                planned_date=row["planned_date"] or obj.start_date + dt.timedelta(days=30),
                funding_source=row["funding_source"],
            )

    @factory.post_generation
    def periods(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            contract_services.generate_periods(obj)


class TrancheFactory(factory.django.DjangoModelFactory):
    """A tranche of 1 000 000 ₸ (all fixed) planned for 1 March, on a contract made without tranches."""

    class Meta:
        model = Tranche

    contract = factory.SubFactory(ContractFactory, tranches=False)
    year = factory.LazyAttribute(lambda t: t.contract.start_date.year)
    amount = Decimal("1000000")
    fixed_amount = factory.LazyAttribute(lambda t: t.amount - t.outcome_amount)
    outcome_amount = Decimal("0")
    planned_date = factory.LazyAttribute(lambda t: dt.date(t.year, 3, 1))


class PaymentFactory(factory.django.DjangoModelFactory):
    """A fixed-part payment of 100 000 ₸ on the tranche's planned date."""

    class Meta:
        model = Payment

    tranche = factory.SubFactory(TrancheFactory)
    kind = Payment.Kind.FIXED
    date = factory.LazyAttribute(lambda p: p.tranche.planned_date)
    amount = Decimal("100000")
    recorded_by = factory.LazyAttribute(lambda p: p.tranche.contract.created_by)


class TargetFactory(factory.django.DjangoModelFactory):
    """A target of 70 on "share of cases closed with plan goals met" (outcome, percent, higher is better)."""

    class Meta:
        model = Target

    contract = factory.SubFactory(ContractFactory)
    year = factory.LazyAttribute(lambda t: t.contract.start_date.year)
    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="cm-closed-positive"))
    value = Decimal("70")


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    """A reporting period; the one the contract's schedule already has is reused (get-or-create on its key)."""

    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("contract", "kind", "year", "quarter")

    contract = factory.SubFactory(ContractFactory)
    kind = ReportingPeriod.Kind.ANNUAL
    year = factory.LazyAttribute(lambda p: p.contract.start_date.year)
    quarter = 0
    start = factory.LazyAttribute(lambda p: max(dt.date(p.year, 1, 1), p.contract.start_date))
    end = factory.LazyAttribute(lambda p: min(dt.date(p.year, 12, 31), p.contract.end_date))
    due_date = factory.LazyAttribute(lambda p: p.end + dt.timedelta(days=10))


class ReportFactory(factory.django.DjangoModelFactory):
    """A draft report by a member of the provider; `submitted`, `accepted` or `returned` for those states, first
    submitted at noon (Almaty) on the due date, so on time."""

    class Meta:
        model = Report

    class Params:
        submitted = factory.Trait(
            status=Report.Status.SUBMITTED,
            first_submitted_at=factory.LazyAttribute(lambda r: almaty(r.period.due_date)),
            submitted_at=factory.SelfAttribute("first_submitted_at"),
        )
        accepted = factory.Trait(
            status=Report.Status.ACCEPTED,
            first_submitted_at=factory.LazyAttribute(lambda r: almaty(r.period.due_date)),
            submitted_at=factory.SelfAttribute("first_submitted_at"),
            reviewed_at=factory.LazyAttribute(lambda r: r.first_submitted_at + dt.timedelta(days=1)),
            reviewed_by=factory.LazyAttribute(lambda r: r.period.contract.created_by),
        )
        returned = factory.Trait(
            status=Report.Status.RETURNED,
            first_submitted_at=factory.LazyAttribute(lambda r: almaty(r.period.due_date)),
            submitted_at=factory.SelfAttribute("first_submitted_at"),
            reviewed_at=factory.LazyAttribute(lambda r: r.first_submitted_at + dt.timedelta(days=1)),
            reviewed_by=factory.LazyAttribute(lambda r: r.period.contract.created_by),
            return_comment="Приложите списки детей.",
        )

    period = factory.SubFactory(ReportingPeriodFactory)
    narrative = "Работа по плану."
    children_served = 40
    families_served = 25
    status = Report.Status.DRAFT
    created_by = factory.LazyAttribute(lambda r: first_member(r.period.contract.provider))


class ReportExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportExpense

    report = factory.SubFactory(ReportFactory)
    item = "Оплата труда специалистов"
    amount = Decimal("500000")


class ActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actual

    report = factory.SubFactory(ReportFactory)
    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="cm-closed-positive"))
    value = Decimal("70")


def annual_report(contract: Contract, year: int, actuals=None, **kwargs) -> Report:
    """Return the contract's annual report of `year` (accepted unless a status trait or `status=` is given) with
    `actuals` = {indicator or indicator code: value}."""
    period = ReportingPeriodFactory(contract=contract, kind=ReportingPeriod.Kind.ANNUAL, year=year, quarter=0)
    if not {"submitted", "accepted", "returned", "status"} & set(kwargs):
        kwargs["accepted"] = True
    report = ReportFactory(period=period, **kwargs)
    for indicator, value in (actuals or {}).items():
        if isinstance(indicator, str):
            indicator = Indicator.objects.get(code=indicator)
        Actual.objects.create(report=report, indicator=indicator, value=Decimal(value))
    return report


class ResultEvaluationFactory(factory.django.DjangoModelFactory):
    """An open evaluation of the contract's first year with the agency's threshold copied."""

    class Meta:
        model = ResultEvaluation

    contract = factory.SubFactory(ContractFactory)
    year = factory.LazyAttribute(lambda e: e.contract.start_date.year)
    threshold = factory.LazyAttribute(lambda e: e.contract.agency.evaluation_threshold)
    opened_by = factory.LazyAttribute(lambda e: e.contract.created_by)


class EvaluatorFactory(factory.django.DjangoModelFactory):
    """An expert evaluator who has not declared yet; `declared=True` (no conflict) or `recused=True` (conflict)."""

    class Meta:
        model = Evaluator

    class Params:
        declared = factory.Trait(has_conflict=False, declared_at=factory.LazyFunction(timezone.now))
        recused = factory.Trait(has_conflict=True, declared_at=factory.LazyFunction(timezone.now))

    evaluation = factory.SubFactory(ResultEvaluationFactory)
    user = factory.SubFactory(ExpertFactory)


class EvaluatorScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluatorScore

    evaluator = factory.SubFactory(EvaluatorFactory, declared=True)
    criterion = CRITERION_CODES[0]
    value = 3


def council_sheet(evaluation: ResultEvaluation, values, *, recused: bool = False, submitted: bool = True) -> Evaluator:
    """Seat an expert on the council with a sheet of scores in the order of CRITERION_CODES (None skips one)."""
    evaluator = EvaluatorFactory(evaluation=evaluation, recused=recused, declared=not recused)
    for criterion, value in zip(CRITERION_CODES, values, strict=True):
        if value is not None:
            EvaluatorScore.objects.create(evaluator=evaluator, criterion=criterion, value=value)
    if submitted:
        evaluator.submitted_at = timezone.now()
        evaluator.save(update_fields=["submitted_at"])
    return evaluator


# == analytics: coverage, stability, red flags ==================================================================
# (block owned by tests/evaluation/test_coverage.py, test_stability.py and test_flags.py)

from contracts.models import Amendment  # noqa: E402
from evaluation.models import RegionPopulation  # noqa: E402


class AmendmentFactory(factory.django.DjangoModelFactory):
    """A budget-cut amendment of the contract's amount (pass `value_change`, negative for a reduction)."""

    class Meta:
        model = Amendment

    contract = factory.SubFactory(ContractFactory)
    kind = Amendment.Kind.AMOUNT
    reason_code = Amendment.Reason.BUDGET_CUT
    reason_text = "Сокращение бюджета."
    effective_date = factory.LazyAttribute(lambda a: a.contract.start_date + dt.timedelta(days=90))
    value_change = Decimal("0")
    created_by = factory.LazyAttribute(lambda a: a.contract.created_by)


class RegionPopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionPopulation
        django_get_or_create = ("region", "year")

    region = factory.LazyFunction(lambda: region("75"))
    year = 2024
    children = 100_000


def served_contract(
    *,
    start: dt.date,
    end: dt.date,
    amounts=None,
    region_code: str = "75",
    service_code: str = "case-management",
    provider: Provider | None = None,
    agency: Agency | None = None,
    terminated_on: dt.date | None = None,
    signed_on: dt.date | None = None,
    unsigned: bool = False,
    periods: bool = False,
    **kwargs,
) -> Contract:
    """Return a contract serving `start` … `end` (until the day before `terminated_on`, if given) with one tranche per
    year of its dates (`amounts` in year order; 1 000 000 ₸ a year unless told), made from an awarded call of those
    years (at most 3) that opened 60 days before the start, closed 30 days before, and was awarded 20 days before.
    Both parties sign at 10:00 and 11:00 Almaty on `signed_on` (default: 10 days before the start) unless
    `unsigned`. No reporting periods unless `periods=True`. Nothing depends on the real date."""
    years = list(range(start.year, end.year + 1))
    amounts = [Decimal(a) for a in (amounts or [1_000_000] * len(years))]
    agency = agency or AgencyFactory(region=region(region_code))
    decided = almaty(start - dt.timedelta(days=20))
    signatures = {}
    if not unsigned:
        day = signed_on or start - dt.timedelta(days=10)
        signatures = {"agency_signed_at": almaty(day, 10), "provider_signed_at": almaty(day, 11)}
    if terminated_on:
        kwargs["status"] = Contract.Status.TERMINATED
    kwargs = {**signatures, **kwargs}  # explicit agency_signed_at / provider_signed_at win
    return ContractFactory(
        agency=agency,
        provider=provider or ProviderFactory(),
        call__region=region(region_code),
        call__service_type=service(service_code),
        call__start_year=start.year,
        call__duration_years=len(years),
        call__budget=amounts,
        call__opens_at=almaty(start - dt.timedelta(days=60)),
        call__published_at=almaty(start - dt.timedelta(days=60)),
        call__deadline=almaty(start - dt.timedelta(days=30)),
        call__decided_at=decided,
        call__standstill_until=decided + dt.timedelta(days=5),
        start_date=start,
        end_date=end,
        terminated_on=terminated_on,
        tranches=amounts,
        periods=periods,
        unsigned=unsigned,
        **kwargs,
    )


def closed_call(
    *,
    start_year: int,
    status: str = Call.Status.FAILED,
    region_code: str = "75",
    service_code: str = "case-management",
    deadline: dt.datetime | None = None,
    duration_years: int = 1,
    published: bool = True,
    bids: int = 0,
    **kwargs,
) -> Call:
    """Return a call of `start_year` … in `status` (failed unless told) whose submission window opened 30 days before
    its `deadline` (default: 1 December of the year before, 18:00 Almaty), published when it opened unless
    `published=False`, decided a week after the deadline, with `bids` submitted bids of new NGOs."""
    deadline = deadline or almaty(dt.date(start_year - 1, 12, 1), 18)
    opens = deadline - dt.timedelta(days=30)
    if status in (Call.Status.AWARDED, Call.Status.FAILED):
        kwargs.setdefault("decided_at", deadline + dt.timedelta(days=7))
    if status == Call.Status.CANCELLED:
        kwargs.setdefault("cancelled_at", deadline + dt.timedelta(days=1))
    call = CallFactory(
        agency=AgencyFactory(region=region(region_code)),
        region=region(region_code),
        service_type=service(service_code),
        start_year=start_year,
        duration_years=duration_years,
        status=status,
        opens_at=opens,
        deadline=deadline,
        published_at=opens if published else None,
        **kwargs,
    )
    for _n in range(bids):
        BidFactory(call=call, status=Bid.Status.SUBMITTED, submitted_at=deadline - dt.timedelta(days=1))
    return call
