"""The measurements of `python -m bench`: the harness (median timing, query counting, latency through the test
client, peak memory of a child process) and the comparisons the targets are stated against.

Comparisons:
- analytics: a straightforward baseline (Python loops over ORM rows, tranches and payments prefetched) and the
  floor, ONE hand-written SQL aggregate (coverage: money, contracts and providers per region × service over the
  serving contracts' tranches of the year; stability: money per region × service × year over tranches of signed
  contracts in the window);
- the workbook: the floor writes the same cells with xlsxwriter (constant memory) from lists already in memory —
  the cells of `write_workbook`'s own output once it exists, until then an approximation (README, coverage matrix,
  money by region and year, stability, contracts, providers). The user's route makes the same tables as a user
  would without the workbook: each computed as its page and CSV export compute it (the table functions of
  evaluation.analytics.workbook), then either django-tables2's export (TableExport, tablib) of the contracts list
  beside the other tables in a tablib Databook, or pandas `to_excel(engine="openpyxl")`; both are written by openpyxl.

The functions under test are imported lazily: one that does not exist yet is reported as "not available yet".
This module (a benchmark, not the application) imports pandas, tablib and xlsxwriter for the comparisons.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, reset_queries
from django.db.models import Count, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.generate import ALMATY, AS_OF
from contracts.models import Contract, Payment, Tranche
from core.models import Region, Role, ServiceType, User
from providers.models import Provider
from tenders.models import Call

NOT_YET = "not available yet"
COMMITTEE_USERNAME = "bench-committee"
CONTRACT_SHEET_WORDS = ("contract", "договор", "шарт")

# -- the harness ---------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile by the nearest-rank method (the value below which q % of the samples fall)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def time_it(fn: Callable[[], Any], *, repeat: int, warmup: int = 1) -> Timing:
    """Return the wall-clock times of `repeat` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Timing(samples)


def count_queries(fn: Callable[[], Any]) -> tuple[Any, int]:
    """Return the result of one call and the number of database queries it ran."""
    reset_queries()  # a request clears the log when it starts: begin from an empty one so nothing is lost
    with CaptureQueriesContext(connection) as context:
        result = fn()
    return result, len(context.captured_queries)


