"""A synthetic national-scale dataset of the state social order, built fast and repeatably.

`generate(scale)` adds, at scale 1, about: 2,000 NGOs spread unevenly over the 20 first-level regions; 30,000 calls
with start years 2016–2025 in the region × service-type cells (some cells never bought, some with years left out,
regions only from the year after they were formed), their budget lines per year and default criteria; 90,000+
bids (about three per call: single bids, failed and cancelled calls included); 25,000 contracts for the awarded
calls with ~2.4 annual tranches each (amounts summing to the total, some cut or raised by amendments), the two
signatures (some late, a few pending), ~3 % terminated early; payments of the fixed part (some late or missing) and
of the outcome part; the reporting schedule of every signed contract (quarterly and annual periods, as
`contracts.services.expected_periods` makes it) with its reports (some late, missing, returned or still drafts)
and indicator actuals; targets per contract year; and the child population of every region and year.

Every count is multiplied by `scale`. Rows are written with bulk_create in batches: no save(), no signals, no audit
rows. Primary keys are assigned here (from the table's current maximum) so that children point at parents without
reading them back, and everything is drawn from random.Random(seed): the same scale and seed give the same rows.
The data is a snapshot as of AS_OF: nothing in it happens later.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from contracts.models import Actual, Amendment, Contract, Payment, Report, ReportingPeriod, Target, Tranche
from core.models import Agency, Indicator, Region, Role, ServiceType, User
from core.reference import load_reference
from core.validators import make_bin
from evaluation.models import RegionPopulation
from providers.models import Provider, ServiceArea
from tenders.models import DEFAULT_CRITERIA, Bid, Call, CallBudgetLine, Criterion

FIRST_YEAR, LAST_YEAR = 2016, 2025
AS_OF = dt.date(2026, 1, 15)  # the snapshot day of the dataset: the analytics are measured as of this day
ALMATY = ZoneInfo("Asia/Almaty")
BATCH_SIZE = 5000
CALLS_PER_CHUNK = 500  # calls generated (with all their rows) between two writes
GENERATOR_USERNAME = "bench-generator"
GENERATOR_VERSION = 2  # raise when the generator changes, so stored datasets are made again
CENT = Decimal("0.01")

BASE_COUNTS = {"providers": 2000, "calls": 30000, "contracts": 25000}

# Relative size of each first-level unit (by its 2-digit code): cities and the south buy most.
REGION_WEIGHTS = {
    "10": 1.2, "11": 2.0, "15": 2.5, "19": 4.0, "23": 2.0, "27": 1.8, "31": 3.0, "33": 1.5, "35": 3.0, "39": 2.0,
    "43": 2.2, "47": 2.2, "55": 1.8, "59": 1.2, "61": 5.0, "62": 0.5, "63": 2.5, "71": 4.5, "75": 6.0, "79": 3.5,
}  # fmt: skip
SERVICE_WEIGHTS = {
    "case-management": 3.0, "family-support": 2.0, "medico-social-registry": 0.8, "crisis-temporary-stay": 1.0,
    "foster-family-support": 1.2, "children-support-centre": 1.5, "day-care-rehabilitation": 2.0,
    "home-based-care": 1.6, "psychosocial-support": 2.2, "early-intervention": 0.7, "suicide-bullying-prevention": 0.8,
}  # fmt: skip
# A year of a call's service, in tenge at 2016 prices.
SERVICE_BUDGETS = {
    "case-management": 25e6, "family-support": 18e6, "medico-social-registry": 8e6, "crisis-temporary-stay": 30e6,
    "foster-family-support": 12e6, "children-support-centre": 22e6, "day-care-rehabilitation": 28e6,
    "home-based-care": 15e6, "psychosocial-support": 10e6, "early-intervention": 9e6,
    "suicide-bullying-prevention": 7e6,
}  # fmt: skip
NEVER_SHARE = 0.10  # region × service cells that never buy the service
GAP_SHARE = 0.20  # cells with a run of one to three years without calls
LATE_UPTAKE_SHARE = 0.15  # cells that start buying a few years after 2016
DURATION_WEIGHTS = {1: 18, 2: 20, 3: 62}  # 2.44 years (tranches) per contract on average
AWARDED_BIDS = {1: 12, 2: 13, 3: 20, 4: 22, 5: 18, 6: 10, 7: 5}
FAILED_BIDS = {0: 30, 1: 40, 2: 30}
CANCELLED_BIDS = {0: 50, 1: 30, 2: 20}
GENERAL_INDICATORS = [  # indicators of every service, as an officer would add them
    (
        "all-children-reached",
        "output",
        "children",
        "higher",
        "Охвачено детей",
        "Қамтылған балалар",
        "Children reached",
    ),
    (
        "all-families-reached",
        "output",
        "families",
        "higher",
        "Охвачено семей",
        "Қамтылған отбасылар",
        "Families reached",
    ),
    (
        "all-satisfaction",
        "outcome",
        "percent",
        "higher",
        "Удовлетворённость получателей услуг",
        "Қызмет алушылардың қанағаттануы",
        "Recipients' satisfaction",
    ),
]
NGO_WORDS = [
    ("Бақыт", "Бақыт"), ("Үміт", "Үміт"), ("Мейірім", "Мейірім"), ("Надежда", "Үміт"), ("Шанс", "Мүмкіндік"),
    ("Жанұя", "Жанұя"), ("Ак ниет", "Ақ ниет"), ("Балауса", "Балауса"), ("Дара", "Дара"), ("Асыл", "Асыл"),
    ("Forum", "Forum"), ("Свет", "Жарық"), ("Опора", "Тірек"), ("Радуга", "Кемпірқосақ"), ("Шаңырақ", "Шаңырақ"),
]  # fmt: skip
NGO_FORMS = [
    (Provider.LegalForm.PUBLIC_ASSOCIATION, "Общественное объединение", "Қоғамдық бірлестігі", 40),
    (Provider.LegalForm.PUBLIC_FUND, "Общественный фонд", "Қоғамдық қоры", 40),
    (Provider.LegalForm.PRIVATE_INSTITUTION, "Частное учреждение", "Жеке мекемесі", 12),
    (Provider.LegalForm.ASSOCIATION, "Ассоциация", "Қауымдастығы", 5),
    (Provider.LegalForm.OTHER, "Некоммерческая организация", "Коммерциялық емес ұйымы", 3),
]
TARGET_GROUPS = [
    "дети в трудной жизненной ситуации и их семьи",
    "дети с инвалидностью",
    "дети, оставшиеся без попечения родителей",
    "подростки группы риска",
    "семьи с детьми в кризисной ситуации",
]

Progress = Callable[[float, str], None]


def _silent(fraction: float, label: str) -> None:
    return None


class TextProgress:
    """A progress bar on stderr without a dependency: `[##########..........]  52% contracts (41 s)`. On a terminal
    the line is redrawn; otherwise a line is printed every 10 % and when a phase starts."""

    def __init__(self, stream=None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()
        self.last_decile = -1
        self.last_phase = ""

    def __call__(self, fraction: float, label: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = int(fraction * self.width)
        elapsed = time.perf_counter() - self.started
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {label} ({elapsed:.0f} s)"
        phase = label.split(" (")[0]
        if self.tty:
            self.stream.write("\r" + line.ljust(110)[:110] + ("\n" if fraction >= 1 else ""))
        elif int(fraction * 10) > self.last_decile or phase != self.last_phase or fraction >= 1:
            self.stream.write(line + "\n")
        self.last_decile = max(self.last_decile, int(fraction * 10))
        self.last_phase = phase
        self.stream.flush()


@dataclass(frozen=True)
class Plan:
    providers: int
    calls: int
    contracts: int

    @classmethod
    def of(cls, scale: float) -> Plan:
        calls = max(2, round(BASE_COUNTS["calls"] * scale))
        return cls(
            providers=max(5, round(BASE_COUNTS["providers"] * scale)),
            calls=calls,
            contracts=max(1, min(calls - 1, round(BASE_COUNTS["contracts"] * scale))),
        )


class _Writer:
    """Buffers of new rows per model, written parents first with bulk_create; assigns primary keys."""

    ORDER = [
        Provider,
        ServiceArea,
        RegionPopulation,
        Call,
        CallBudgetLine,
        Criterion,
        Bid,
        Contract,
        Tranche,
        Amendment,
        Payment,
        Target,
        ReportingPeriod,
        Report,
        Actual,
    ]

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.buffers: dict[type[models.Model], list[models.Model]] = {model: [] for model in self.ORDER}
        self.counts: dict[str, int] = {model._meta.model_name: 0 for model in self.ORDER}
        self.next_ids: dict[type[models.Model], int] = {}

    def new_id(self, model: type[models.Model]) -> int:
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, obj: models.Model) -> models.Model:
        if obj.pk is None:
            obj.pk = self.new_id(type(obj))
        self.buffers[type(obj)].append(obj)
        return obj

    def flush(self) -> None:
        with transaction.atomic():
            for model, rows in self.buffers.items():
                if rows:
                    model.objects.bulk_create(rows, batch_size=self.batch_size)
                    self.counts[model._meta.model_name] += len(rows)
                    rows.clear()

    def reset_sequences(self) -> None:
        """Move the id sequences past the ids given here (PostgreSQL; SQLite follows inserted ids by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), self.ORDER)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY)


