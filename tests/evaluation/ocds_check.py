"""The standard's own checks of OCDS packages, offline (../shared/ocds/README.md): libcoveocds (the library behind
the OCDS Data Review Tool) against the core schema, and jsonschema against the release schema with the bids and
metrics extensions merged in, with format checking."""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path

import pytest

# ../shared/ocds beside the repository (found upwards, so a worktree in a subfolder finds it too), or OCDS_SHARED.
SHARED = Path(
    os.environ.get("OCDS_SHARED")
    or next(
        (
            str(folder / "shared" / "ocds")
            for folder in Path(__file__).resolve().parents
            if (folder / "shared" / "ocds").is_dir()
        ),
        "../shared/ocds",
    )
)
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"


def shared() -> Path:
    if not (SHARED / "standard-1__1__5-schema.zip").exists():
        pytest.fail(f"the offline OCDS copy is missing: {SHARED}")
    return SHARED


@cache
def _cove_config():
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": f"file://{shared() / 'standard-1__1__5-schema.zip'}"})
    config.config["context"] = "api"
    return config


class _LocalSchemas:
    """Stands in for `requests` inside jsonref: serves the standard's schema files from the offline copy (a record
    package's schema refers to the versioned release schema by its URL) and refuses every other download."""

    class Response:
        def __init__(self, path: Path):
            self.path = path

        def raise_for_status(self) -> None:
            pass

        def json(self, **kwargs):
            return json.loads(self.path.read_text(encoding="utf-8"), **kwargs)

    def get(self, uri: str, **kwargs):
        if not uri.startswith(SCHEMA_URL):
            raise ConnectionError(f"offline: refusing to download {uri}")
        return self.Response(shared() / "schema" / uri.removeprefix(SCHEMA_URL))


def cove(package: dict) -> dict:
    """Return libcoveocds' review of a package (extensions removed: it would download them), offline."""
    import jsonref
    import libcoveocds.api

    data = copy.deepcopy(package)
    data.pop("extensions", None)
    saved, jsonref.requests = jsonref.requests, _LocalSchemas()
    try:
        return libcoveocds.api.ocds_json_output(
            "", json_data=data, schema_version="1.1", convert=False, lib_cove_ocds_config=_cove_config()
        )
    finally:
        jsonref.requests = saved


@cache
def extended_release_schema() -> dict:
    import json_merge_patch

    schema = json.loads((shared() / "schema" / "release-schema.json").read_text())
    for name in ("ocds_bid_extension", "ocds_metrics_extension"):
        patch = json.loads((shared() / "extensions" / name / "release-schema.json").read_text())
        schema = json_merge_patch.merge(schema, patch)
    return schema


@cache
def _validator(package_schema: str):
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package = json.loads((shared() / "schema" / package_schema).read_text())
    registry = Registry().with_resource(
        SCHEMA_URL + "release-schema.json", Resource.from_contents(extended_release_schema(), DRAFT4)
    )
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def schema_errors(package: dict) -> list[str]:
    """Return the errors of a release or record package against the extended schema."""
    kind = "record-package-schema.json" if "records" in package else "release-package-schema.json"
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(kind).iter_errors(package)]


def problems(package: dict) -> list:
    """Return every validation error and every value outside a closed codelist, by both checks."""
    review = cove(package)
    found = [*review["validation_errors"], *schema_errors(package)]
    found += [
        f"closed codelist {path}: {info['values']}"
        for path, info in review["additional_closed_codelist_values"].items()
    ]
    return found


def assert_valid(package: dict) -> None:
    found = problems(package)
    assert not found, json.dumps(found, ensure_ascii=False, indent=1, default=str)[:4000]
