"""The import of NGOs (providers), matched by BIN."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import columns as c
from core.imports.registry import Kind, register
from providers.models import Provider


def email(value: str, ctx) -> str:
    try:
        validate_email(value)
    except ValidationError as error:
        raise c.CellError(_("An email address is expected.")) from error
    return value


def legal_forms() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in Provider.LegalForm.choices]


class ProviderKind(Kind):
    code = "providers"
    label = gettext_lazy("NGOs")
    order = 10
    model = Provider
    key_columns = ("bin",)
    columns = [
        c.Column("bin", gettext_lazy("The NGO's BIN (12 digits)."), "180340021791", c.bin_number, text_format=True),
        c.Column("name_ru", gettext_lazy("Name in Russian."), "ОФ «Пример»", c.text(300)),
        c.Column("name_kk", gettext_lazy("Name in Kazakh."), "«Мысал» ҚҚ", c.text(300)),
        c.Column(
            "legal_form", gettext_lazy("Legal form (code)."), "public-fund", c.choice(legal_forms), choices=legal_forms
        ),
        c.Column("registration_date", gettext_lazy("Date of state registration."), "15.03.2012", c.date),
        c.Column("home_region", gettext_lazy("Home region (KATO code)."), "750000000", c.region, text_format=True),
        c.Column("address", gettext_lazy("Legal address."), "Алматы, ул. Абая, 1", c.text(400)),
        c.Column("phone", gettext_lazy("Phone."), "+7 727 000 00 00", c.text(40)),
        c.Column("email", gettext_lazy("Email."), "info@example.kz", email),
    ]

    def existing(self, keys, ctx) -> dict:
        return {provider.bin: provider for provider in Provider.objects.filter(bin__in=keys)}

    def fields(self, row, ctx) -> dict:
        v = row.values
        return {
            "bin": v["bin"],
            "name_ru": v["name_ru"],
            "name_kk": v["name_kk"],
            "legal_form": v["legal_form"],
            "registration_date": v["registration_date"],
            "home_region_id": v["home_region"].pk,
            "address": v["address"],
            "phone": v["phone"],
            "email": v["email"],
        }


def register_all() -> None:
    register(ProviderKind())
