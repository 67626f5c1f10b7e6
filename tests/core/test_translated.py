"""One translated-name rule for every model with name_ru / name_kk (/ name_en) columns: the active language's value,
or the Russian one where that is empty or the model keeps no column for the language."""

import pytest
from django.apps import apps
from django.utils import translation

from core.models import Agency, Indicator, Region, ServiceType, TranslatedNameMixin
from core.util import translated
from providers.models import Provider
from tenders.models import Call, Criterion
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_model_with_translated_names_uses_the_one_helper():
    models = [
        model
        for model in apps.get_models()
        if {"name_ru", "name_kk"} <= {field.name for field in model._meta.get_fields()}
    ]
    assert {model.__name__ for model in models} >= {"Region", "ServiceType", "Indicator", "Agency", "Provider"}
    for model in models:
        assert issubclass(model, TranslatedNameMixin), model.__name__
        assert model.name is TranslatedNameMixin.name, model.__name__


def names(obj, attribute: str = "name") -> dict[str, str]:
    found = {}
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            found[language] = getattr(obj, attribute)
    return found


def test_a_region_has_a_name_in_each_language():
    region = factories.region("75")
    assert names(region) == {"ru": region.name_ru, "kk": region.name_kk, "en": region.name_en}


@pytest.mark.parametrize("model", [Agency, Provider])
def test_a_model_without_english_names_shows_the_russian_one_in_english(model):
    obj = model(name_ru="Управление", name_kk="Басқарма")
    assert names(obj) == {"ru": "Управление", "kk": "Басқарма", "en": "Управление"}


@pytest.mark.parametrize("model", [Region, ServiceType, Indicator, Agency, Provider, Criterion])
def test_an_empty_translation_falls_back_to_russian(model):
    obj = model(name_ru="Русское", name_kk="")
    if hasattr(obj, "name_en"):
        obj.name_en = ""
    assert names(obj) == {"ru": "Русское", "kk": "Русское", "en": "Русское"}
    with translation.override("kk"):
        assert str(obj) == "Русское"


def test_a_criterion_has_its_english_name_in_english():
    criterion = Criterion(name_ru="Опыт", name_kk="Тәжірибе", name_en="Experience")
    assert names(criterion) == {"ru": "Опыт", "kk": "Тәжірибе", "en": "Experience"}


def test_a_calls_title_and_description_follow_the_same_rule():
    call = Call(title_ru="Название", title_kk="Атауы", description_ru="Описание", description_kk="")
    assert names(call, "title") == {"ru": "Название", "kk": "Атауы", "en": "Название"}
    assert names(call, "description") == {"ru": "Описание", "kk": "Описание", "en": "Описание"}


def test_the_helper_reads_any_field_family():
    region = Region(name_ru="Алматы", name_kk="Алматы", name_en="Almaty", centre_ru="Конаев", centre_en="Konaev")
    with translation.override("en"):
        assert translated(region, "centre") == "Konaev"
    with translation.override("kk"):
        assert translated(region, "centre") == "Конаев"
