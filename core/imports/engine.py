"""The import engine: one pass over the file's sheets in the kinds' order, chunk by chunk.

A dry run parses and checks every row and counts what would be created, updated or left unchanged, writing
nothing. A commit runs the same pass inside one transaction and writes each chunk (bulk_create / bulk_update, the
provenance rows and the audit events in bulk) once it is checked; any problem rolls everything back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Action
from core.imports import registry
from core.imports.columns import CellError, ParsedRow
from core.imports.reader import FileProblem, Sheet, read
from core.models import Agency, AuditEvent, Import, ImportedRecord, Region, ServiceType
from core.search import Searchable

MAX_STORED_PROBLEMS = 5000
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Rollback(Exception):
    """Raised inside the commit's transaction when a problem turns up: nothing is written."""


@dataclass
class Context:
    """What every row's check may use: the user and agency, reference data, and the records the file plans."""

    user: Any
    agency: Agency | None
    commit: bool
    regions: dict = field(default_factory=dict)
    service_types: dict = field(default_factory=dict)
    agencies: dict = field(default_factory=dict)
    planned: dict = field(default_factory=lambda: defaultdict(dict))  # kind code → key → summary
    cache: dict = field(default_factory=dict)  # what kinds fetch for their references
    problems: list = field(default_factory=list)
    sheet: str = ""

    def __post_init__(self):
        self.regions = {region.kato: region for region in Region.objects.all()}
        self.service_types = {service.code: service for service in ServiceType.objects.all()}
        self.agencies = {agency.bin: agency for agency in Agency.objects.all()}

    def may_import_for(self, agency_id: int | None) -> bool:
        """An import for an agency (every officer's, an administrator's when one is named) takes that agency's
        records only; an administrator's import for no agency takes any agency's."""
        if self.agency is not None:
            return agency_id == self.agency.pk
        return self.user.is_admin

    def resolve(self, code: str, keys, loader: Callable[[list], dict]) -> Callable[[Any], dict | None]:
        """Return a lookup of records of kind `code` by key: those this file plans first, then those in the system
        (fetched once, in bulk, by `loader(keys) -> {key: summary}`)."""
        cache = self.cache.setdefault(code, {})
        planned = self.planned.get(code, {})
        missing = [key for key in set(keys) if key not in planned and key not in cache and key is not None]
        if missing:
            cache.update(loader(missing))
        return lambda key: planned.get(key) or cache.get(key)

    def add(self, sheet: str, row: int, column: str, value: str, message: str) -> None:
        self.problems.append({"sheet": sheet, "row": row, "column": column, "value": value, "message": str(message)})

    def add_row_problem(self, row: ParsedRow, column: str, message: str) -> None:
        """A problem found after the row was checked (e.g. by a kind's `finish`)."""
        self.add(self.sheet, row.number, column, row.raw.get(column, ""), message)


@dataclass
class Outcome:
    counts: dict
    problems: list
    problem_count: int
    unreadable: bool = False


