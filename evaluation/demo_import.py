"""The demo's committed import: 2018–2020 records of two regions' agencies (calls with their outcome, contracts,
tranches, payments, one NGO and the child population), brought in as an officer of each agency would, so the Imports
page, the provenance of records and the heatmap's earlier years show. `docs/sample-import.xlsx` is this file for the
Almaty agency, written by `write_sample` after `load_demo` (see NOTES-import.md)."""

from __future__ import annotations

from decimal import Decimal

from core.imports import services, workbooks
from core.models import Agency, ServiceType
from core.validators import make_bin
from evaluation.models import RegionPopulation

YEARS = (2018, 2019, 2020)
BASE = Decimal("9000000")


def sheets_for(
    agency: Agency, provider_bins: list[str], *, new_provider: bool, children: int = 0
) -> dict[str, list[dict]]:
    region = agency.region
    services_ = list(ServiceType.objects.order_by("id")[:2])
    sheets: dict[str, list[dict]] = {"calls": [], "contracts": [], "tranches": [], "payments": []}
    code = region.code
    if new_provider:
        bin_ = archive_bin(code)
        provider_bins = [bin_, *provider_bins]
        sheets = {
            "providers": [
                {
                    "bin": bin_,
                    "name_ru": "ОФ «Надежда детям» (архив)",
                    "name_kk": "«Балаларға үміт» ҚҚ (мұрағат)",
                    "legal_form": "public-fund",
                    "registration_date": "12.05.2011",
                    "home_region": region.kato,
                    "address": f"{region.centre_ru or region.name_ru}, ул. Абая, 10",
                    "phone": "+7 700 000 11 22",
                    "email": f"archive{code}@example.kz",
                }
            ],
            **sheets,
        }
    for index, year in enumerate(YEARS):
        for s, service in enumerate(services_):
            number = f"АРХ-{code}-{year}-{s + 1}"
            budget = BASE + Decimal(500000) * index + Decimal(1500000) * s
            failed = year == 2019 and s == 1  # one failed competition: the heatmap's "failed" in a past year
            sheets["calls"].append(
                {
                    "number": number,
                    "agency_bin": agency.bin,
                    "region": region.kato,
                    "service_type": service.code,
                    "title_ru": f"{service.name_ru}, {year} (архив)",
                    "title_kk": f"{service.name_kk}, {year} (мұрағат)",
                    "target_group": "Дети в трудной жизненной ситуации",
                    "start_year": str(year),
                    "duration_years": "1",
                    "funding_source": "local",
                    "budget_year_1": f"{budget:.2f}",
                    "opens_on": f"15.01.{year}",
                    "deadline": f"14.02.{year}",
                    "decided_on": f"01.03.{year}",
                    "status": "failed" if failed else "awarded",
                    "submitted_bids": "0" if failed else str(1 + (index + s) % 3),
                    "portal_announcement_number": f"{year}{code}{s + 1:02d}-1",
                    "portal_lot_number": f"{s + 1}",
                }
            )
            if failed:
                continue
            contract = f"{number}/Д"
            total = budget * Decimal("0.95")
            provider = provider_bins[(index + s) % len(provider_bins)]
            sheets["contracts"].append(
                {
                    "number": contract,
                    "call_number": number,
                    "provider_bin": provider,
                    "start_date": f"01.04.{year}",
                    "end_date": f"31.12.{year}",
                    "total": f"{total:.2f}",
                    "signed_on": f"20.03.{year}",
                }
            )
            sheets["tranches"].append(
                {
                    "contract_number": contract,
                    "year": str(year),
                    "fixed_amount": f"{total:.2f}",
                    "outcome_amount": "0",
                    "planned_date": f"15.04.{year}",
                    "funding_source": "local",
                }
            )
            sheets["payments"].append(
                {
                    "contract_number": contract,
                    "year": str(year),
                    "kind": "fixed",
                    "date": f"{10 + index}.04.{year}",
                    "amount": f"{total:.2f}",
                }
            )
    if children:
        sheets["population"] = [{"region": region.kato, "year": "2018", "children": str(children)}]
    return sheets


def archive_bin(code: str) -> str:
    """A valid BIN for the archive NGO of a region (registered in April 2011, a public fund)."""
    serial = 1
    while not (found := make_bin(f"110440{code}{serial:03d}")):
        serial += 1
    return found


def load(context, stdout) -> None:
    officers = {o.agency_id: o for o in context["officers"]}
    bins = [provider.bin for provider in context["providers"]]
    for code, new_provider in (("75", True), ("35", False)):
        agency = context["agencies"][code]
        later = RegionPopulation.objects.filter(region=agency.region).order_by("year").first()
        children = int(later.children * 0.99) // 1000 * 1000 if later else 0
        sheets = sheets_for(agency, bins[:3], new_provider=new_provider, children=children)
        content = workbooks.sheets_workbook(sheets)
        batch = services.import_now(
            user=officers[agency.pk],
            agency=agency,
            name=f"архив-{code}-2018-2020.xlsx",
            content=content,
            commit=True,
        )
        if batch.status != batch.Status.COMMITTED:
            raise RuntimeError(f"the demo import of {code} has problems: {batch.problems[:3]}")
        stdout.write(f"Demo import {batch.file_name}: {batch.total('created')} records.")


def write_sample(path: str) -> None:
    """Write the sample file of the docs: the demo import of the Almaty agency (after `load_demo`)."""
    from providers.models import Provider

    agency = Agency.objects.get(region__code="75", level=Agency.Level.REGIONAL)
    bins = list(Provider.objects.order_by("pk").values_list("bin", flat=True)[:3])
    with open(path, "wb") as out:
        out.write(workbooks.sheets_workbook(sheets_for(agency, bins, new_provider=True, children=550000)))
