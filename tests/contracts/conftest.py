"""Fixtures of the contract cycle: English messages, a private media folder per test."""

import pytest
from django.utils import translation

from tests.conftest import private_media_at


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    """MEDIA_ROOT in a temporary folder, the private storage's too."""
    settings.MEDIA_ROOT = tmp_path
    with private_media_at(tmp_path):
        yield tmp_path


@pytest.fixture
def client(client, settings):
    """The test client reading pages in English (the language cookie that logging in would set)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