def peak_rss_kb() -> int:
    """Return this process's peak resident set in KiB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(task: str, params: dict, *, database_url: str | None = None, timeout: int = 3600) -> dict:
    """Run one task of `bench.child` in a fresh Python process (on another database when given) and return what it
    reports: its peak resident set, the resident set after start-up, and the seconds the task took."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "bench.child", task, json.dumps(params, default=str)]
    # The command is this interpreter running this package with arguments made here, never user input.
    finished = subprocess.run(  # noqa: S603
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    lines = finished.stdout.strip().splitlines()
    if finished.returncode != 0 or not lines:
        return {"error": (finished.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def committee_user() -> User:
    """Return the committee account the pages are measured with (made when missing; it cannot log in by
    password)."""
    user, created = User.objects.get_or_create(
        username=COMMITTEE_USERNAME,
        defaults={"role": Role.COMMITTEE, "first_name": "Bench", "last_name": "Committee"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def page_latency(url: str, user: User, *, requests: int, warmup: int = 2) -> dict:
    """Return the status, queries of one request, and the median and 95th-percentile latency in milliseconds of
    `requests` requests to a page through the test client, logged in as `user`."""
    client = Client(raise_request_exception=True)
    client.force_login(user)
    for _ in range(warmup):
        client.get(url)
    reset_queries()  # the request clears the log when it starts: begin from an empty one so nothing is lost
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    queries = len(context.captured_queries)  # now: the next request clears the log they are read from
    samples = []
    for _ in range(max(1, requests)):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "url": url,
        "status": response.status_code,
        "queries": queries,
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 95),
        "samples_ms": [round(s, 2) for s in samples],
    }


def optional(module: str, name: str) -> Callable | str:
    """Return module.name, or why it is not there: NOT_YET when the module or the name does not exist yet."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return NOT_YET
        return f"import failed: {error}"
    except Exception as error:  # code under construction: report, never stop the bench
        return f"import failed: {type(error).__name__}: {error}"
    return getattr(found, name, NOT_YET)


def optional_url(name: str, **query: str) -> str | None:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


# -- the comparisons of the analytics --------------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def sql_floor_coverage(year: int) -> list[tuple]:
    """Return money, contracts and providers per region × service of the contracts serving the year: one query."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sql = (
        "SELECT c.region_id, c.service_type_id, "  # noqa: S608 -- the table names come from the models
        "SUM(t.amount), COUNT(DISTINCT c.id), COUNT(DISTINCT c.provider_id) "
        f"FROM {_table(Contract)} c JOIN {_table(Tranche)} t ON t.contract_id = c.id AND t.year = %s "
        "WHERE c.agency_signed_at IS NOT NULL AND c.provider_signed_at IS NOT NULL "
        "AND c.start_date <= %s AND c.end_date >= %s AND (c.terminated_on IS NULL OR c.terminated_on > %s) "
        "GROUP BY c.region_id, c.service_type_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, _date(last), _date(first), _date(first)])
        return cursor.fetchall()


def sql_floor_stability(first_year: int, last_year: int) -> list[tuple]:
    """Return money and contracts per region × service × year of signed contracts' tranches in the window: one
    query."""
    sql = (
        "SELECT c.region_id, c.service_type_id, t.year, "  # noqa: S608 -- the table names come from the models
        "SUM(t.amount), COUNT(DISTINCT c.id) "
        f"FROM {_table(Tranche)} t JOIN {_table(Contract)} c ON c.id = t.contract_id "
        "WHERE c.agency_signed_at IS NOT NULL AND c.provider_signed_at IS NOT NULL AND t.year BETWEEN %s AND %s "
        "GROUP BY c.region_id, c.service_type_id, t.year"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first_year, last_year])
        return cursor.fetchall()


def _cells() -> list[tuple[Region, ServiceType]]:
    regions = list(Region.objects.filter(level=Region.Level.FIRST).order_by("kato"))
    services = list(ServiceType.objects.order_by("id"))
    return [(region, service) for region in regions for service in services]


def naive_coverage(year: int, today: dt.date) -> dict[tuple[int, int], dict]:
    """Return each cell's status, money, paid money, contracts and providers, computed the straightforward way:
    Python loops over every contract with its tranches and payments, and over every call."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lookback = dt.date(year - 5, 1, 1)
    cells = {}
    for region, service in _cells():
        status = None
        if not region.exists_in(year):
            status = "na"
        elif region.data_from_year and year < region.data_from_year:
            status = "no_data"
        cells[(region.pk, service.pk)] = {
            "status": status,
            "money": Decimal(0),
            "paid": Decimal(0),
            "contracts": 0,
            "providers": set(),
            "last_served": None,
            "failed": False,
        }
    for contract in Contract.objects.prefetch_related("tranches__payments"):
        cell = cells.get((contract.region_id, contract.service_type_id))
        if cell is None or not contract.is_signed:
            continue
        last_day = contract.last_serving_day
        if last_day < contract.start_date:
            continue
        if contract.start_date <= last and last_day >= first:
            cell["contracts"] += 1
            cell["providers"].add(contract.provider_id)
            for tranche in contract.tranches.all():
                if tranche.year == year:
                    cell["money"] += tranche.amount
                    cell["paid"] += sum((p.amount for p in tranche.payments.all() if p.date <= today), Decimal(0))
        elif lookback <= last_day < first:
            cell["last_served"] = max(cell["last_served"] or last_day, last_day)
    for call in Call.objects.all():
        failed = call.status == Call.Status.FAILED or (call.status == Call.Status.CANCELLED and call.published_at)
        cell = cells.get((call.region_id, call.service_type_id))
        if failed and cell is not None and year in call.years:
            cell["failed"] = True
    for cell in cells.values():
        cell["providers"] = len(cell["providers"])
        if cell["status"] is None:
            if cell["contracts"]:
                cell["status"] = "covered"
            elif cell["failed"]:
                cell["status"] = "failed"
            else:
                cell["status"] = "gap" if cell["last_served"] else "never"
    return cells


def naive_stability(first_year: int, last_year: int, today: dt.date) -> dict[tuple[int, int], dict]:
    """Return each cell's money by year, coefficient of variation, drops, longest gap and verdict, computed the
    straightforward way: Python loops over every contract with its tranches."""
    window_first, window_last = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    until = min(window_last, today)
    years = list(range(first_year, last_year + 1))
    money: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(lambda: dict.fromkeys(years, Decimal(0)))
    intervals: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for contract in Contract.objects.prefetch_related("tranches"):
        if not contract.is_signed:
            continue
        last_day = contract.last_serving_day
        if last_day < contract.start_date or contract.start_date > window_last or last_day < window_first:
            continue
        key = (contract.region_id, contract.service_type_id)
        intervals[key].append((contract.start_date, last_day))
        for tranche in contract.tranches.all():
            if first_year <= tranche.year <= last_year and contract.start_date.year <= tranche.year <= last_day.year:
                money[key][tranche.year] += tranche.amount
    rows = {}
    for region, service in _cells():
        key = (region.pk, service.pk)
        by_year = money[key]
        values = [by_year[y] for y in years]
        mean = sum(values) / len(values)
        cv = Decimal(statistics.pstdev(values)) / mean if mean else Decimal(0)
        drops = [
            y
            for y, nxt in zip(years, years[1:], strict=False)
            if by_year[y] and (by_year[y] - by_year[nxt]) / by_year[y] > Decimal("0.3")
        ]
        longest = 0
        spans = sorted(intervals[key])
        if spans:
            day = max(window_first, spans[0][0])
            for start, end in spans:
                if start > day:
                    longest = max(longest, (min(start, until + dt.timedelta(days=1)) - day).days)
                day = max(day, end + dt.timedelta(days=1))
            if day <= until:
                longest = max(longest, (until - day).days + 1)
        if not sum(values):
            verdict = "unfunded"
        elif longest >= 60:
            verdict = "interrupted"
        elif cv > Decimal("0.3") or drops:
            verdict = "volatile"
        else:
            verdict = "stable"
        rows[key] = {"money": by_year, "cv": cv, "drops": drops, "longest_gap": longest, "verdict": verdict}
    return rows


# -- the comparisons of the workbook ---------------------------------------------------------------------------------

Sheets = list[tuple[str, list[list]]]


def approximate_sheets(year: int, first_year: int, last_year: int, today: dt.date) -> Sheets:
    """Return the cells a coverage workbook holds, approximately (until `write_workbook` exists): README, coverage
    matrix, money by region and year, stability, contracts and providers."""
    regions = {r.pk: r.name_ru for r in Region.objects.filter(level=Region.Level.FIRST)}
    services = {s.pk: s.name_ru for s in ServiceType.objects.order_by("id")}
    readme = [["Лист", "Что на нём"]] + [
        [name, f"Синтетические данные бенчмарка; срез на {today:%d.%m.%Y}; год {year}; окно {first_year}–{last_year}."]
        for name in ("Покрытие", "Деньги по регионам", "Стабильность", "Договоры", "Поставщики")
    ]
    money = {(r, s): m for r, s, m, _c, _p in sql_floor_coverage(year)}
    matrix = [["Регион", *services.values()]]
    for region_id, region_name in sorted(regions.items(), key=lambda item: item[1]):
        matrix.append([region_name, *(money.get((region_id, s), 0) for s in services)])
    planned = (
        Tranche.objects.filter(contract__agency_signed_at__isnull=False, contract__provider_signed_at__isnull=False)
        .values_list("contract__region_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    paid = dict(
        ((r, y), total)
        for r, y, total in Payment.objects.filter(date__lte=today)
        .values_list("tranche__contract__region_id", "tranche__year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_region = [["Регион", "Год", "План", "Оплачено"]] + [
        [regions.get(r, r), y, total, paid.get((r, y), 0)] for r, y, total in planned
    ]
    years = list(range(first_year, last_year + 1))
    window: dict[tuple[int, int], dict[int, Any]] = defaultdict(dict)
    for r, s, y, total, _contracts in sql_floor_stability(first_year, last_year):
        window[(r, s)][y] = total
    stability = [["Регион", "Услуга", *years]] + [
        [regions.get(r, r), services.get(s, s), *(by_year.get(y, 0) for y in years)]
        for (r, s), by_year in sorted(window.items())
    ]
    paid_by_contract = dict(
        Payment.objects.values_list("tranche__contract_id").annotate(total=Sum("amount")).order_by()
    )
    contracts = [
        ["Номер", "Статус", "НПО", "БИН", "Регион", "Услуга", "Заказчик", "Начало", "Конец", "Сумма", "Оплачено"]
    ]
    for row in (
        in_window(Contract.objects, (first_year, last_year))
        .order_by("id")
        .values_list(
            "id",
            "number",
            "status",
            "provider__name_ru",
            "provider__bin",
            "region__name_ru",
            "service_type__name_ru",
            "agency__name_ru",
            "start_date",
            "end_date",
            "total",
        )
    ):
        contracts.append([*row[1:], paid_by_contract.get(row[0], 0)])
    won = {
        p: (n, total)
        for p, n, total in Contract.objects.values_list("provider_id")
        .annotate(n=Count("id"), total=Sum("total"))
        .order_by()
    }
    providers = [["НПО", "БИН", "Регион", "Статус", "Договоров", "Сумма"]] + [
        [name, bin_, regions.get(region_id, region_id), status, *won.get(pk, (0, 0))]
        for pk, name, bin_, region_id, status in Provider.objects.order_by("id").values_list(
            "id", "name_ru", "bin", "home_region_id", "status"
        )
    ]
    return [
        ("README", readme),
        ("Покрытие", matrix),
        ("Деньги по регионам и годам", by_region),
        ("Стабильность", stability),
        ("Договоры", contracts),
        ("Поставщики", providers),
    ]


def sheets_of(path: Path) -> Sheets:
    """Return every sheet of an XLSX file as lists of cell values (read once, to give the floor the same cells)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in workbook.worksheets]
    finally:
        workbook.close()


def write_floor(sheets: Sheets, path: Path) -> None:
    """Write the cells with xlsxwriter in constant-memory mode, row by row, from lists in memory: the floor."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "dd.mm.yyyy",
            "remove_timezone": True,
        },
    )
    for name, rows in sheets:
        worksheet = workbook.add_worksheet(name[:31])
        for index, row in enumerate(rows):
            worksheet.write_row(index, 0, row)
    workbook.close()


def _is_contracts(name: str) -> bool:
    return any(word in name.lower() for word in CONTRACT_SHEET_WORDS)


def _plain(value: Any) -> Any:
    """Return a cell as openpyxl takes it: lazy translations and other objects as text, None as empty."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal | dt.date):
        return value
    return str(value)


def _rectangle(rows: list[list]) -> list[list]:
    width = max((len(row) for row in rows), default=0)
    return [[_plain(v) for v in row] + [""] * (width - len(row)) for row in rows]


def in_window(contracts, window: tuple[int, int]):
    """Return the contracts with a day in the window's years (as a user would filter the list)."""
    return contracts.filter(start_date__lte=dt.date(window[1], 12, 31), end_date__gte=dt.date(window[0], 1, 1))


@dataclass
class Subject:
    """What the workbook is made for: the year of the matrix, the stability window, the snapshot day, the user."""

    year: int
    first_year: int
    last_year: int
    today: dt.date
    user: User

    @property
    def window(self) -> tuple[int, int]:
        return (self.first_year, self.last_year)

    def arguments(self) -> dict[str, Any]:
        """Return every argument the workbook's functions may ask for, by the names they may use."""
        now = dt.datetime(self.today.year, self.today.month, self.today.day, 12, tzinfo=ALMATY)
        citable = f"GSZ-BENCH-{self.year}-{self.first_year}-{self.last_year}-{self.today:%Y%m%d}"
        return {
            "year": self.year,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "first": self.first_year,
            "last": self.last_year,
            "window": self.window,
            "citable": citable,
            "citable_id": citable,
            "today": self.today,
            "on": self.today,
            "snapshot_day": self.today,
            "now": now,
            "snapshot": now,
            "snapshot_at": now,
            "user": self.user,
            "language": "ru",
            "lang": "ru",
        }


OUTPUT_PARAMETERS = ("output", "stream", "file", "fileobj", "fp", "buffer", "out", "target")
PATH_PARAMETERS = ("path", "filename", "file_path")


def call_with(fn: Callable, arguments: dict[str, Any], *, output=None, path: Path | None = None) -> Any:
    """Call fn with what its signature asks for, by name (the signatures under test are not settled): the output
    (the first unknown parameter, or one named like an output) and the known arguments."""
    args, kwargs = [], {}
    for name, parameter in inspect.signature(fn).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if path is not None and name in PATH_PARAMETERS:
            value = str(path)
        elif output is not None and (name in OUTPUT_PARAMETERS or (not args and not kwargs and name not in arguments)):
            value = output
        elif name in arguments:
            value = arguments[name]
        elif parameter.default is not parameter.empty:
            continue
        else:
            raise TypeError(f"{fn.__name__}() asks for {name!r}, which the bench does not know how to give")
        if parameter.kind == parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[name] = value
    return fn(*args, **kwargs)


def call_write_workbook(fn: Callable, path: Path, subject: Subject) -> None:
    """Write the workbook to `path` through `write_workbook`, whatever the order and names of its parameters."""
    with path.open("wb") as handle:
        result = call_with(fn, subject.arguments(), output=handle, path=path)
        if isinstance(result, bytes | bytearray):
            handle.write(result)
        elif hasattr(result, "getvalue"):
            handle.write(result.getvalue())


# The workbook's tables (header row first): what its pages and CSV exports show too.
TABLE_NAMES = ("coverage", "money", "stability", "uncovered", "flags", "contracts", "providers")


def route_tables(subject: Subject, *, contracts: bool = True) -> tuple[Sheets, str]:
    """Return the workbook's tables as a user's route computes them — evaluation.analytics.workbook.table_sheet, the
    rows the pages and CSV exports show — or the approximate sheets while that is not there; and which."""
    table_sheet = optional("evaluation.analytics.workbook", "table_sheet")
    if isinstance(table_sheet, str):
        sheets = approximate_sheets(subject.year, subject.first_year, subject.last_year, subject.today)
        return [(n, rows) for n, rows in sheets if contracts or not _is_contracts(n)], "approximate tables"
    filters = {
        "user": subject.user,
        "year": subject.year,
        "first": subject.first_year,
        "last": subject.last_year,
        "today": subject.today,
    }
    sheets = [
        (name, [list(row) for row in table_sheet(name, **filters)[0]])
        for name in TABLE_NAMES
        if contracts or not _is_contracts(name)
    ]
    return sheets, "the workbook's tables"


def tablib_route(subject: Subject, path: Path) -> str:
    """Make the workbook as a user would without it: each table computed as its page does, the contracts through
    the list's own django-tables2 export (TableExport, tablib), all in one tablib Databook written by openpyxl."""
    import tablib
    from django_tables2.export import TableExport

    from contracts.tables import ContractTable
    from contracts.views import contracts_for_list

    sheets, source = route_tables(subject, contracts=False)
    book = tablib.Databook()
    for name, rows in sheets:
        rows = _rectangle(rows)
        headers = [str(h) for h in rows[0]] if rows else []
        book.add_sheet(tablib.Dataset(*[tuple(r) for r in rows[1:]], headers=headers, title=name[:31]))
    table = ContractTable(in_window(contracts_for_list(subject.user), subject.window).order_by("-start_date", "-id"))
    contracts = TableExport("xlsx", table).dataset
    contracts.title = "contracts"
    book.add_sheet(contracts)
    path.write_bytes(book.export("xlsx"))
    return source


def pandas_route(subject: Subject, path: Path) -> str:
    """Make the workbook as an analyst would: each table computed as its page does, one DataFrame per table,
    to_excel with openpyxl."""
    import pandas as pd

    sheets, source = route_tables(subject)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, rows in sheets:
            rows = _rectangle(rows)
            frame = pd.DataFrame(rows[1:], columns=[str(h) for h in rows[0]]) if rows else pd.DataFrame()
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return source


def run_task(task: str, params: dict) -> None:
    """Run one workload of the memory measurement (in a child process, see bench.child)."""
    today = dt.date.fromisoformat(params["today"])
    subject = Subject(params["year"], params["first_year"], params["last_year"], today, committee_user())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{task}.xlsx"
        if task == "workbook":
            fn = optional("evaluation.analytics.workbook", "write_workbook")
            if isinstance(fn, str):
                raise RuntimeError(fn)
            call_write_workbook(fn, path, subject)
        elif task == "floor":
            write_floor(approximate_sheets(subject.year, subject.first_year, subject.last_year, today), path)
        elif task == "pandas":
            pandas_route(subject, path)
        elif task == "tablib":
            tablib_route(subject, path)
        else:
            raise ValueError(f"unknown task {task!r}")


# -- the run -------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    group: str
    measurement: str
    value: float | None = None
    unit: str = ""
    comparison: str = ""
    comparison_value: float | None = None
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Options:
    scale: float
    repeat: int = 5
    requests: int = 30
    year: int = AS_OF.year - 1
    window: tuple[int, int] = (AS_OF.year - 5, AS_OF.year - 1)
    today: dt.date = AS_OF
    naive: bool = True
    memory_databases: dict[float, str | None] = field(default_factory=dict)  # scale → DATABASE_URL (None: this one)
    echo: Callable[[str], None] = print


def _seconds(timing: Timing) -> float:
    return round(timing.median, 4)


def _failure(group: str, measurement: str, error: BaseException | str) -> Row:
    text = error if isinstance(error, str) else f"failed: {type(error).__name__}: {error}"
    return Row(group, measurement, note=text)


def analytics_rows(options: Options) -> list[Row]:
    rows: list[Row] = []
    year, (first_year, last_year), today = options.year, options.window, options.today
    floors = {
        "coverage": time_it(lambda: sql_floor_coverage(year), repeat=options.repeat),
        "stability": time_it(lambda: sql_floor_stability(first_year, last_year), repeat=options.repeat),
    }
    naive = {}
    if options.naive:
        naive_repeat = min(options.repeat, 3)
        options.echo("  naive baselines (Python loops over ORM rows)…")
        naive["coverage"] = time_it(lambda: naive_coverage(year, today), repeat=naive_repeat, warmup=0)
        naive["stability"] = time_it(
            lambda: naive_stability(first_year, last_year, today), repeat=naive_repeat, warmup=0
        )
    subjects = [
        (
            "coverage",
            f"coverage matrix {year}",
            "evaluation.analytics.coverage",
            "coverage_matrix",
            lambda fn: fn(year, today=today),
        ),
        (
            "stability",
            f"stability table {first_year}–{last_year}",
            "evaluation.analytics.stability",
            "stability_table",
            lambda fn: fn(first_year, last_year, today=today),
        ),
    ]
    for key, label, module, name, call in subjects:
        floor = floors[key]
        options.echo(f"  {label}…")
        fn = optional(module, name)
        if isinstance(fn, str):
            rows.append(_failure("analytics", label, fn))
        else:
            try:
                _result, queries = count_queries(lambda fn=fn, call=call: call(fn))
                timing = time_it(lambda fn=fn, call=call: call(fn), repeat=options.repeat)
            except Exception as error:  # code under construction: report, never stop the bench
                rows.append(_failure("analytics", label, error))
            else:
                ratio = timing.median / floor.median
                rows.append(
                    Row(
                        "analytics",
                        label,
                        _seconds(timing),
                        "s",
                        f"SQL floor {floor.median:.4f} s",
                        _seconds(floor),
                        round(ratio, 2),
                        "≤ 3× SQL floor",
                        ratio <= 3,
                        extra={"samples": timing.samples, "queries": queries},
                    )
                )
                rows.append(Row("analytics", f"{label}: queries", queries, "queries"))
                if key in naive:
                    rows.append(
                        Row(
                            "analytics",
                            f"{label} vs naive",
                            _seconds(timing),
                            "s",
                            f"naive ORM loops {naive[key].median:.3f} s",
                            _seconds(naive[key]),
                            round(naive[key].median / timing.median, 1),
                            note="ratio = naive ÷ function",
                        )
                    )
        if key in naive:
            rows.append(
                Row(
                    "analytics",
                    f"  naive baseline ({key})",
                    _seconds(naive[key]),
                    "s",
                    f"SQL floor {floor.median:.4f} s",
                    _seconds(floor),
                    round(naive[key].median / floor.median, 1),
                    extra={"samples": naive[key].samples},
                )
            )
    return rows


def workbook_rows(options: Options, user: User) -> list[Row]:
    rows: list[Row] = []
    subject = Subject(options.year, options.window[0], options.window[1], options.today, user)
    fn = optional("evaluation.analytics.workbook", "write_workbook")
    label = "coverage workbook"
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        workbook_timing = None
        sheets = None
        source = "approximate cells (write_workbook not available yet)"
        if isinstance(fn, str):
            rows.append(_failure("workbook", label, fn))
        else:
            options.echo("  write_workbook…")
            output = folder / "workbook.xlsx"
            try:
                workbook_timing = time_it(lambda: call_write_workbook(fn, output, subject), repeat=options.repeat)
                sheets = sheets_of(output)
                source = "the cells of write_workbook's output"
            except Exception as error:  # code under construction: report, never stop the bench
                rows.append(_failure("workbook", label, error))
                source = "approximate cells (write_workbook failed)"
        if sheets is None:
            sheets = approximate_sheets(subject.year, subject.first_year, subject.last_year, subject.today)
        cells = sum(len(r) for _name, rows_ in sheets for r in rows_)
        options.echo(f"  xlsxwriter floor ({cells:,} cells)…")
        floor = time_it(lambda: write_floor(sheets, folder / "floor.xlsx"), repeat=options.repeat)
        route_repeat = min(options.repeat, 3)
        routes: dict[str, Timing] = {}
        route_sources: dict[str, str] = {}
        for name, route in (("django-tables2/tablib", tablib_route), ("pandas/openpyxl", pandas_route)):
            options.echo(f"  {name} route…")
            path = folder / "route.xlsx"
            try:
                route_sources[name] = route(subject, path)
                routes[name] = time_it(
                    lambda route=route, path=path: route(subject, path), repeat=route_repeat, warmup=0
                )
            except Exception as error:  # code under construction: report, never stop the bench
                rows.append(_failure("workbook", f"  {name} route", error))
    info = {"cells": cells, "sheets": [name for name, _rows in sheets], "floor_cells": source}
    if workbook_timing is not None:
        ratio = workbook_timing.median / floor.median
        rows.append(
            Row(
                "workbook",
                label,
                _seconds(workbook_timing),
                "s",
                f"xlsxwriter floor {floor.median:.3f} s",
                _seconds(floor),
                round(ratio, 2),
                "≤ 2× floor",
                ratio <= 2,
                extra={"samples": workbook_timing.samples, **info},
            )
        )
        for name, timing in routes.items():
            faster = timing.median / workbook_timing.median
            rows.append(
                Row(
                    "workbook",
                    f"{label} vs {name}",
                    _seconds(workbook_timing),
                    "s",
                    f"{name} route {timing.median:.3f} s",
                    _seconds(timing),
                    round(faster, 2),
                    "≥ 3× faster",
                    faster >= 3,
                    note="ratio = route ÷ workbook",
                )
            )
    rows.append(Row("workbook", "  xlsxwriter floor", _seconds(floor), "s", note=source, extra=info))
    for name, timing in routes.items():
        rows.append(
            Row(
                "workbook",
                f"  {name} route",
                _seconds(timing),
                "s",
                f"xlsxwriter floor {floor.median:.3f} s",
                _seconds(floor),
                round(timing.median / floor.median, 1),
                note=f"tables from {route_sources[name]}",
                extra={"samples": timing.samples},
            )
        )
    return rows


def memory_rows(options: Options) -> list[Row]:
    rows: list[Row] = []
    if not options.memory_databases:
        return rows
    params = {
        "year": options.year,
        "first_year": options.window[0],
        "last_year": options.window[1],
        "today": options.today.isoformat(),
    }
    scales = sorted(options.memory_databases)
    for task, label in (("workbook", "coverage workbook"), ("floor", "xlsxwriter floor"), ("pandas", "pandas route")):
        peaks = {}
        for scale in scales:
            options.echo(f"  peak memory of the {label} at scale {scale:g} (child process)…")
            result = run_child(task, params, database_url=options.memory_databases[scale])
            name = f"{label}: peak RSS, scale {scale:g}"
            if "error" in result:
                error = result["error"]
                rows.append(_failure("memory", name, NOT_YET if NOT_YET in error else f"failed: {error}"))
                continue
            peaks[scale] = result["peak_kb"] / 1024
            rows.append(
                Row(
                    "memory",
                    name,
                    round(peaks[scale], 1),
                    "MB",
                    f"after start-up {result['baseline_kb'] / 1024:.0f} MB",
                    round(result["baseline_kb"] / 1024, 1),
                    note=f"{result['seconds']:.1f} s",
                    extra=result,
                )
            )
        if len(peaks) >= 2:
            low, high = scales[0], scales[-1]
            if low in peaks and high in peaks:
                growth = peaks[high] / peaks[low]
                rows.append(
                    Row(
                        "memory",
                        f"{label}: peak RSS growth {low:g} → {high:g}",
                        round(growth, 2),
                        "×",
                        f"data grows {high / low:g}×",
                        round(high / low, 2),
                        target="< 1.5×" if task == "workbook" else "",
                        met=(growth < 1.5) if task == "workbook" else None,
                    )
                )
    return rows


def page_rows(options: Options, user: User) -> list[Row]:
    rows: list[Row] = []
    on_target = connection.vendor == "postgresql" and options.scale == 1
    pages = [
        ("committee dashboard", "evaluation:committee", True),
        ("dashboard (committee role)", "core:dashboard", False),
        ("contracts list", "contracts:contract-list", False),
    ]
    middle = max(1, Contract.objects.count() // 25 // 2)
    pages.append((f"contracts list, page {middle}", "contracts:contract-list", False))
    for label, name, targeted in pages:
        url = optional_url(name, **({"page": str(middle)} if "page" in label else {}))
        if url is None:
            rows.append(_failure("pages", label, NOT_YET))
            continue
        options.echo(f"  {label} ({options.requests} requests)…")
        try:
            result = page_latency(url, user, requests=options.requests)
        except Exception as error:  # code under construction: report, never stop the bench
            rows.append(_failure("pages", label, error))
            continue
        note = "" if result["status"] == 200 else f"HTTP {result['status']}"
        rows.append(
            Row(
                "pages",
                f"{label}: queries",
                result["queries"],
                "queries",
                target="< 20" if targeted else "",
                met=(result["queries"] < 20) if targeted else None,
                note=note,
                extra={"url": url},
            )
        )
        rows.append(Row("pages", f"{label}: p50", round(result["p50_ms"], 1), "ms"))
        rows.append(
            Row(
                "pages",
                f"{label}: p95",
                round(result["p95_ms"], 1),
                "ms",
                target="< 300 ms (PostgreSQL, scale 1)" if targeted else "",
                met=(result["p95_ms"] < 300) if targeted and on_target else None,
                note="" if not targeted or on_target else "target applies on PostgreSQL at scale 1",
                extra={"samples_ms": result["samples_ms"]},
            )
        )
    return rows


def run(options: Options) -> list[Row]:
    """Run every measurement and return the rows of the results table."""
    user = committee_user()
    rows: list[Row] = []
    options.echo("Analytics…")
    rows += analytics_rows(options)
    options.echo("Workbook…")
    rows += workbook_rows(options, user)
    options.echo("Pages…")
    rows += page_rows(options, user)
    options.echo("Memory…")
    rows += memory_rows(options)
    return rows


# -- the report ----------------------------------------------------------------------------------------------------


def _value(row: Row) -> str:
    if row.value is None:
        return "—"
    if row.unit == "s":
        return f"{row.value:.4f} s" if row.value < 1 else f"{row.value:.2f} s"
    if row.unit == "queries":
        return f"{row.value:g} queries"
    if row.unit == "×":
        return f"{row.value:.2f}×"
    return f"{row.value:g} {row.unit}"


def _met(row: Row) -> str:
    if row.met is None:
        return "" if not row.target else "—"
    return "yes" if row.met else "NO"


def table(rows: list[Row]) -> str:
    """Return the results as a plain-text table: measurement, value, comparison, ratio, target, met?, note."""
    header = ("measurement", "value", "comparison", "ratio", "target", "met?", "note")
    lines = [
        (
            row.measurement,
            _value(row),
            row.comparison,
            "" if row.ratio is None else f"{row.ratio:g}×",
            row.target,
            _met(row),
            row.note,
        )
        for row in rows
    ]
    widths = [max(len(str(cells[i])) for cells in [header, *lines]) for i in range(len(header))]
    out = []
    group = None
    for row, cells in zip([None, *rows], [header, *lines], strict=True):
        if row is not None and row.group != group:
            group = row.group
            out.append(f"-- {group} " + "-" * (sum(widths) + 3 * (len(widths) - 1) - len(group) - 4))
        out.append(" | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(out)


def as_json(rows: list[Row], meta: dict) -> dict:
    return {"meta": meta, "results": [asdict(row) for row in rows]}
