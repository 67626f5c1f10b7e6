"""The open-data page and the OCDS endpoints, for anyone: release packages by page and date range, records, the
change feed with offset paging, the bulk file; content types; translated errors for bad parameters; streaming."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.analytics import ocds
from evaluation.models import Release
from tenders import services as tender_services
from tests import factories
from tests.evaluation.ocds_check import assert_valid

pytestmark = pytest.mark.django_db


def body(response) -> dict:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


@pytest.fixture
def calls(clock, officer, commit, opendata):
    """Five calls published a day apart (one release each), the first on 2026-11-24."""
    made = []
    for day in range(5):
        clock.move_to(dt.datetime(2026, 11, 24 + day, 10, tzinfo=ocds.OFFSET))
        call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
        with commit():
            tender_services.publish_call(call=call, acting_user=officer)
        made.append(call)
    return made


def test_the_open_data_page_explains_the_data_to_anyone_in_three_languages(client, calls, settings):
    for language, words in (("ru", "Открытые данные"), ("kk", "Ашық деректер"), ("en", "Open data")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("opendata:index"))
        assert response.status_code == 200
        page = response.content.decode()
        assert words in page
        assert "ocds-test01" in page
        assert "https://creativecommons.org/licenses/by/4.0/" in page
        assert "CC BY 4.0" in page
        assert reverse("opendata:record", args=[ocds.ocid_of(calls[-1])]) in page


def test_a_release_package_is_json_for_anyone_and_passes_the_checks(client, calls):
    response = client.get(reverse("opendata:releases"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.streaming
    package = body(response)
    assert [r["tender"]["id"] for r in package["releases"]] == [c.number for c in calls]
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["publicationPolicy"] == "http://testserver/opendata/"
    assert package["uri"] == "http://testserver/opendata/releases.json"
    assert "links" not in package
    assert_valid(package)


def test_release_packages_come_a_page_at_a_time_with_links(client, calls, settings):
    settings.GSZ = {**settings.GSZ, "OCDS_PAGE_SIZE": 2}

    first = body(client.get(reverse("opendata:releases")))
    second = body(client.get(first["links"]["next"]))
    last = body(client.get(second["links"]["next"]))

    assert [len(p["releases"]) for p in (first, second, last)] == [2, 2, 1]
    assert "prev" not in first["links"]
    assert second["links"]["prev"].endswith("page=1")
    assert "next" not in last["links"]
    ids = [r["id"] for p in (first, second, last) for r in p["releases"]]
    assert len(set(ids)) == 5


def test_release_packages_by_date_range_include_both_days(client, calls):
    response = client.get(reverse("opendata:releases"), {"from": "2026-11-25", "to": "2026-11-27"})

    assert [r["tender"]["id"] for r in body(response)["releases"]] == [c.number for c in calls[1:4]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "yesterday"}, "“from” must be a date as YYYY-MM-DD."),
        ({"to": "2026-13-01"}, "“to” must be a date as YYYY-MM-DD."),
        ({"page": "0"}, "“page” must be a whole number from 1."),
        ({"page": "two"}, "“page” must be a whole number from 1."),
        ({"from": "2026-11-27", "to": "2026-11-25"}, "“to” must not be before “from”."),
    ],
)
def test_bad_parameters_of_release_packages_get_a_clear_message(client, calls, query, message, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("opendata:releases"), query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": message}


def test_errors_are_in_the_readers_language(client, calls, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    response = client.get(reverse("opendata:releases"), {"page": "x"})

    assert response.status_code == 400
    assert response.json()["error"] == "«page» должен быть целым числом от 1."


def test_a_page_past_the_last_is_not_found(client, calls):
    response = client.get(reverse("opendata:releases"), {"page": "9"})

    assert response.status_code == 404
    assert "error" in response.json()


def test_a_record_package_holds_the_releases_and_the_compiled_release(client, calls):
    ocid = ocds.ocid_of(calls[0])

    response = client.get(reverse("opendata:record", args=[ocid]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = body(response)
    (record,) = package["records"]
    assert record["ocid"] == ocid
    assert record["compiledRelease"]["tender"]["id"] == calls[0].number
    assert_valid(package)


def test_an_unknown_process_is_not_found(client, calls):
    response = client.get(reverse("opendata:record", args=["ocds-test01-НЕТ-ТАКОГО"]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_the_feed_pages_by_offset_and_polls_at_the_end(client, calls, clock, officer, commit):
    first = body(client.get(reverse("opendata:feed"), {"limit": 3}))
    second = body(client.get(first["links"]["next"]))
    end = body(client.get(second["links"]["next"]))

    assert [len(p["releases"]) for p in (first, second, end)] == [3, 2, 0]
    assert end["links"]["next"] == second["links"]["next"]  # nothing new yet: poll the same offset
    assert_valid(first)
    clock.move_to("2026-12-01 10:00+05:00")
    call = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    with commit():
        tender_services.publish_call(call=call, acting_user=officer)
    later = body(client.get(end["links"]["next"]))
    assert [r["tender"]["id"] for r in later["releases"]] == [call.number]


def test_the_feed_starts_from_a_moment(client, calls):
    published = list(Release.objects.order_by("published_at", "pk").values_list("published_at", flat=True))
    since = timezone.localtime(published[2]).isoformat()

    response = client.get(reverse("opendata:feed"), {"since": since})

    assert [r["tender"]["id"] for r in body(response)["releases"]] == [c.number for c in calls[2:]]
    # A '+' sent unencoded arrives as a space, and is read as the offset it was.
    unencoded = client.get(f"{reverse('opendata:feed')}?since={since}")
    assert [r["tender"]["id"] for r in body(unencoded)["releases"]] == [c.number for c in calls[2:]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"offset": "yesterday"}, "“offset” must be the offset given by the feed's previous page."),
        ({"since": "soon"}, "“since” must be an ISO 8601 date or date and time."),
        ({"limit": "1001"}, "“limit” must be a whole number from 1 to 1000."),
    ],
)
def test_bad_parameters_of_the_feed_get_a_clear_message(client, calls, query, message, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("opendata:feed"), query)

    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_the_bulk_file_is_served_once_written(client, calls, opendata):
    missing = client.get(reverse("opendata:bulk"))
    assert missing.status_code == 404
    assert "error" in missing.json()

    ocds.write_bulk_file()
    response = client.get(reverse("opendata:bulk"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "releases.jsonl.gz" in response["Content-Disposition"]
    lines = gzip.decompress(b"".join(response.streaming_content)).decode().splitlines()
    response.close()
    assert [json.loads(line)["tender"]["id"] for line in lines] == [c.number for c in calls]


def test_packages_run_a_fixed_number_of_queries_whatever_the_number_of_releases(
    client, calls, django_assert_max_num_queries
):
    for name in ("opendata:releases", "opendata:feed"):
        with django_assert_max_num_queries(4):
            body(client.get(reverse(name)))
