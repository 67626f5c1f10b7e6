"""Fixtures of the competition cycle: the officer's call, a commission of three experts, English clients."""

import pytest
from django.utils import translation

from tests import factories
from tests.conftest import private_media_at


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the pages are read in English through the language cookie."""
    with translation.override("en"):
        yield


@pytest.fixture
def private_media(tmp_path):
    """Store uploaded documents under a temporary folder instead of MEDIA_ROOT."""
    with private_media_at(tmp_path):
        yield tmp_path


@pytest.fixture
def call(officer, clock):
    """A call of the officer's agency (Almaty, case management, 2027), published, accepting bids until
    2026-12-08 10:00 Almaty time, with a 10 000 000 ₸ budget and the default criteria."""
    return factories.CallFactory(agency=officer.agency, created_by=officer)


@pytest.fixture
def experts(db):
    return [factories.ExpertFactory(username=f"panel-{i}") for i in range(3)]
