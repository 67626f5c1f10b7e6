"""`manage.py import_records`: the same report, a commit only without problems, a non-zero exit on errors."""

import pytest
from django.core.management import CommandError, call_command

from core.models import Import
from tenders.models import Call
from tests.imports.util import dataset, xlsx

pytestmark = pytest.mark.django_db


def test_dry_run_then_commit(tmp_path, agency, admin_user, capsys):
    path = tmp_path / "records.xlsx"
    path.write_bytes(xlsx(dataset(agency)))
    call_command("import_records", str(path), "--agency", agency.bin)
    assert "calls: 3 created" in capsys.readouterr().out
    assert not Call.objects.filter(number__startswith="IMP-").exists()
    call_command("import_records", str(path), "--agency", agency.bin, "--commit")
    assert Call.objects.filter(number__startswith="IMP-").count() == 3
    assert Import.objects.order_by("-pk").first().status == Import.Status.COMMITTED


def test_errors_exit_non_zero_and_write_nothing(tmp_path, agency, other_agency, admin_user, capsys):
    path = tmp_path / "records.xlsx"
    path.write_bytes(xlsx(dataset(agency)))
    with pytest.raises(CommandError):
        call_command("import_records", str(path), "--agency", other_agency.bin, "--commit")
    assert "calls!agency_bin2" in capsys.readouterr().out
    assert not Call.objects.filter(number__startswith="IMP-").exists()
