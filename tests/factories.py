"""factory_boy factories for every model. Reference rows (regions, service types, indicators) come from the
reference loader, not from factories: tests use the real 20 regions and 11 services."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from core.models import Agency, AuditEvent, Indicator, Region, Role, ServiceType
from core.validators import make_bin
from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember

PASSWORD = "test-pass-123!"


def region(code: str) -> Region:
    """Return a reference region by its 2-digit code."""
    return Region.objects.get(code=code)


def service(code: str) -> ServiceType:
    """Return a reference service type by its code."""
    return ServiceType.objects.get(code=code)


def valid_bin(n: int, *, year_month: str = "1505", type_digit: str = "4") -> str:
    """Return the n-th valid BIN of a sequence (skipping prefixes that have no valid check digit)."""
    serial = n * 3
    while True:
        candidate = make_bin(f"{year_month}{type_digit}0{serial:05d}")
        if candidate:
            return candidate
        serial += 1


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name_ru = factory.Sequence(lambda n: f"Управление социальных программ №{n}")
    name_kk = factory.Sequence(lambda n: f"Әлеуметтік бағдарламалар басқармасы №{n}")
    bin = factory.Sequence(lambda n: valid_bin(n, year_month="9901"))
    level = Agency.Level.REGIONAL
    region = factory.LazyFunction(lambda: region("75"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kz")
    first_name = "Тест"
    last_name = factory.Sequence(lambda n: f"Пользователь {n}")
    role = Role.NGO
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficerFactory(UserFactory):
    role = Role.OFFICER
    agency = factory.SubFactory(AgencyFactory)


class ExpertFactory(UserFactory):
    role = Role.EXPERT


class CommitteeFactory(UserFactory):
    role = Role.COMMITTEE


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name_ru = factory.Sequence(lambda n: f"ОФ «Тест {n}»")
    name_kk = factory.Sequence(lambda n: f"«Тест {n}» ҚҚ")
    bin = factory.Sequence(lambda n: valid_bin(n + 5000))
    legal_form = Provider.LegalForm.PUBLIC_FUND
    registration_date = dt.date(2015, 5, 12)
    home_region = factory.LazyFunction(lambda: region("75"))
    address = "Алматы, ул. Абая, 1"
    phone = "+7 701 000 00 00"
    email = factory.Sequence(lambda n: f"ngo{n}@example.kz")
    ngo_db_listed = True
    ngo_db_last_submission = dt.date(2026, 3, 1)
    status = Provider.Status.ACTIVE


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


class NgoUserFactory(UserFactory):
    """An NGO member together with the organisation they belong to (pass provider=... to choose it)."""

    @factory.post_generation
    def provider(obj, create, extracted, **kwargs):
        if create:
            MembershipFactory(user=obj, provider=extracted or ProviderFactory())


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea

    provider = factory.SubFactory(ProviderFactory)
    region = factory.LazyFunction(lambda: region("75"))
    service_type = factory.LazyFunction(lambda: service("case-management"))
    capacity = 50


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    provider = factory.SubFactory(ProviderFactory)
    full_name = factory.Sequence(lambda n: f"Сотрудник Тестовый {n}")
    position = StaffMember.Position.SOCIAL_WORKER
    qualification = "Высшее, социальная работа"
    certification_expiry = dt.date(2027, 12, 31)
    no_record_certificate_date = dt.date(2026, 6, 1)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    provider = factory.SubFactory(ProviderFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.kz")
    invited_by = factory.SubFactory(UserFactory)


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRequest

    bin = factory.Sequence(lambda n: valid_bin(n + 9000))
    full_name = "Иванова Мария"
    position = "директор"
    email = "maria@example.kz"
    phone = "+7 701 111 22 33"
    message = "Я директор организации."


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test-indicator-{n}")
    service_type = factory.LazyFunction(lambda: service("case-management"))
    kind = Indicator.Kind.OUTCOME
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.HIGHER
    name_ru = factory.Sequence(lambda n: f"Показатель {n}")
    name_kk = factory.Sequence(lambda n: f"Көрсеткіш {n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = factory.SubFactory(UserFactory)
    action = "edited"
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Provider))
    object_id = "1"
    object_repr = "test"