def _weighted(rng: random.Random, table: dict) -> object:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _percent(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.1f}")


def _split_parts(amount: int, share: Decimal | None) -> tuple[Decimal, Decimal]:
    """Return (fixed, outcome) of a tranche as contracts.services.split_parts does."""
    total = Decimal(amount)
    if not share:
        return total, Decimal(0)
    outcome = (total * share / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return total - outcome, outcome


class _Generator:
    def __init__(self, scale: float, seed: int, progress: Progress, batch_size: int) -> None:
        self.rng = random.Random(seed)
        self.plan = Plan.of(scale)
        self.progress = progress
        self.writer = _Writer(batch_size)
        self.due_days = dt.timedelta(days=settings.GSZ["REPORT_DUE_DAYS"])

    # -- the fixed part: reference data, agencies, the generating user, indicators ---------------------------------

    def prepare(self) -> None:
        load_reference()
        self.regions = list(Region.objects.filter(level=Region.Level.FIRST).order_by("kato"))
        self.services = list(ServiceType.objects.order_by("id"))
        self.user, created = User.objects.get_or_create(
            username=GENERATOR_USERNAME,
            defaults={"role": Role.ADMIN, "is_active": False, "first_name": "Bench", "last_name": "Generator"},
        )
        if created:
            self.user.set_unusable_password()
            self.user.save(update_fields=["password"])
        for code, kind, unit, direction, name_ru, name_kk, name_en in GENERAL_INDICATORS:
            Indicator.objects.get_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "unit": unit,
                    "direction": direction,
                    "name_ru": name_ru,
                    "name_kk": name_kk,
                    "name_en": name_en,
                },
            )
        indicators = list(Indicator.objects.order_by("id"))
        self.indicators = {
            service.pk: [i for i in indicators if i.service_type_id in (None, service.pk)] for service in self.services
        }
        self.agencies = {}
        for index, region in enumerate(self.regions, start=1):
            self.agencies[region.pk] = self._agency(
                index,
                name_ru=f"Управление координации занятости и социальных программ ({region.name_ru})",
                name_kk=f"Жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы ({region.name_kk})",
                level=Agency.Level.REGIONAL,
                region=region,
            )
        self.national = [
            self._agency(
                90,
                name_ru="Министерство труда и социальной защиты населения Республики Казахстан",
                name_kk="Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігі",
                level=Agency.Level.NATIONAL,
            ),
            self._agency(
                91,
                name_ru="Министерство просвещения Республики Казахстан",
                name_kk="Қазақстан Республикасы Оқу-ағарту министрлігі",
                level=Agency.Level.NATIONAL,
            ),
        ]
        # Years in which each region buys: from 2016, or from the year after it was formed.
        self.first_year = {
            r.pk: max(FIRST_YEAR, r.valid_from.year + 1) if r.valid_from else FIRST_YEAR for r in self.regions
        }
        # A region split into new ones buys less after the split.
        self.split_year = {}
        for region in self.regions:
            if region.split_from_id and region.valid_from:
                self.split_year[region.split_from_id] = region.valid_from.year + 1

    def _agency(self, serial: int, **fields) -> Agency:
        while True:
            bin_ = make_bin(f"9901400{serial:04d}")
            if bin_:
                break
            serial += 1000
        agency, _created = Agency.objects.get_or_create(bin=bin_, defaults=fields)
        return agency

    # -- NGOs, their service areas, child population --------------------------------------------------------------

    def providers(self) -> None:
        rng = self.rng
        weights = [REGION_WEIGHTS.get(r.code, 1.0) for r in self.regions]
        homes = rng.choices(self.regions, weights=weights, k=self.plan.providers)
        taken = set(Provider.objects.values_list("bin", flat=True))
        forms = [f[:3] for f in NGO_FORMS]
        form_weights = [f[3] for f in NGO_FORMS]
        self.pool: dict[int, list[int]] = {r.pk: [] for r in self.regions}
        pool_weights: dict[int, list[float]] = {r.pk: [] for r in self.regions}
        self.all_providers: list[int] = []
        self.all_weights: list[float] = []
        self.strength: dict[int, float] = {}
        service_weights = [SERVICE_WEIGHTS.get(s.code, 1.0) for s in self.services]
        for index, region in enumerate(homes):
            registered = dt.date(rng.randint(1998, 2023), rng.randint(1, 12), rng.randint(1, 28))
            bin_ = self._provider_bin(registered, index, taken)
            form, form_ru, form_kk = rng.choices(forms, weights=form_weights)[0]
            word_ru, word_kk = rng.choice(NGO_WORDS)
            listed = rng.random() < 0.88
            status = _weighted(rng, {"active": 90, "unverified": 4, "suspended": 6})
            provider = self.writer.add(
                Provider(
                    name_ru=f"{form_ru} «{word_ru}-{index + 1}»",
                    name_kk=f"«{word_kk}-{index + 1}» {form_kk}",
                    bin=bin_,
                    legal_form=form,
                    registration_date=registered,
                    home_region_id=region.pk,
                    address=f"г. {region.centre_ru or region.name_ru}, ул. Абая, {rng.randint(1, 250)}",
                    phone=f"+7 7{rng.randint(0, 99):02d} {rng.randint(100, 999)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)}",
                    email=f"ngo{index + 1}@example.kz",
                    ngo_db_listed=listed,
                    ngo_db_last_submission=(AS_OF - dt.timedelta(days=rng.randint(10, 600))) if listed else None,
                    status=status,
                    status_changed_at=None if status == "unverified" else _aware(registered + dt.timedelta(days=90)),
                    status_reason="Не представлена отчётность" if status == "suspended" else "",
                )
            )
            strength = rng.lognormvariate(0, 0.8)
            self.strength[provider.pk] = strength
            self.pool[region.pk].append(provider.pk)
            pool_weights[region.pk].append(strength)
            self.all_providers.append(provider.pk)
            self.all_weights.append(strength)
            areas = set()
            for _ in range(rng.randint(1, 3)):
                service = rng.choices(self.services, weights=service_weights)[0]
                area_region = region if rng.random() < 0.85 else rng.choice(self.regions)
                if (area_region.pk, service.pk) not in areas:
                    areas.add((area_region.pk, service.pk))
                    self.writer.add(
                        ServiceArea(
                            provider_id=provider.pk,
                            region_id=area_region.pk,
                            service_type_id=service.pk,
                            capacity=rng.randint(20, 400),
                        )
                    )
        self.pool_cum = {region_id: list(accumulate(weights)) for region_id, weights in pool_weights.items()}
        self.all_cum = list(accumulate(self.all_weights))
        existing = set(RegionPopulation.objects.values_list("region_id", "year"))
        for region in self.regions:
            base = REGION_WEIGHTS.get(region.code, 1.0) * 95_000
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                children = int(base * 1.015 ** (year - FIRST_YEAR) * rng.uniform(0.97, 1.03))  # drawn either way
                if region.exists_in(year) and (region.pk, year) not in existing:
                    self.writer.add(
                        RegionPopulation(region_id=region.pk, year=year, children=children, is_illustrative=True)
                    )
        self.writer.flush()

    @staticmethod
    def _provider_bin(registered: dt.date, index: int, taken: set[str]) -> str:
        """Return an unused valid BIN of a legal entity registered in that month (5th digit 4)."""
        for attempt in range(100):
            serial = (index + attempt * 7919) % 100_000
            for branch in "0123456789":
                candidate = make_bin(f"{registered:%y%m}4{branch}{serial:05d}")
                if candidate and candidate not in taken:
                    taken.add(candidate)
                    return candidate
        raise RuntimeError("No free BIN left for the synthetic NGOs.")

    # -- calls and everything that follows from them ---------------------------------------------------------------

    def call_slots(self) -> list[tuple[int, int, int]]:
        """Return (region index, service index, start year) of every call: drawn from weights per cell and year
        that leave some cells never bought, some years out, and grow over the decade."""
        rng = self.rng
        keys: list[tuple[int, int, int]] = []
        cumulative: list[float] = []
        total = 0.0
        for ri, region in enumerate(self.regions):
            region_weight = REGION_WEIGHTS.get(region.code, 1.0)
            for si, service in enumerate(self.services):
                if rng.random() < NEVER_SHARE:
                    continue
                cell = region_weight * SERVICE_WEIGHTS.get(service.code, 1.0) * rng.lognormvariate(0, 0.6)
                skipped: range = range(0)
                if rng.random() < GAP_SHARE:
                    first_skipped = rng.randint(FIRST_YEAR + 1, LAST_YEAR - 1)
                    skipped = range(first_skipped, first_skipped + rng.randint(1, 3))
                first = self.first_year[region.pk]
                if rng.random() < LATE_UPTAKE_SHARE:
                    first = max(first, FIRST_YEAR + rng.randint(1, 5))
                for year in range(first, LAST_YEAR + 1):
                    if year in skipped:
                        continue
                    weight = cell * (0.6 + 0.09 * (year - FIRST_YEAR))
                    if year >= self.split_year.get(region.pk, 9999):
                        weight *= 0.65
                    total += weight
                    keys.append((ri, si, year))
                    cumulative.append(total)
        slots = rng.choices(keys, cum_weights=cumulative, k=self.plan.calls)
        slots.sort(key=lambda k: (k[2], k[0], k[1]))
        return slots

    def calls(self) -> None:
        rng = self.rng
        slots = self.call_slots()
        others = self.plan.calls - self.plan.contracts
        failed = round(others * 0.62)
        cancelled_published = round(others * 0.2)
        statuses = (
            ["awarded"] * self.plan.contracts
            + ["failed"] * failed
            + ["cancelled-published"] * cancelled_published
            + ["cancelled-draft"] * (others - failed - cancelled_published)
        )
        rng.shuffle(statuses)
        total = len(slots)
        for start in range(0, total, CALLS_PER_CHUNK):
            for slot, status in zip(
                slots[start : start + CALLS_PER_CHUNK], statuses[start : start + CALLS_PER_CHUNK], strict=True
            ):
                self.call(slot, status)
            done = min(start + CALLS_PER_CHUNK, total)
            self.progress(0.03 + 0.95 * done / total, f"calls, bids, contracts, reports ({done:,} of {total:,} calls)")
            self.writer.flush()

    def call(self, slot: tuple[int, int, int], status: str) -> None:
        rng, writer = self.rng, self.writer
        ri, si, year = slot
        region, service = self.regions[ri], self.services[si]
        duration = _weighted(rng, DURATION_WEIGHTS)
        agency = rng.choice(self.national) if rng.random() < 0.1 else self.agencies[region.pk]
        opens = _aware(dt.date(year - 1, 11, 1) + dt.timedelta(days=rng.randint(0, 100)), 9)
        window = rng.randint(3, 6) if rng.random() < 0.05 else rng.randint(10, 30)
        deadline = opens + dt.timedelta(days=window, hours=9)
        has_outcome = any(i.kind == "outcome" and i.service_type_id for i in self.indicators[service.pk])
        call = Call(
            id=writer.new_id(Call),
            title_ru=f"{service.name_ru} — {region.name_ru}, {year}",
            title_kk=f"{service.name_kk} — {region.name_kk}, {year}",
            description_ru="Оказание специальных социальных услуг детям и семьям в рамках государственного "
            "социального заказа.",
            agency_id=agency.pk,
            region_id=region.pk,
            service_type_id=service.pk,
            target_group=rng.choice(TARGET_GROUPS),
            start_year=year,
            duration_years=duration,
            opens_at=opens,
            deadline=deadline,
            min_qualified_staff=rng.randint(0, 3),
            min_experience_years=rng.randint(0, 3),
            outcome_share=Decimal(rng.choice((10, 15, 20))) if has_outcome and rng.random() < 0.15 else None,
            created_by_id=self.user.pk,
        )
        call.number = f"ГСЗ-{year}-{region.code}-{call.id:06d}"
        if status != "cancelled-draft":
            call.published_at = opens - dt.timedelta(days=rng.randint(0, 2), hours=rng.randint(0, 8))
        if status in ("awarded", "failed"):
            call.status = Call.Status.AWARDED if status == "awarded" else Call.Status.FAILED
            call.opened_at = deadline + dt.timedelta(days=rng.randint(0, 3), hours=1)
            call.decided_at = call.opened_at + dt.timedelta(days=rng.randint(3, 25), hours=rng.randint(0, 5))
            call.scoring_closed_at = call.decided_at - dt.timedelta(hours=rng.randint(1, 30))
            if status == "awarded":
                call.standstill_until = call.decided_at + dt.timedelta(days=5)
            else:
                call.status_reason = "Нет допущенных заявок или лучшая заявка ниже минимального балла."
        else:
            call.status = Call.Status.CANCELLED
            call.cancelled_at = opens + dt.timedelta(days=rng.randint(1, window + 20))
            call.status_reason = "Изменение бюджетных назначений."
        writer.add(call)

        # Budget lines: the service's yearly price in the region, with inflation and the odd cut year.
        base = SERVICE_BUDGETS.get(service.code, 15e6) * (0.6 + 0.1 * REGION_WEIGHTS.get(region.code, 1.0))
        base *= rng.uniform(0.6, 1.4)
        lines = {}
        for y in range(year, year + duration):
            amount = base * 1.07 ** (y - FIRST_YEAR) * rng.uniform(0.85, 1.15)
            if rng.random() < 0.1:
                amount *= rng.uniform(0.5, 0.7)
            lines[y] = (max(1000, int(round(amount, -3))), "republican" if rng.random() < 0.25 else "local")
            writer.add(
                CallBudgetLine(call_id=call.id, year=y, amount=Decimal(lines[y][0]), funding_source=lines[y][1])
            )
        budget = sum(amount for amount, _source in lines.values())
        for position, (name_ru, name_kk, name_en, weight) in enumerate(DEFAULT_CRITERIA):
            writer.add(
                Criterion(
                    call_id=call.id,
                    name_ru=name_ru,
                    name_kk=name_kk,
                    name_en=name_en,
                    weight=weight,
                    position=position,
                )
            )

        # Bids from NGOs of the region mostly, the strongest more often.
        if status == "awarded":
            count = _weighted(rng, AWARDED_BIDS)
        elif status == "failed":
            count = _weighted(rng, FAILED_BIDS)
        elif status == "cancelled-published":
            count = _weighted(rng, CANCELLED_BIDS)
        else:
            count = 0
        bidders = self.bidders(region.pk, count)
        winner = None
        if status == "awarded":
            if not bidders:
                bidders = [rng.choice(self.all_providers)]
            winner = max(bidders, key=lambda p: self.strength[p] * rng.uniform(0.5, 1.5))
        winning_bid = None
        for provider_id in bidders:
            low = rng.random() < 0.04
            price = int(round(budget * (rng.uniform(0.55, 0.69) if low else rng.uniform(0.72, 1.0)), -2))
            bid = Bid(
                id=writer.new_id(Bid),
                call_id=call.id,
                provider_id=provider_id,
                price=Decimal(max(price, 100)),
                proposal="Кейс-менеджмент, индивидуальные планы, работа с семьёй по месту жительства.",
                price_justification="Собственные помещения и волонтёры снижают затраты." if low else "",
                submitted_at=opens + dt.timedelta(seconds=rng.randint(3600, window * 86400)),
                created_by_id=self.user.pk,
            )
            if status == "cancelled-published":
                bid.status = Bid.Status.SUBMITTED
            else:
                bid.decided_at = call.decided_at
                if provider_id == winner:
                    bid.status = Bid.Status.WINNER
                    winning_bid = bid
                elif rng.random() < (0.2 if status == "awarded" else 0.6):
                    bid.status = Bid.Status.REJECTED
                    bid.decision_reason = "Не выполнены квалификационные требования."
                else:
                    bid.status = Bid.Status.NOT_SELECTED
            writer.add(bid)
        if winning_bid is not None:
            self.contract(call, winning_bid, lines, budget)

    def bidders(self, region_id: int, count: int) -> list[int]:
        rng = self.rng
        chosen: list[int] = []
        pool, cum = self.pool[region_id], self.pool_cum[region_id]
        for _ in range(count * 4):
            if len(chosen) >= count:
                break
            if pool and rng.random() < 0.85:
                provider_id = rng.choices(pool, cum_weights=cum)[0]
            else:
                provider_id = rng.choices(self.all_providers, cum_weights=self.all_cum)[0]
            if provider_id not in chosen:
                chosen.append(provider_id)
        return chosen

    def contract(self, call: Call, bid: Bid, lines: dict[int, tuple[int, str]], budget: int) -> None:
        rng, writer = self.rng, self.writer
        total = int(bid.price)
        agency_signed = call.standstill_until + dt.timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 6))
        if rng.random() < 0.08:  # a late signature
            agency_signed += dt.timedelta(days=rng.randint(12, 50))
        provider_signed = max(
            call.standstill_until, agency_signed + dt.timedelta(days=rng.randint(-3, 3), hours=rng.randint(-5, 5))
        )
        pending = call.start_year == LAST_YEAR and rng.random() < 0.04
        if pending:
            provider_signed = None
            if rng.random() < 0.5:
                agency_signed = None
        signed_on = max(s for s in (agency_signed, provider_signed, call.standstill_until) if s is not None)
        start = max(dt.date(call.start_year, 1, 1), signed_on.astimezone(ALMATY).date())
        end = dt.date(call.start_year + call.duration_years - 1, 12, 31)
        contract = Contract(
            id=writer.new_id(Contract),
            number=f"Д-{call.number}",
            call_id=call.id,
            bid_id=bid.id,
            provider_id=bid.provider_id,
            agency_id=call.agency_id,
            region_id=call.region_id,
            service_type_id=call.service_type_id,
            total=Decimal(total),
            start_date=start,
            end_date=end,
            scope="Специальные социальные услуги по техническому заданию конкурса.",
            agency_signed_at=agency_signed,
            agency_signed_by_id=self.user.pk if agency_signed else None,
            provider_signed_at=provider_signed,
            provider_signed_by_id=self.user.pk if provider_signed else None,
            created_by_id=self.user.pk,
        )
        signed = not pending
        if pending:
            contract.status = Contract.Status.PENDING
        else:
            contract.status = Contract.Status.ACTIVE
            span = (end - start).days
            if rng.random() < 0.03 and span > 150:
                terminated_on = start + dt.timedelta(days=rng.randint(60, span - 30))
                if terminated_on < AS_OF:
                    contract.status = Contract.Status.TERMINATED
                    contract.terminated_on = terminated_on
                    contract.termination_reason = "Неисполнение обязательств поставщиком."
            if contract.status == Contract.Status.ACTIVE and end < AS_OF:
                contract.status = Contract.Status.COMPLETED
                contract.completed_at = _aware(end + dt.timedelta(days=rng.randint(1, 20)), 12)

        # Tranches: the budget lines scaled to the price; the last takes the rounding.
        years = sorted(lines)
        amounts = {}
        for y in years[:-1]:
            amounts[y] = lines[y][0] * total // budget
        amounts[years[-1]] = total - sum(amounts.values())
        amendment = None
        if signed and len(years) > 1 and rng.random() < 0.05:
            last = years[-1]
            effective = max(start, dt.date(last, 1, 1) - dt.timedelta(days=rng.randint(0, 60)))
            if effective < AS_OF:
                old = dict(amounts)
                if rng.random() < 0.8:
                    amounts[last] = max(1, int(amounts[last] * rng.uniform(0.65, 0.9)))
                    reason = Amendment.Reason.BUDGET_CUT
                else:
                    amounts[last] = int(amounts[last] * rng.uniform(1.05, 1.2))
                    reason = Amendment.Reason.BUDGET_INCREASE
                new_total = sum(amounts.values())
                amendment = Amendment(
                    contract_id=contract.id,
                    kind=Amendment.Kind.AMOUNT,
                    reason_code=reason,
                    reason_text="Уточнение местного бюджета.",
                    old_value={"total": f"{total}.00", **{str(y): f"{a}.00" for y, a in old.items()}},
                    new_value={"total": f"{new_total}.00", **{str(y): f"{a}.00" for y, a in amounts.items()}},
                    effective_date=effective,
                    value_change=Decimal(new_total - total),
                    created_by_id=self.user.pk,
                )
                total = new_total
                contract.total = Decimal(total)
        writer.add(contract)
        if amendment is not None:
            writer.add(amendment)
        if contract.terminated_on:
            writer.add(
                Amendment(
                    contract_id=contract.id,
                    kind=Amendment.Kind.TERMINATION,
                    reason_code=Amendment.Reason.NON_PERFORMANCE,
                    reason_text=contract.termination_reason,
                    old_value={"end_date": str(end)},
                    new_value={"terminated_on": str(contract.terminated_on)},
                    effective_date=contract.terminated_on,
                    created_by_id=self.user.pk,
                )
            )
        last_day = min(end, contract.terminated_on - dt.timedelta(days=1)) if contract.terminated_on else end
        for y in years:
            fixed, outcome = _split_parts(amounts[y], call.outcome_share)
            planned = dt.date(y, 2, 1) + dt.timedelta(days=rng.randint(0, 40))
            if y == start.year:
                planned = max(planned, start + dt.timedelta(days=20))
            tranche = writer.add(
                Tranche(
                    contract_id=contract.id,
                    year=y,
                    amount=Decimal(amounts[y]),
                    fixed_amount=fixed,
                    outcome_amount=outcome,
                    planned_date=planned,
                    funding_source=lines[y][1],
                )
            )
            if signed and planned < AS_OF and planned <= last_day:
                self.payments(tranche, planned, fixed, outcome, last_day)
        if not signed:
            return
        children = max(10, int(total / len(years) / 150_000 * rng.uniform(0.6, 1.4)))
        outcome_indicators = [i for i in self.indicators[call.service_type_id] if i.kind == "outcome"]
        for y in years:
            for indicator in outcome_indicators:
                writer.add(
                    Target(
                        contract_id=contract.id,
                        year=y,
                        indicator_id=indicator.pk,
                        value=self.target(indicator, children),
                    )
                )
        self.reports(contract, start, last_day, set(years), children)

    def payments(
        self, tranche: Tranche, planned: dt.date, fixed: Decimal, outcome: Decimal, last_day: dt.date
    ) -> None:
        rng, writer = self.rng, self.writer
        if rng.random() >= 0.03:  # 3 % of due fixed parts are never paid
            late = rng.random() < 0.08
            paid_on = planned + dt.timedelta(days=rng.randint(5, 60) if late else -rng.randint(0, 10))
            parts = [fixed]
            if fixed >= 2 and rng.random() < 0.3:  # paid in two instalments
                first = (fixed / 2).quantize(CENT)
                parts = [first, fixed - first]
            for number, part in enumerate(parts):
                day = paid_on + dt.timedelta(days=150 * number)
                if day < AS_OF and part > 0:
                    writer.add(
                        Payment(
                            tranche_id=tranche.id, kind="fixed", date=day, amount=part, recorded_by_id=self.user.pk
                        )
                    )
        if outcome > 0 and tranche.year < AS_OF.year and rng.random() < 0.9:
            day = dt.date(tranche.year + 1, 3, 1) + dt.timedelta(days=rng.randint(0, 60))
            if day < AS_OF:
                earned = (outcome * Decimal(f"{rng.uniform(0.5, 1.0):.2f}")).quantize(CENT)
                if earned > 0:
                    writer.add(
                        Payment(
                            tranche_id=tranche.id, kind="outcome", date=day, amount=earned, recorded_by_id=self.user.pk
                        )
                    )

    def target(self, indicator: Indicator, children: int) -> Decimal:
        if indicator.unit == "percent":
            return Decimal(self.rng.choice((10, 15, 20) if indicator.direction == "lower" else (60, 70, 75, 80, 85)))
        return Decimal(int(children * self.rng.uniform(0.8, 1.0)))

    def actual(self, indicator: Indicator, children: int) -> Decimal:
        rng = self.rng
        if indicator.unit == "percent":
            return _percent(rng, 2, 25) if indicator.direction == "lower" else _percent(rng, 45, 98)
        if indicator.unit in ("sessions", "visits", "cases"):
            return Decimal(int(children * rng.uniform(2, 8)))
        if indicator.unit == "families":
            return Decimal(int(children * rng.uniform(0.4, 0.8)))
        return Decimal(int(children * rng.uniform(0.8, 1.2)))

    def reports(self, contract: Contract, first_day: dt.date, last_day: dt.date, years: set[int], children: int):
        """Add the reporting schedule (as contracts.services.expected_periods makes it) and the reports."""
        rng, writer = self.rng, self.writer
        indicators = self.indicators[contract.service_type_id]
        outputs = [i for i in indicators if i.kind == "output"]
        for year in range(first_day.year, last_day.year + 1):
            periods = []
            for quarter in range(1, 5):
                q_start = dt.date(year, 3 * quarter - 2, 1)
                q_end = (dt.date(year, 3 * quarter + 1, 1) if quarter < 4 else dt.date(year + 1, 1, 1)) - dt.timedelta(
                    days=1
                )
                start, end = max(q_start, first_day), min(q_end, last_day)
                if start <= end:
                    periods.append((ReportingPeriod.Kind.QUARTERLY, quarter, start, end))
            if year in years:
                start, end = max(dt.date(year, 1, 1), first_day), min(dt.date(year, 12, 31), last_day)
                if start <= end:
                    periods.append((ReportingPeriod.Kind.ANNUAL, 0, start, end))
            for kind, quarter, start, end in periods:
                period = writer.add(
                    ReportingPeriod(
                        contract_id=contract.id,
                        kind=kind,
                        year=year,
                        quarter=quarter,
                        start=start,
                        end=end,
                        due_date=end + self.due_days,
                    )
                )
                annual = kind == ReportingPeriod.Kind.ANNUAL
                self.report(
                    period,
                    children if annual else int(children * rng.uniform(0.25, 0.4)),
                    indicators if annual else outputs,
                )

    def report(self, period: ReportingPeriod, children: int, indicators: list[Indicator]) -> None:
        rng, writer = self.rng, self.writer
        report = Report(
            id=writer.new_id(Report),
            period_id=period.id,
            narrative="Услуги оказаны по плану; проведены индивидуальные консультации и групповые занятия.",
            children_served=int(children * rng.uniform(0.85, 1.15)),
            created_by_id=self.user.pk,
        )
        report.families_served = int(report.children_served * rng.uniform(0.4, 0.8))
        if period.end >= AS_OF:  # the current period: a draft at most
            if rng.random() >= 0.3:
                return
        elif rng.random() < 0.04:  # never reported: overdue
            return
        else:
            due = _aware(period.due_date, rng.randint(9, 18))
            late = rng.random() < 0.12
            submitted = (
                due + dt.timedelta(days=rng.randint(1, 40)) if late else due - dt.timedelta(days=rng.randint(0, 9))
            )
            if submitted.date() >= AS_OF:
                if rng.random() >= 0.5:
                    return
            else:
                report.first_submitted_at = report.submitted_at = submitted
                if submitted.date() > AS_OF - dt.timedelta(days=20):
                    report.status = Report.Status.SUBMITTED
                else:
                    report.reviewed_at = min(
                        submitted + dt.timedelta(days=rng.randint(2, 15)), _aware(AS_OF - dt.timedelta(days=1))
                    )
                    report.reviewed_by_id = self.user.pk
                    if rng.random() < 0.04:
                        report.status = Report.Status.RETURNED
                        report.return_comment = "Уточните данные о расходах."
                    else:
                        report.status = Report.Status.ACCEPTED
        writer.add(report)
        for indicator in indicators:
            writer.add(Actual(report_id=report.id, indicator_id=indicator.pk, value=self.actual(indicator, children)))


def generate(
    scale: float = 1, *, seed: int = 1, progress: Progress | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Add the synthetic dataset at this scale to the database (meant to be empty but for reference data) and return
    how many rows of each model were made. Deterministic for a scale and seed."""
    progress = progress or _silent
    generator = _Generator(scale, seed, progress, batch_size)
    progress(0.0, "reference data and agencies")
    generator.prepare()
    progress(0.01, f"NGOs ({generator.plan.providers:,})")
    generator.providers()
    progress(0.03, "calls, bids, contracts, reports")
    generator.calls()
    progress(0.99, "sequences")
    generator.writer.reset_sequences()
    progress(1.0, "done")
    return dict(generator.writer.counts)
