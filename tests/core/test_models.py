"""The shared vocabulary's models: database invariants, the append-only audit log, regions and translated names."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from core.models import Agency, AuditEvent, Region, Role, ServiceType, User
from tests import factories

pytestmark = pytest.mark.django_db


# -- users and agencies: invariants in the database -------------------------------------------------------------


def test_an_officer_without_an_agency_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="lonely-officer", role=Role.OFFICER, agency=None)
    assert not User.objects.filter(username="lonely-officer").exists()


def test_an_officer_with_an_agency_is_stored():
    agency = factories.AgencyFactory()
    officer = User.objects.create(username="officer-with-agency", role=Role.OFFICER, agency=agency)
    assert User.objects.get(pk=officer.pk).agency == agency


def test_an_ngo_user_with_an_agency_is_refused_by_the_database():
    agency = factories.AgencyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ngo-in-agency", role=Role.NGO, agency=agency)
    assert not User.objects.filter(username="ngo-in-agency").exists()


def test_changing_an_officer_into_an_ngo_user_while_keeping_the_agency_is_refused():
    officer = factories.OfficerFactory()
    officer.role = Role.NGO
    with pytest.raises(IntegrityError), transaction.atomic():
        officer.save()
    officer.refresh_from_db()
    assert officer.role == Role.OFFICER


@pytest.mark.parametrize("role", [Role.EXPERT, Role.COMMITTEE, Role.ADMIN])
def test_other_roles_may_have_an_agency_or_none(role):
    agency = factories.AgencyFactory()
    with_agency = User.objects.create(username=f"{role}-with", role=role, agency=agency)
    without = User.objects.create(username=f"{role}-without", role=role)
    assert with_agency.agency == agency
    assert without.agency is None


def test_user_clean_explains_that_an_officer_needs_an_agency():
    user = User(username="officer-form", role=Role.OFFICER)
    with pytest.raises(ValidationError) as error:
        user.clean()
    with translation.override("en"):
        assert error.value.message_dict == {"agency": ["An officer must belong to an agency."]}


def test_user_clean_explains_that_an_ngo_user_cannot_have_an_agency():
    user = User(username="ngo-form", role=Role.NGO, agency=factories.AgencyFactory())
    with pytest.raises(ValidationError) as error:
        user.clean()
    with translation.override("en"):
        assert error.value.message_dict == {"agency": ["An NGO member cannot belong to an agency."]}


def test_a_regional_agency_without_a_region_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AgencyFactory(level=Agency.Level.REGIONAL, region=None)
    assert not Agency.objects.exists()


def test_a_district_agency_without_a_region_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.AgencyFactory(level=Agency.Level.DISTRICT, region=None)
    assert not Agency.objects.exists()


def test_a_national_agency_needs_no_region():
    agency = factories.AgencyFactory(level=Agency.Level.NATIONAL, region=None)
    assert Agency.objects.get(pk=agency.pk).region is None


# -- the audit log is append-only -------------------------------------------------------------------------------


def test_a_new_audit_event_can_be_saved():
    event = factories.AuditEventFactory(action="verified")
    assert AuditEvent.objects.get(pk=event.pk).action == "verified"


def test_saving_an_existing_audit_event_is_refused():
    event = factories.AuditEventFactory(action="verified")
    event.action = "forged"
    with pytest.raises(ValidationError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "verified"


def test_deleting_an_audit_event_is_refused():
    event = factories.AuditEventFactory()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_events_list_newest_first():
    first = factories.AuditEventFactory(action="first")
    second = factories.AuditEventFactory(action="second")
    assert list(AuditEvent.objects.filter(pk__in=[first.pk, second.pk])) == [second, first]


# -- regions ----------------------------------------------------------------------------------------------------


def test_regions_are_ordered_by_kato():
    katos = list(Region.objects.values_list("kato", flat=True))
    assert katos == sorted(katos)
    assert len(katos) == 20


def test_region_ordering_is_by_kato_not_by_insertion_or_name():
    # Added last and named to sort last in any alphabet, yet its KATO code comes first.
    newest = Region.objects.create(
        kato="050000000", code="05", name_ru="Яя тестовая", name_kk="Яя сынақ", name_en="Zz test"
    )
    assert Region.objects.first() == newest
    assert Region.objects.last().kato == "790000000"


def test_the_kato_order_differs_from_the_name_order():
    by_kato = list(Region.objects.values_list("name_ru", flat=True))
    assert by_kato != sorted(by_kato)  # proves the ordering above is by KATO, not an accident of the names


def test_kato_is_unique():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(kato="750000000", code="75", name_ru="дубль", name_kk="дубль", name_en="duplicate")


def test_region_name_follows_the_active_language():
    almaty = factories.region("75")
    with translation.override("ru"):
        assert almaty.name == "город Алматы"
    with translation.override("kk"):
        assert almaty.name == "Алматы қаласы"
    with translation.override("en"):
        assert almaty.name == "Almaty"


def test_region_str_is_its_name_in_the_active_language():
    abai = factories.region("10")
    with translation.override("kk"):
        assert str(abai) == "Абай облысы"
    with translation.override("en"):
        assert str(abai) == "Abai Region"


def test_a_missing_translation_falls_back_to_russian():
    region = Region.objects.create(kato="050000000", code="05", name_ru="Тестовая область", name_kk="", name_en="")
    with translation.override("kk"):
        assert region.name == "Тестовая область"
    with translation.override("en"):
        assert region.name == "Тестовая область"


def test_service_type_name_follows_the_active_language():
    service = ServiceType.objects.get(code="case-management")
    with translation.override("kk"):
        assert service.name == service.name_kk
    with translation.override("en"):
        assert service.name == "Case management for children and families"
    assert service.name_kk != service.name_en


def test_a_region_without_a_start_date_exists_in_every_year():
    almaty = factories.region("75")
    assert almaty.valid_from is None
    assert almaty.exists_in(1991)
    assert almaty.exists_in(2030)


def test_a_new_region_exists_from_the_year_it_was_created():
    abai = factories.region("10")
    assert abai.valid_from == dt.date(2022, 6, 8)
    assert abai.exists_in(2022)  # it existed on 31 December 2022
    assert abai.exists_in(2025)


def test_a_new_region_does_not_exist_before_the_year_it_was_created():
    abai = factories.region("10")
    assert not abai.exists_in(2021)


def test_a_region_created_on_new_year_exists_that_year():
    region = Region.objects.create(
        kato="050000000", code="05", name_ru="т", name_kk="т", name_en="t", valid_from=dt.date(2024, 1, 1)
    )
    assert region.exists_in(2024)
    assert not region.exists_in(2023)


# -- agencies ---------------------------------------------------------------------------------------------------


def test_agency_name_is_kazakh_only_in_kazakh():
    agency = factories.AgencyFactory(name_ru="Управление", name_kk="Басқарма")
    with translation.override("kk"):
        assert agency.name == "Басқарма"
    with translation.override("en"):
        assert agency.name == "Управление"
    with translation.override("ru"):
        assert str(agency) == "Управление"
