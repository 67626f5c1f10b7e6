"""Loading the reference data: idempotent, from the CSV files, with the history of regions."""

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Indicator, Region, ServiceType
from core.reference import DATA_DIR, load_reference
from tests import factories

pytestmark = pytest.mark.django_db


def csv_row_count(name: str) -> int:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_load_reference_reports_how_many_rows_each_file_holds():
    counts = load_reference()
    assert counts == {"regions": 20, "service_types": 11, "indicators": csv_row_count("indicators.csv")}


def test_loading_twice_creates_no_duplicates():
    load_reference()
    load_reference()
    assert Region.objects.count() == 20
    assert ServiceType.objects.count() == 11
    assert Indicator.objects.count() == csv_row_count("indicators.csv")


def test_loading_again_keeps_the_primary_keys():
    before = dict(Region.objects.values_list("kato", "pk"))
    load_reference()
    assert dict(Region.objects.values_list("kato", "pk")) == before


def test_loading_again_restores_an_edited_name():
    almaty = factories.region("75")
    almaty.name_en = "Alma-Ata"
    almaty.save()
    load_reference()
    almaty.refresh_from_db()
    assert almaty.name_en == "Almaty"


def test_loading_keeps_indicators_that_officers_added():
    added = factories.IndicatorFactory(code="officer-added")
    load_reference()
    assert Indicator.objects.filter(pk=added.pk).exists()


def test_abai_split_from_east_kazakhstan():
    abai = factories.region("10")
    assert abai.split_from is not None
    assert abai.split_from.code == "63"
    assert abai.split_from.name_en == "East Kazakhstan Region"


def test_split_from_survives_a_reload():
    load_reference()
    assert factories.region("10").split_from == factories.region("63")


def test_regions_that_did_not_split_have_no_split_from():
    assert factories.region("75").split_from is None
    assert factories.region("79").split_from is None  # Shymkent became a city of republican significance


def test_the_three_2022_regions_point_to_their_parents():
    splits = {code: factories.region(code).split_from.code for code in ("10", "33", "62")}
    assert splits == {"10": "63", "33": "19", "62": "35"}


def test_valid_from_is_parsed_as_a_date():
    assert factories.region("10").valid_from == dt.date(2022, 6, 8)
    assert factories.region("79").valid_from == dt.date(2018, 6, 19)


def test_an_old_region_has_no_valid_from():
    assert factories.region("75").valid_from is None


def test_every_region_has_a_nine_digit_kato_built_from_its_code():
    for code, kato in Region.objects.values_list("code", "kato"):
        assert kato == f"{code}0000000"


def test_every_service_type_has_an_outcome_indicator():
    with_outcome = set(
        Indicator.objects.filter(kind=Indicator.Kind.OUTCOME).values_list("service_type__code", flat=True)
    )
    assert set(ServiceType.objects.values_list("code", flat=True)) <= with_outcome


def test_the_management_command_loads_and_reports_counts():
    out = StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    assert "regions: 20" in text
    assert "service_types: 11" in text
    assert f"indicators: {csv_row_count('indicators.csv')}" in text
    assert Region.objects.count() == 20


def test_the_management_command_fills_an_empty_database():
    Indicator.objects.all().delete()
    Region.objects.update(split_from=None)
    Region.objects.all().delete()
    ServiceType.objects.all().delete()
    call_command("load_reference", stdout=StringIO())
    assert Region.objects.count() == 20
    assert ServiceType.objects.count() == 11
    assert factories.region("10").split_from == factories.region("63")
