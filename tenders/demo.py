"""Demo calls 2021–2027 across agencies: awarded with several bids, single-bid, failed, cancelled, re-announced,
open now with drafts and submitted bids, one past its deadline waiting to be opened, one under evaluation;
questions and complaints. Amounts are realistic tenge figures; the patterns make some regions and services
stable and others volatile, interrupted or never covered."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.audit import Action
from core.demo import backdated
from core.models import Region, ServiceType
from providers.models import Provider
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

ALMATY = ZoneInfo("Asia/Almaty")

# Region code → [(service code, pattern)]. Patterns are defined in PATTERNS below.
PLANS = {
    "75": [
        ("case-management", "stable3"),
        ("psychosocial-support", "annual"),
        ("family-support", "stable3"),
        ("foster-family-support", "gappy"),
        ("day-care-rehabilitation", "annual"),
        ("early-intervention", "stable2"),
    ],
    "35": [
        ("case-management", "volatile"),
        ("crisis-temporary-stay", "failing"),
        ("psychosocial-support", "stable3"),
        ("family-support", "gappy"),
    ],
    "71": [
        ("case-management", "stable3"),
        ("early-intervention", "annual"),
        ("family-support", "volatile"),
        ("suicide-bullying-prevention", "late"),
    ],
    "61": [("case-management", "volatile"), ("psychosocial-support", "gappy"), ("medico-social-registry", "failing")],
    "55": [("case-management", "annual"), ("home-based-care", "stable2")],
    "10": [("case-management", "late"), ("psychosocial-support", "failing")],
    "63": [("case-management", "stable2"), ("foster-family-support", "volatile")],
    "15": [("case-management", "gappy"), ("family-support", "annual")],
    "31": [("psychosocial-support", "volatile"), ("case-management", "late")],
}
MINISTRY_PLANS = [
    ("43", "case-management", "failing"),
    ("47", "psychosocial-support", "cancelled"),
    ("11", "early-intervention", "annual"),
    ("23", "case-management", "late"),
]

# pattern → [(start year, duration, outcome, money factor)]
PATTERNS = {
    "stable3": [(2021, 3, "awarded", 1.0), (2024, 3, "awarded", 1.05)],
    "stable2": [(2022, 2, "awarded", 1.0), (2024, 2, "awarded", 1.0), (2026, 2, "awarded", 1.1)],
    "annual": [(y, 1, "awarded", f) for y, f in zip(range(2021, 2027), (1.0, 1.1, 0.95, 1.05, 1.0, 1.1), strict=True)],
    "volatile": [
        (2021, 1, "awarded", 1.0),
        (2022, 1, "awarded", 0.45),
        (2023, 1, "failed", 1.0),
        (2023, 1, "reannounced", 0.6),
        (2024, 1, "single", 1.4),
        (2025, 1, "awarded", 0.5),
        (2026, 1, "single", 1.2),
    ],
    "gappy": [(2021, 1, "awarded", 1.0), (2023, 2, "awarded", 0.8), (2025, 1, "cancelled", 1.0)],
    "failing": [(2022, 1, "failed", 1.0), (2023, 1, "cancelled", 1.0), (2025, 1, "failed", 1.0)],
    "late": [(2022, 1, "single", 1.0), (2023, 3, "awarded", 0.9), (2026, 1, "awarded", 0.7)],
    "cancelled": [(2024, 1, "cancelled", 1.0), (2025, 1, "failed", 1.0)],
}

BASE_AMOUNT = {  # a year of the service in a large region, tenge
    "case-management": 42_000_000,
    "psychosocial-support": 18_000_000,
    "family-support": 36_000_000,
    "foster-family-support": 22_000_000,
    "day-care-rehabilitation": 55_000_000,
    "early-intervention": 26_000_000,
    "crisis-temporary-stay": 64_000_000,
    "medico-social-registry": 15_000_000,
    "home-based-care": 31_000_000,
    "suicide-bullying-prevention": 12_000_000,
    "children-support-centre": 70_000_000,
}
TARGET_GROUPS = {
    "case-management": "Дети в трудной жизненной ситуации и их семьи",
    "psychosocial-support": "Дети и подростки, пережившие насилие, и их родители",
    "family-support": "Семьи с детьми в социально опасном положении",
    "foster-family-support": "Приёмные, патронатные и опекунские семьи",
    "day-care-rehabilitation": "Дети с инвалидностью от 3 до 18 лет",
    "early-intervention": "Дети до 3 лет с нарушениями развития",
    "crisis-temporary-stay": "Дети, временно оставшиеся без попечения родителей",
    "medico-social-registry": "Дети группы риска, состоящие на медико-социальном учёте",
    "home-based-care": "Дети с тяжёлыми формами инвалидности",
    "suicide-bullying-prevention": "Подростки 12–18 лет",
}
QUESTIONS = [
    ("Можно ли включить в смету аренду помещения?", "Да, в пределах 15% стоимости проекта."),
    ("Требуется ли лицензия на психологическую помощь?", "Нет, лицензия не требуется; требуется квалификация."),
    ("Учитывается ли опыт работы филиала?", "Учитывается опыт юридического лица, подающего заявку."),
]


def at(year: int, month: int, day: int, hour: int = 18) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=ALMATY)


class DemoCalls:
    def __init__(self, rng, context):
        self.rng = rng
        self.context = context
        self.services = {s.code: s for s in ServiceType.objects.all()}
        self.regions = {r.code: r for r in Region.objects.filter(level=Region.Level.FIRST)}
        self.providers = list(Provider.objects.prefetch_related("service_areas", "staff"))
        self.experts = context["experts"]
        self.counter = 0
        self.now = timezone.now()

    def candidates(self, region, service, k):
        """Active NGOs working in the region: those with the service first."""
        exact = [
            p
            for p in self.providers
            if p.status == "active"
            and any(a.region_id == region.pk and a.service_type_id == service.pk for a in p.service_areas.all())
        ]
        near = [
            p
            for p in self.providers
            if p.status == "active" and p not in exact and any(a.region_id == region.pk for a in p.service_areas.all())
        ]
        self.rng.shuffle(near)
        ranked = exact + near
        demo_ngo = self.context["providers"][0]  # the NGO of the demo login wins where it works, so it has contracts
        if demo_ngo in ranked and self.rng.random() < 0.5:
            ranked.remove(demo_ngo)
            ranked.insert(0, demo_ngo)
        return ranked[:k]

    def officer_of(self, agency):
        return next(o for o in self.context["officers"] if o.agency_id == agency.pk)

    def make_call(
        self, *, agency, region, service, start, duration, factor, status, opens, deadline, reannounced=None
    ):
        self.counter += 1
        size = 1.0 if region.code in ("75", "71", "35", "61") else 0.7
        base = Decimal(BASE_AMOUNT.get(service.code, 20_000_000)) * Decimal(str(size * factor))
        number = f"ГСЗ-{start}-{region.code}-{self.counter:03d}"
        call = Call.objects.create(
            number=number,
            title_ru=f"{service.name_ru}: {region.name_ru}, {start}"
            + (f"–{start + duration - 1}" if duration > 1 else ""),
            title_kk=f"{service.name_kk}: {region.name_kk}, {start}"
            + (f"–{start + duration - 1}" if duration > 1 else ""),
            description_ru=(
                f"Оказание специальных социальных услуг «{service.name_ru}» в регионе «{region.name_ru}». "
                "Поставщик обеспечивает сопровождение детей и семей по месту жительства, межведомственную "
                "координацию с органами образования, здравоохранения и полиции, ежеквартальную отчётность."
            ),
            description_kk=f"«{service.name_kk}» арнаулы әлеуметтік қызметтерін «{region.name_kk}» өңірінде көрсету.",
            agency=agency,
            region=region,
            service_type=service,
            target_group=TARGET_GROUPS.get(service.code, "Дети в трудной жизненной ситуации"),
            start_year=start,
            duration_years=duration,
            opens_at=opens,
            deadline=deadline,
            min_qualified_staff=self.rng.choice([1, 2, 2, 3]),
            min_experience_years=self.rng.choice([0, 1, 2, 3]),
            requires_ngo_listing=True,
            outcome_share=Decimal("20")
            if service.code in ("case-management", "family-support") and start >= 2025
            else None,
            status=status,
            published_at=opens if status != Call.Status.DRAFT else None,
            reannounced_from=reannounced,
            created_by=self.officer_of(agency),
        )
        for i, year in enumerate(range(start, start + duration)):
            amount = (base * Decimal(str(1 + 0.04 * i + self.rng.uniform(-0.03, 0.03)))).quantize(Decimal("100000"))
            source = CallBudgetLine.Source.REPUBLICAN if agency.level == "national" else CallBudgetLine.Source.LOCAL
            CallBudgetLine.objects.create(call=call, year=year, amount=amount, funding_source=source)
        Criterion.objects.bulk_create(
            Criterion(call=call, name_ru=ru, name_kk=kk, name_en=en, weight=w, position=i)
            for i, (ru, kk, en, w) in enumerate(DEFAULT_CRITERIA)
        )
        for indicator in service.indicators.all()[:3]:
            for year in range(start, start + duration):
                value = (
                    Decimal(self.rng.choice([60, 65, 70, 75, 80]))
                    if indicator.unit == "percent"
                    else Decimal(self.rng.choice([40, 60, 80, 120]))
                )
                CallTarget.objects.create(call=call, year=year, indicator=indicator, value=value)
        return call

    def commission(self, call):
        officer = self.officer_of(call.agency)
        members = [CommissionMember.objects.create(call=call, user=officer, is_chair=True)]
        for expert in self.rng.sample(self.experts, 2):
            members.append(CommissionMember.objects.create(call=call, user=expert))
        return members

    def bids(self, call, providers, *, submitted_at, statuses):
        made = []
        total = sum(line.amount for line in call.budget_lines.all())
        for provider, status in zip(providers, statuses, strict=False):
            share = Decimal(str(self.rng.choice([0.82, 0.88, 0.93, 0.97, 1.0])))
            bid = Bid.objects.create(
                call=call,
                provider=provider,
                price=(total * share).quantize(Decimal("1000")),
                proposal="Методология: индивидуальные планы сопровождения, мобильная бригада, работа с семьёй.",
                status=status,
                submitted_at=submitted_at - dt.timedelta(hours=self.rng.randint(2, 200)),
                created_by=provider.memberships.first().user if provider.memberships.exists() else call.created_by,
            )
            bid.staff.set([m for m in provider.staff.all() if m.is_active][:4])
            for line in call.budget_lines.all():
                for item, part in (
                    ("Оплата труда специалистов", "0.62"),
                    ("Транспорт и связь", "0.12"),
                    ("Аренда и содержание помещения", "0.16"),
                    ("Материалы", "0.10"),
                ):
                    BidCostItem.objects.create(
                        bid=bid,
                        year=line.year,
                        item=item,
                        amount=(line.amount * share * Decimal(part)).quantize(Decimal("1000")),
                    )
            made.append(bid)
        return made

    def score(self, members, bids, quality):
        criteria = list(bids[0].call.criteria.all()) if bids else []
        for bid, level in zip(bids, quality, strict=True):
            for member in members:
                ConflictDeclaration.objects.create(member=member, bid=bid, has_conflict=False)
                sheet = ScoreSheet.objects.create(
                    member=member, bid=bid, submitted_at=bid.call.deadline + dt.timedelta(days=3)
                )
                Score.objects.bulk_create(
                    Score(sheet=sheet, criterion=c, value=max(0, min(10, level + self.rng.randint(-1, 1))))
                    for c in criteria
                )

    def run_history(self, agency, region, service, pattern):
        previous_failed = None
        for start, duration, outcome, factor in PATTERNS[pattern]:
            opens = at(start - 1, 12, self.rng.randint(1, 15), 9) if outcome != "reannounced" else at(start, 4, 1, 9)
            window = self.rng.choice([21, 25, 30]) if outcome != "single" else self.rng.choice([5, 6, 21])
            deadline = opens + dt.timedelta(days=window)
            decided = deadline + dt.timedelta(days=self.rng.randint(10, 40))
            if pattern == "late":
                decided += dt.timedelta(days=60)
            status = {
                "awarded": Call.Status.AWARDED,
                "single": Call.Status.AWARDED,
                "reannounced": Call.Status.AWARDED,
                "failed": Call.Status.FAILED,
                "cancelled": Call.Status.CANCELLED,
            }[outcome]
            call = self.make_call(
                agency=agency,
                region=region,
                service=service,
                start=start,
                duration=duration,
                factor=factor,
                status=status,
                opens=opens,
                deadline=deadline,
                reannounced=previous_failed if outcome == "reannounced" else None,
            )
            call.opened_at = deadline + dt.timedelta(days=1) if outcome != "cancelled" else None
            call.decided_at = decided if outcome != "cancelled" else None
            call.standstill_until = decided + dt.timedelta(days=5) if status == Call.Status.AWARDED else None
            if outcome == "cancelled":
                call.cancelled_at = deadline - dt.timedelta(days=3)
                call.status_reason = "Изменение объёма финансирования по решению маслихата"
            if outcome == "failed":
                call.status_reason = "Ни одна заявка не набрала минимального балла" if self.rng.random() < 0.5 else ""
            call.save()
            officer = self.officer_of(agency)
            backdated(actor=officer, action=Action.CREATED, target=call, when=opens - dt.timedelta(days=7))
            backdated(actor=officer, action=Action.PUBLISHED, target=call, when=opens)
            if outcome == "cancelled":
                backdated(
                    actor=officer,
                    action=Action.CANCELLED,
                    target=call,
                    when=call.cancelled_at,
                    note=call.status_reason,
                )
                continue
            backdated(actor=officer, action=Action.BIDS_OPENED, target=call, when=call.opened_at)
            members = self.commission(call)
            if outcome in ("awarded", "reannounced"):
                providers = self.candidates(region, service, self.rng.randint(2, 4))
            elif outcome == "single":
                providers = self.candidates(region, service, 1)
            else:
                providers = self.candidates(region, service, self.rng.choice([0, 1, 2]))
            if not providers:
                if status == Call.Status.AWARDED:
                    call.status, call.standstill_until = Call.Status.FAILED, None
                    call.status_reason = "Заявок не поступило"
                    call.save()
                previous_failed = call
                continue
            bids = self.bids(call, providers, submitted_at=deadline, statuses=[Bid.Status.ADMITTED] * len(providers))
            if status == Call.Status.FAILED:
                self.score(members, bids, [self.rng.randint(2, 4) for _ in bids])
                Bid.objects.filter(pk__in=[b.pk for b in bids]).update(status=Bid.Status.NOT_SELECTED)
                previous_failed = call
                continue
            quality = sorted((self.rng.randint(5, 9) for _ in bids), reverse=True)
            if len(quality) > 1 and quality[0] == quality[1]:
                quality[1] -= 1
            if len(bids) > 2 and self.rng.random() < 0.3:  # one bid rejected at admission
                rejected = bids.pop()
                quality.pop()
                rejected.status, rejected.decision_reason = Bid.Status.REJECTED, "Нет актуальной записи в базе НПО"
                rejected.save()
            self.score(members, bids, quality)
            Bid.objects.filter(pk=bids[0].pk).update(status=Bid.Status.WINNER)
            Bid.objects.filter(pk__in=[b.pk for b in bids[1:]]).update(status=Bid.Status.NOT_SELECTED)
            previous_failed = None

    def open_now(self):
        """Calls of the coming year that are open now, one waiting to be opened, one under evaluation."""
        agencies = self.context["agencies"]
        now = self.now
        plans = [
            ("75", "case-management", 3, 12, "open"),
            ("75", "psychosocial-support", 1, 4, "open"),
            ("35", "case-management", 2, 20, "open"),
            ("71", "family-support", 1, 9, "open"),
            ("61", "crisis-temporary-stay", 1, 15, "open"),
            ("75", "foster-family-support", 1, -2, "unopened"),
            ("71", "early-intervention", 1, -12, "evaluation"),
            ("75", "day-care-rehabilitation", 2, -30, "awarded"),
            ("75", "home-based-care", 1, -14, "standstill"),
        ]
        for code, service_code, duration, days, state in plans:
            region, service = self.regions[code], self.services[service_code]
            deadline = (
                (now + dt.timedelta(days=days)).astimezone(ALMATY).replace(hour=18, minute=0, second=0, microsecond=0)
            )
            opens = deadline - dt.timedelta(days=25)
            status = {
                "open": Call.Status.PUBLISHED,
                "unopened": Call.Status.PUBLISHED,
                "evaluation": Call.Status.EVALUATION,
                "awarded": Call.Status.AWARDED,
                "standstill": Call.Status.AWARDED,
            }[state]
            call = self.make_call(
                agency=agencies[code],
                region=region,
                service=service,
                start=2027,
                duration=duration,
                factor=1.0,
                status=status,
                opens=opens,
                deadline=deadline,
            )
            self.commission(call)
            backdated(actor=self.officer_of(call.agency), action=Action.PUBLISHED, target=call, when=opens)
            providers = self.candidates(region, service, 3)
            if state == "open":
                statuses = [Bid.Status.SUBMITTED, Bid.Status.DRAFT, Bid.Status.SUBMITTED][: len(providers)]
                self.bids(call, providers, submitted_at=min(now, deadline), statuses=statuses)
                q_text, a_text = self.rng.choice(QUESTIONS)
                asker = providers[0].memberships.first().user if providers else self.context["ngo"]
                Question.objects.create(
                    call=call,
                    asked_by=asker,
                    text=q_text,
                    answer=a_text,
                    answered_by=self.officer_of(call.agency),
                    answered_at=now,
                )
                Question.objects.create(call=call, asked_by=asker, text="Допускается ли консорциум из двух НПО?")
            elif state == "unopened":
                self.bids(call, providers, submitted_at=deadline, statuses=[Bid.Status.SUBMITTED] * len(providers))
            elif state in ("awarded", "standstill"):
                call.opened_at = deadline + dt.timedelta(days=1)
                call.decided_at = deadline + dt.timedelta(days=8)
                call.standstill_until = call.decided_at + dt.timedelta(days=5)
                call.save(update_fields=["opened_at", "decided_at", "standstill_until"])
                backdated(
                    actor=self.officer_of(call.agency), action=Action.BIDS_OPENED, target=call, when=call.opened_at
                )
                bids = self.bids(
                    call, providers, submitted_at=deadline, statuses=[Bid.Status.ADMITTED] * len(providers)
                )
                if bids:
                    self.score(list(call.commission.all()), bids, [8, 6, 5][: len(bids)])
                    Bid.objects.filter(pk=bids[0].pk).update(status=Bid.Status.WINNER)
                    Bid.objects.filter(pk__in=[b.pk for b in bids[1:]]).update(status=Bid.Status.NOT_SELECTED)
            else:
                call.opened_at = deadline + dt.timedelta(days=1)
                call.save(update_fields=["opened_at"])
                backdated(
                    actor=self.officer_of(call.agency), action=Action.BIDS_OPENED, target=call, when=call.opened_at
                )
                CommissionMember.objects.filter(call=call, user__username="expert").delete()
                CommissionMember.objects.get_or_create(call=call, user=self.context["experts"][0])
                bids = self.bids(
                    call, providers, submitted_at=deadline, statuses=[Bid.Status.ADMITTED] * len(providers)
                )
                others = [m for m in call.commission.all() if m.user.username != "expert"]
                if bids:
                    self.score(others, bids, [7, 6, 5][: len(bids)])

    def complaints(self):
        awarded = list(Call.objects.filter(status=Call.Status.AWARDED).order_by("pk")[:40])
        for call in self.rng.sample(awarded, min(3, len(awarded))):
            loser = call.bids.filter(status=Bid.Status.NOT_SELECTED).first()
            if not loser or not loser.provider.memberships.exists():
                continue
            complaint = Complaint.objects.create(
                call=call,
                provider=loser.provider,
                filed_by=loser.provider.memberships.first().user,
                kind=Complaint.Kind.RESULT,
                text="Считаем, что опыт нашей организации оценён необоснованно низко; просим пересмотреть баллы.",
                status=Complaint.Status.REJECTED,
                decision="Оценки членов комиссии соответствуют критериям; нарушений не выявлено.",
                decided_by=self.officer_of(call.agency),
                decided_at=call.decided_at + dt.timedelta(days=3),
            )
            # Filed during the standstill, before the decision (filed_at is set on creation: dated here).
            Complaint.objects.filter(pk=complaint.pk).update(filed_at=call.decided_at + dt.timedelta(days=1))
        open_call = Call.objects.filter(status=Call.Status.PUBLISHED, deadline__gt=self.now).first()
        if open_call:
            Complaint.objects.create(
                call=open_call,
                provider=self.context["providers"][0],
                filed_by=self.context["ngo"],
                kind=Complaint.Kind.TERMS,
                text="Требование о трёх годах опыта необоснованно ограничивает конкуренцию для новых НПО.",
            )


def load(*, rng, context, stdout) -> None:
    demo = DemoCalls(rng, context)
    agencies = context["agencies"]
    for code, plan in PLANS.items():
        for service_code, pattern in plan:
            demo.run_history(agencies[code], demo.regions[code], demo.services[service_code], pattern)
    for code, service_code, pattern in MINISTRY_PLANS:
        demo.run_history(agencies["ministry"], demo.regions[code], demo.services[service_code], pattern)
    demo.open_now()
    demo.complaints()
    for call in Call.objects.filter(status__in=[Call.Status.AWARDED, Call.Status.FAILED], decided_at__isnull=False):
        action = "awarded" if call.status == Call.Status.AWARDED else "failed"
        backdated(actor=demo.officer_of(call.agency), action=action, target=call, when=call.decided_at)
    stdout.write(f"tenders: {Call.objects.count()} calls, {Bid.objects.count()} bids")
