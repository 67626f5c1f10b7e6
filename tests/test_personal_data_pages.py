"""Staff personal data on every page (DESIGN.md: staff names reach nobody outside the NGO and, after the deadline,
the call's commission). Every GET URL of the permission matrix, with the NGO's staff member in the staffing plan of
both its sealed bid and its opened (admitted) bid, is requested by each role that is neither the NGO nor the opened
call's commission; no answer (page, CSV or workbook text) may hold the staff member's name. Emails and the log:
tests/test_personal_data.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_permission_matrix import CASES, Objects, matrix_rows, rolled_back  # noqa: F401
from tests.test_permission_matrix import objs as objs  # noqa: F401  (the fixture)

# The NGO ("ngo") and the commission of the opened call (the expert chairs it) may read the names; admins are the
# superusers who keep the system (README). Everyone else may not.
OUTSIDERS = ("anonymous", "officer", "other_officer", "other_ngo", "committee")
GET_CASES = [pytest.param(case, id=case.id) for case in CASES if case.method == "get"]


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


@pytest.mark.parametrize("case", GET_CASES)
def test_no_page_shows_staff_names_outside_the_ngo_and_the_commission(objs: Objects, case):
    name = objs["staff"].full_name
    leaks = []
    for role in OUTSIDERS:
        with rolled_back():
            objs["bid"].staff.add(objs["staff"])
            objs["closed_bid"].staff.add(objs["staff"])
            if case.setup:
                case.setup(objs)
            client = Client(raise_request_exception=False)
            if objs[role] is not None:
                client.force_login(objs[role])
            url = reverse(case.name, kwargs=case.kwargs(objs) if case.kwargs else None)
            response = client.get(url, case.data(objs) if case.data else {})
            if name in body(response):
                leaks.append(role)
    assert not leaks, f"{case.id} shows the staff member's name to {leaks}"


def test_the_commission_does_see_the_names_after_the_deadline(objs: Objects):
    """The check above is not vacuous: the opened bid's page names the staff member to its commission."""
    with rolled_back():
        objs["closed_bid"].staff.add(objs["staff"])
        client = Client()
        client.force_login(objs["expert"])
        page = client.get(reverse("tenders:bid-detail", args=[objs["closed_bid"].pk])).content.decode()
    assert objs["staff"].full_name in page
