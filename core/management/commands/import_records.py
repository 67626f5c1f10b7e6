"""Import past records from a spreadsheet (for scheduled or bulk loads): the same dry run, report and commit as the
Import page. Exits non-zero when the file has problems (nothing is then written)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.imports import registry, services
from core.models import Agency, Import, Role, User


class Command(BaseCommand):
    help = "Check (and with --commit, write) a spreadsheet of past records; print the report."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx workbook made from the template, or one CSV sheet")
        parser.add_argument("--agency", help="BIN of the agency whose records the file holds (others are refused)")
        parser.add_argument("--commit", action="store_true", help="write the records when the file has no problems")
        parser.add_argument("--kind", default="", help="for a CSV file: the sheet it holds (default: its file name)")
        parser.add_argument("--user", help="username recorded as the importer (default: the first administrator)")

    def handle(self, *args, file, agency, commit, kind, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if kind and registry.get(kind) is None:
            raise CommandError(f"Unknown kind {kind!r}; one of: {', '.join(k.code for k in registry.kinds())}")
        owner = self.owner(user)
        agency_row = None
        if agency:
            agency_row = Agency.objects.filter(bin=agency).first()
            if agency_row is None:
                raise CommandError(f"No agency has the BIN {agency}")
        batch = services.import_now(
            user=owner, agency=agency_row, name=path.name, content=path.read_bytes(), csv_kind=kind, commit=commit
        )
        self.report(batch)
        if batch.problem_count:
            raise CommandError(_("%(n)d problems: nothing was written.") % {"n": batch.problem_count})

    def owner(self, username: str | None) -> User:
        if username:
            found = User.objects.filter(username=username).first()
            if found is None:
                raise CommandError(f"No user {username!r}")
            return found
        found = User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        found = found or User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
        if found is None:
            raise CommandError("No administrator to record as the importer: pass --user")
        return found

    def report(self, batch: Import) -> None:
        self.stdout.write(f"Import #{batch.pk} {batch.file_name}: {batch.get_status_display()}")
        for code, counts in sorted(batch.counts.items(), key=lambda item: getattr(registry.get(item[0]), "order", 0)):
            self.stdout.write(
                f"  {code}: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged"
            )
        for problem in batch.problems:
            where = f"{problem['sheet']}!{problem['column'] or '-'}{problem['row'] or ''}" if problem["sheet"] else "-"
            value = f" [{problem['value']}]" if problem["value"] else ""
            self.stdout.write(f"  {where}{value}: {problem['message']}")
        if batch.problem_count > len(batch.problems):
            self.stdout.write(f"  … {batch.problem_count - len(batch.problems)} more")
