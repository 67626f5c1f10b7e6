"""The open-data bench at a tiny scale: it makes as many releases as the dataset's events would publish (real ones
for a sample, copies for the rest), and every measurement runs once and reports a number."""

import json

import pytest

from bench import measure, opendata
from bench.generate import generate
from evaluation.analytics import ocds
from evaluation.models import Release
from tests.evaluation.ocds_check import assert_valid

pytestmark = pytest.mark.django_db

SCALE = 0.002


def test_the_bench_makes_the_releases_the_events_would_publish(settings, tmp_path):
    generate(SCALE)

    prepared = opendata.prepare_releases(sample=10, echo=lambda text: None)

    assert prepared["releases"] == Release.objects.count() == sum(opendata.planned_releases().values())
    assert Release.objects.values("ocid").distinct().count() > 10
    assert opendata.prepare_releases(sample=10, echo=lambda text: None)["made"] == 0  # once per database
    sample = list(Release.objects.order_by("pk").values_list("text", flat=True)[:300])
    meta = ocds.package_meta(uri="https://x/bench.json", policy_uri="https://x/")
    assert_valid(json.loads("".join(ocds.stream_package(meta, sample))))


def test_every_measurement_of_the_bulk_file_runs_and_reports(settings, tmp_path):
    generate(SCALE)
    options = measure.Options(scale=SCALE, repeat=1, echo=lambda text: None)

    rows = opendata.opendata_rows(options)

    by_name = {row.measurement: row for row in rows}
    assert by_name["bulk file: write"].value > 0
    ratio = by_name["bulk file: ratio to json.dumps of the rows in memory"]
    assert ratio.value > 0
    assert ratio.comparison_value > 0
