"""Fixtures of open data: a temporary folder for the bulk file, a test OCID prefix, and running commit hooks."""

import contextlib

import pytest


@pytest.fixture
def opendata(settings, tmp_path):
    """Write the bulk file under a temporary folder and use a test OCID prefix; return the folder."""
    folder = tmp_path / "opendata"
    settings.GSZ = {**settings.GSZ, "OPENDATA_DIR": folder, "OCDS_OCID_PREFIX": "ocds-test01", "OCDS_PAGE_SIZE": 100}
    return folder


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what the block's transaction would run once committed (releases are published
    then), as production does after each request."""

    @contextlib.contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run
