"""Fixtures of the contract cycle: English messages, fast passwords, a private media folder per test."""

import pytest
from django.utils import translation

from core.documents import private_storage


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the source language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings, tmp_path):
    """MEDIA_ROOT in a temporary folder. The private storage was built with the MEDIA_ROOT of import time, so its
    cached location is pointed there too (core/documents.PrivateStorage passes `location` explicitly)."""
    settings.MEDIA_ROOT = tmp_path
    saved = private_storage._location
    private_storage._location = str(tmp_path)
    for name in ("base_location", "location"):
        private_storage.__dict__.pop(name, None)
    yield tmp_path
    private_storage._location = saved
    for name in ("base_location", "location"):
        private_storage.__dict__.pop(name, None)


@pytest.fixture
def client(client, settings):
    """The test client reading pages in English (the language cookie that logging in would set)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