def run(batch: Import, *, commit: bool, progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Check (and with `commit`, write) the import's file; return the counts and the problems."""
    batch.file.open("rb")
    try:
        content = batch.file.read()
    finally:
        batch.file.close()
    try:
        sheets = read(content, batch.file_name, batch.csv_kind)
    except FileProblem as problem:
        return Outcome(counts={}, problems=[file_problem(str(problem))], problem_count=1, unreadable=True)
    ctx = Context(user=batch.owner, agency=batch.agency, commit=commit)
    by_name = {sheet.name.strip().lower(): sheet for sheet in sheets}
    found = [(kind, by_name[kind.code]) for kind in registry.kinds() if kind.code in by_name]
    if not found:
        names = ", ".join(kind.code for kind in registry.kinds())
        message = _("No sheet of the file is named after a kind of record (%(names)s).") % {"names": names}
        return Outcome(counts={}, problems=[file_problem(message)], problem_count=1, unreadable=True)
    total = sum(len(sheet.rows) for _kind, sheet in found)
    counts: dict[str, dict[str, int]] = {}
    try:
        # A dry run writes nothing, so it runs outside a transaction and its progress shows as it goes.
        with transaction.atomic() if commit else nullcontext():
            done = 0
            for kind, sheet in found:
                counts[kind.code] = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
                done = process_sheet(kind, sheet, ctx, counts[kind.code], batch, done, total, progress)
            if commit and ctx.problems:
                raise Rollback
            if commit:
                AuditEvent.objects.create(
                    actor=batch.owner,
                    action=Action.IMPORT_COMMITTED,
                    content_type=ContentType.objects.get_for_model(Import),
                    object_id=str(batch.pk),
                    object_repr=str(batch)[:300],
                    changes={code: per_kind for code, per_kind in counts.items()},
                )
    except Rollback:
        pass
    return Outcome(counts=counts, problems=ctx.problems[:MAX_STORED_PROBLEMS], problem_count=len(ctx.problems))


def file_problem(message: str) -> dict:
    return {"sheet": "", "row": 0, "column": "", "value": "", "message": message}


def process_sheet(kind, sheet: Sheet, ctx: Context, counts: dict, batch, done, total, progress) -> int:
    ctx.sheet = sheet.name
    columns = {column.name: column for column in kind.columns}
    missing = [name for name, column in columns.items() if column.required and name not in sheet.header]
    if not sheet.header or not any(name in columns for name in sheet.header):
        ctx.add(sheet.name, 1, "", "", _("The sheet has no header row with the template's column names."))
        return done + len(sheet.rows)
    for name in missing:
        ctx.add(sheet.name, 1, name, "", _("The column is missing from the header row."))
    if missing:
        return done + len(sheet.rows)
    chunk_size = settings.GSZ["IMPORT_CHUNK_ROWS"]
    seen: dict[Any, int] = {}
    chunk: list[ParsedRow] = []
    for number, raw in sheet.records():
        chunk.append(ParsedRow(number=number, raw=raw))
        if len(chunk) >= chunk_size:
            process_chunk(kind, chunk, ctx, counts, seen, batch)
            done += len(chunk)
            chunk = []
            if progress:
                progress(done, total)
    if chunk:
        process_chunk(kind, chunk, ctx, counts, seen, batch)
        done += len(chunk)
    kind.finish(ctx)
    if progress:
        progress(done, total)
    return done


def process_chunk(kind, chunk: list[ParsedRow], ctx: Context, counts: dict, seen: dict, batch) -> None:
    for row in chunk:
        parse_row(kind, row, ctx)
    parsed = [row for row in chunk if not row.problems]
    kind.prepare(parsed, ctx)
    key_column = kind.key_columns[0]
    for row in parsed:
        key = kind.key(row.values)
        if key in seen:
            row.problem(key_column, _("A duplicate: row %(row)d has the same key.") % {"row": seen[key]})
            continue
        seen[key] = row.number
        kind.check(row, ctx)
    ok = [row for row in parsed if not row.problems]
    existing = kind.existing([kind.key(row.values) for row in ok], ctx) if ok else {}
    to_create, to_update, written, update_fields = [], [], [], set()
    for row in ok:
        key = kind.key(row.values)
        fields = kind.fields(row, ctx)
        instance = existing.get(key)
        if instance is None:
            counts[CREATED] += 1
            new = kind.new(fields, ctx)
            to_create.append(new)
            written.append((new, row, True))
            ctx.planned[kind.code][key] = kind.summary(row, fields, None)
            continue
        changed = [name for name, value in fields.items() if getattr(instance, name) != value]
        if not changed and not kind.extra_changes(instance, row, ctx):
            counts[UNCHANGED] += 1
            ctx.planned[kind.code][key] = kind.summary(row, fields, instance)
            continue
        if not kind.may_change(instance, ctx):
            row.problem(key_column, _("This record exists and you may not change it."))
            continue
        counts[UPDATED] += 1
        for name in changed:
            setattr(instance, name, fields[name])
        update_fields.update(changed)
        to_update.append(instance)
        written.append((instance, row, False))
        ctx.planned[kind.code][key] = kind.summary(row, fields, instance)
    for row in chunk:
        for column, message in row.problems:
            ctx.add(ctx.sheet, row.number, column, row.raw.get(column, ""), message)
    if ctx.commit and not ctx.problems and written:
        write(kind, to_create, to_update, update_fields, written, ctx, batch)


def parse_row(kind, row: ParsedRow, ctx: Context) -> None:
    for column in kind.columns:
        text = row.raw.get(column.name, "")
        if text.startswith("="):
            row.problem(column.name, _("A formula instead of a value: enter the value itself."))
            continue
        if not text:
            if column.required:
                row.problem(column.name, _("This column is required."))
            row.values[column.name] = None
            continue
        try:
            row.values[column.name] = column.parse(text, ctx)
        except CellError as error:
            row.problem(column.name, str(error))


def write(kind, to_create, to_update, update_fields, written, ctx: Context, batch) -> None:
    model = kind.model
    searchable = issubclass(model, Searchable)
    for instance in (*to_create, *to_update) if searchable else ():
        instance.search_text = instance.build_search_text()  # bulk writes skip save(), which keeps it otherwise
    if searchable and to_update:
        update_fields = {*update_fields, "search_text"}
    if to_create:
        model.objects.bulk_create(to_create)
        if any(instance.pk is None for instance in to_create):  # databases that return no ids (none we use)
            raise RuntimeError("bulk_create returned no primary keys")
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields))
    for instance, row, _created in written:
        ctx.planned[kind.code][kind.key(row.values)]["pk"] = instance.pk
    kind.after_write(written, ctx)
    content_type = ContentType.objects.get_for_model(model)
    ImportedRecord.objects.bulk_create(
        ImportedRecord(
            batch=batch,
            content_type=content_type,
            object_id=str(instance.pk),
            sheet=ctx.sheet[:40],
            row=row.number,
            created=created,
        )
        for instance, row, created in written
    )
    note = batch.file_name[:200]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=batch.owner,
            action=Action.IMPORTED if created else Action.UPDATED_BY_IMPORT,
            content_type=content_type,
            object_id=str(instance.pk),
            object_repr=str(instance)[:300],
            changes={"import": batch.pk, "file": note, "sheet": ctx.sheet, "row": row.number},
        )
        for instance, row, created in written
    )


def finish(batch: Import, outcome: Outcome, *, commit: bool) -> None:
    """Store the outcome on the import."""
    batch.counts = outcome.counts
    batch.problems = outcome.problems
    batch.problem_count = outcome.problem_count
    if outcome.unreadable:
        batch.status = Import.Status.UNREADABLE
    elif outcome.problem_count:
        batch.status = Import.Status.HAS_ERRORS
    elif commit:
        batch.status, batch.committed_at = Import.Status.COMMITTED, timezone.now()
    else:
        batch.status = Import.Status.READY
    batch.save(update_fields=["counts", "problems", "problem_count", "status", "committed_at"])
