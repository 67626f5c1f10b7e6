"""The import of child population (region × year)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import columns as c
from core.imports.registry import Kind, register
from evaluation.models import RegionPopulation


class PopulationKind(Kind):
    code = "population"
    label = gettext_lazy("Child population")
    order = 60
    model = RegionPopulation
    key_columns = ("region", "year")
    columns = [
        c.Column("region", gettext_lazy("Region (KATO code)."), "750000000", c.region, text_format=True),
        c.Column("year", gettext_lazy("Year."), "2019", c.year),
        c.Column("children", gettext_lazy("Children aged 0–17 living in the region."), "450000", c.integer(1)),
    ]

    def key(self, values):
        return (values["region"].kato, values["year"])

    def check(self, row, ctx) -> None:
        agency = ctx.agency
        if (agency is not None or not ctx.user.is_admin) and (
            agency is None or agency.region_id != row.values["region"].pk
        ):
            row.problem("region", _("You may import the population of your agency's region only."))

    def existing(self, keys, ctx) -> dict:
        katos = {kato for kato, _year in keys}
        found = RegionPopulation.objects.filter(region__kato__in=katos).select_related("region")
        return {(p.region.kato, p.year): p for p in found if (p.region.kato, p.year) in set(keys)}

    def fields(self, row, ctx) -> dict:
        v = row.values
        return {"region_id": v["region"].pk, "year": v["year"], "children": v["children"], "is_illustrative": False}


def register_all() -> None:
    register(PopulationKind())
