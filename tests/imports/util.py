"""Building import files for tests: an XLSX (xlsxwriter) or CSV from {sheet: [row dicts]}, and running an import."""

from __future__ import annotations

import csv
import io

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from core.imports import services
from core.models import ServiceType
from tests import factories


def xlsx(sheets: dict[str, list[dict]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        header = list(dict.fromkeys(key for row in rows for key in row))
        for col, title in enumerate(header):
            sheet.write_string(0, col, title)
        for r, row in enumerate(rows, start=1):
            for col, title in enumerate(header):
                sheet.write_string(r, col, str(row.get(title, "")))
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[dict], delimiter: str = ";", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(list(rows[0]))
    writer.writerows([[str(row.get(h, "")) for h in rows[0]] for row in rows])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def upload(user, content: bytes, name: str = "records.xlsx", csv_kind: str = ""):
    return services.start_import(user=user, upload=SimpleUploadedFile(name, content), csv_kind=csv_kind)


def dataset(agency, *, provider_bin: str | None = None, region_code: str = "75", years=(2018, 2019, 2020)) -> dict:
    """A small consistent dataset: one NGO, and per year an awarded call with its contract, tranche and payment,
    plus the child population of the region."""
    region = factories.region(region_code)
    service = ServiceType.objects.order_by("id").first()
    provider_bin = provider_bin or factories.valid_bin(901, year_month="1203")
    sheets = {
        "providers": [
            {
                "bin": provider_bin,
                "name_ru": "ОФ «Импорт»",
                "name_kk": "«Импорт» ҚҚ",
                "legal_form": "public-fund",
                "registration_date": "15.03.2012",
                "home_region": region.kato,
                "address": "Алматы, ул. Абая, 1",
                "phone": "+7 727 000 00 00",
                "email": "info@import.kz",
            }
        ],
        "calls": [],
        "contracts": [],
        "tranches": [],
        "payments": [],
        "population": [],
    }
    for year in years:
        number = f"IMP-{region_code}-{year}"
        sheets["calls"].append(
            {
                "number": number,
                "agency_bin": agency.bin,
                "region": region.kato,
                "service_type": service.code,
                "title_ru": f"Услуга {year}",
                "start_year": str(year),
                "duration_years": "1",
                "funding_source": "local",
                "budget_year_1": "1000000.00",
                "opens_on": f"01.02.{year}",
                "deadline": f"01.03.{year}",
                "decided_on": f"{year}-03-15",
                "status": "awarded",
                "submitted_bids": "2",
                "portal_announcement_number": f"{year}001",
                "portal_lot_number": "1",
            }
        )
        sheets["contracts"].append(
            {
                "number": f"{number}/1",
                "call_number": number,
                "provider_bin": provider_bin,
                "start_date": f"01.04.{year}",
                "end_date": f"31.12.{year}",
                "total": "950000",
                "signed_on": f"25.03.{year}",
            }
        )
        sheets["tranches"].append(
            {
                "contract_number": f"{number}/1",
                "year": str(year),
                "fixed_amount": "950 000,00",
                "outcome_amount": "0",
                "planned_date": f"15.04.{year}",
                "funding_source": "local",
            }
        )
        sheets["payments"].append(
            {
                "contract_number": f"{number}/1",
                "year": str(year),
                "kind": "fixed",
                "date": f"10.04.{year}",
                "amount": "950000",
            }
        )
        sheets["population"].append({"region": region.kato, "year": str(year), "children": "450000"})
    return sheets
