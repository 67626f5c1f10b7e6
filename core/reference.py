"""Load the reference data (regions, service types, indicators) from the CSV copies in core/data, idempotently."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from core.models import Indicator, Region, ServiceType

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_reference() -> dict[str, int]:
    """Create or update every reference row; return how many rows each file holds."""
    regions = _rows("regions.csv")
    by_code: dict[str, Region] = {}
    for row in regions:  # first pass: the units themselves
        region, _ = Region.objects.update_or_create(
            kato=row["kato9"],
            defaults={
                "code": row["kato"],
                "iso": row["iso"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "name_en": row["name_en"],
                "centre_ru": row["centre_ru"],
                "centre_kk": row["centre_kk"],
                "centre_en": row["centre_en"],
                "level": Region.Level.FIRST,
                "valid_from": dt.date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
                "tile_row": int(row["tile_row"]),
                "tile_col": int(row["tile_col"]),
            },
        )
        by_code[row["kato"]] = region
    for row in regions:  # second pass: split_from may point to a row further down
        region = by_code[row["kato"]]
        split_from = by_code.get(row["split_from"]) if row["split_from"] else None
        if region.split_from_id != (split_from.pk if split_from else None):
            region.split_from = split_from
            region.save(update_fields=["split_from"])

    services = {}
    for row in _rows("service_types.csv"):
        services[row["code"]], _ = ServiceType.objects.update_or_create(
            code=row["code"],
            defaults={k: row[k] for k in ("name_ru", "name_kk", "name_en", "setting")},
        )
    indicators = _rows("indicators.csv")
    for row in indicators:
        Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "service_type": services.get(row["service_type"]) if row["service_type"] else None,
                **{k: row[k] for k in ("kind", "unit", "direction", "name_ru", "name_kk", "name_en")},
            },
        )
    return {"regions": len(regions), "service_types": len(services), "indicators": len(indicators)}
