"""The NGO registry's rules: who may work with children, listings, experience, status transitions, invariants."""

import calendar
import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from core.exceptions import InvalidTransition
from core.models import AuditEvent
from core.util import add_months
from providers.models import Membership, Provider, ServiceArea, StaffMember, oldest_valid_certificate
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


def staff(certificate: dt.date | None, **kwargs) -> StaffMember:
    return factories.StaffMemberFactory(no_record_certificate_date=certificate, **kwargs)


# -- may work with children -------------------------------------------------------------------------------------


def test_a_certificate_exactly_twelve_months_old_still_allows_work_with_children():
    assert staff(D(2025, 6, 1)).may_work_with_children(D(2026, 6, 1))


def test_a_certificate_twelve_months_and_one_day_old_no_longer_allows_it():
    assert not staff(D(2025, 6, 1)).may_work_with_children(D(2026, 6, 2))


def test_a_certificate_allows_work_on_the_day_it_is_issued():
    assert staff(D(2026, 6, 1)).may_work_with_children(D(2026, 6, 1))


def test_a_certificate_dated_after_the_day_asked_about_does_not_count():
    assert not staff(D(2026, 6, 1)).may_work_with_children(D(2026, 5, 31))


def test_no_certificate_means_no_work_with_children():
    member = staff(None)
    assert member.certificate_valid_until is None
    assert not member.may_work_with_children(D(2026, 6, 1))


def test_a_certificate_of_29_february_is_valid_until_28_february_next_year():
    member = staff(D(2024, 2, 29))
    assert member.certificate_valid_until == D(2025, 2, 28)


def test_a_certificate_of_29_february_allows_work_on_28_february_next_year():
    assert staff(D(2024, 2, 29)).may_work_with_children(D(2025, 2, 28))


def test_a_certificate_of_29_february_lapses_on_1_march_next_year():
    assert not staff(D(2024, 2, 29)).may_work_with_children(D(2025, 3, 1))


def test_without_a_date_the_check_is_for_today(clock):
    # the clock stands at 24 November 2026
    assert staff(D(2025, 11, 24)).may_work_with_children()
    assert not staff(D(2025, 11, 23)).may_work_with_children()


def test_the_period_is_a_setting(settings):
    settings.GSZ = {**settings.GSZ, "CHILD_WORK_CERTIFICATE_MONTHS": 6}
    member = staff(D(2026, 1, 15))
    assert member.may_work_with_children(D(2026, 7, 15))
    assert not member.may_work_with_children(D(2026, 7, 16))


CERTIFICATES = [
    D(2023, 2, 28),
    D(2023, 3, 1),
    D(2024, 2, 29),
    D(2025, 2, 28),
    D(2025, 3, 1),
    D(2025, 6, 1),
    D(2025, 6, 2),
    D(2026, 6, 1),
    None,
]
DAYS = [
    D(2024, 2, 29),  # a day the year before lacks: 12 months back is 28 Feb 2023, which has lapsed by now
    D(2025, 2, 28),
    D(2025, 3, 1),
    D(2026, 2, 28),
    D(2026, 3, 1),
    D(2026, 6, 1),
    D(2026, 6, 2),
    D(2026, 5, 31),
]


@pytest.mark.parametrize("on", DAYS)
def test_the_queryset_agrees_with_the_method(on):
    provider = factories.ProviderFactory()
    members = [staff(certificate, provider=provider) for certificate in CERTIFICATES]
    by_method = {m.pk for m in members if m.may_work_with_children(on)}
    by_query = set(
        StaffMember.objects.filter(provider=provider).may_work_with_children(on).values_list("pk", flat=True)
    )
    assert by_query == by_method


def test_on_31_august_a_six_month_certificate_of_28_february_has_lapsed(settings):
    settings.GSZ = {**settings.GSZ, "CHILD_WORK_CERTIFICATE_MONTHS": 6}
    provider = factories.ProviderFactory()
    lapsed = staff(D(2026, 2, 28), provider=provider)  # valid until 28 Aug
    valid = staff(D(2026, 3, 1), provider=provider)  # valid until 1 Sep
    on = D(2026, 8, 31)
    assert not lapsed.may_work_with_children(on)
    assert list(StaffMember.objects.filter(provider=provider).may_work_with_children(on)) == [valid]


month_ends = st.builds(
    lambda year, month, back: D(year, month, calendar.monthrange(year, month)[1]) - dt.timedelta(days=back),
    st.integers(min_value=2020, max_value=2030),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=3),
)


@given(
    on=st.one_of(month_ends, st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))),
    months=st.integers(min_value=1, max_value=24),
    offset=st.integers(min_value=-4, max_value=4),
)
def test_the_queryset_bound_agrees_with_the_method_near_the_boundary(on, months, offset):
    # certificates a few days either side of "`months` before `on`", where month lengths make the answer tricky
    certificate = add_months(on, -months) + dt.timedelta(days=offset)
    with override_settings(GSZ={**django_settings.GSZ, "CHILD_WORK_CERTIFICATE_MONTHS": months}):
        by_bound = oldest_valid_certificate(on) <= certificate <= on
        assert by_bound == StaffMember(no_record_certificate_date=certificate).may_work_with_children(on)


def test_current_staff_excludes_those_who_left():
    provider = factories.ProviderFactory()
    employed = factories.StaffMemberFactory(provider=provider)
    factories.StaffMemberFactory(provider=provider, is_active=False)
    assert list(StaffMember.objects.filter(provider=provider).current()) == [employed]


# -- lapsing certificates ---------------------------------------------------------------------------------------


def test_a_certificate_lapsing_in_exactly_sixty_days_is_flagged():
    # valid until 2026-07-31; 60 days before is 2026-06-01
    member = staff(D(2025, 7, 31), certification_expiry=None)
    assert [until for _what, until in member.lapsing(D(2026, 6, 1))] == [D(2026, 7, 31)]


def test_a_certificate_lapsing_in_sixty_one_days_is_not_flagged():
    member = staff(D(2025, 7, 31), certification_expiry=None)
    assert member.lapsing(D(2026, 5, 31)) == []


def test_a_certificate_lapsing_today_is_flagged():
    member = staff(D(2025, 7, 31), certification_expiry=None)
    assert len(member.lapsing(D(2026, 7, 31))) == 1


def test_a_certificate_that_already_lapsed_is_not_lapsing():
    member = staff(D(2025, 7, 31), certification_expiry=None)
    assert member.lapsing(D(2026, 8, 1)) == []


def test_a_certification_expiring_within_sixty_days_is_flagged():
    member = staff(None, certification_expiry=D(2026, 7, 1))
    assert [until for _what, until in member.lapsing(D(2026, 6, 1))] == [D(2026, 7, 1)]


def test_both_lapsing_documents_are_listed():
    member = staff(D(2025, 7, 1), certification_expiry=D(2026, 7, 10))
    assert sorted(until for _what, until in member.lapsing(D(2026, 6, 1))) == [D(2026, 7, 1), D(2026, 7, 10)]


def test_documents_far_from_lapsing_are_not_listed():
    member = staff(D(2026, 6, 1), certification_expiry=D(2028, 1, 1))
    assert member.lapsing(D(2026, 6, 1)) == []


# -- the NGO-database listing -----------------------------------------------------------------------------------


def provider_with_submission(last: dt.date | None, listed: bool = True) -> Provider:
    return factories.ProviderFactory(ngo_db_listed=listed, ngo_db_last_submission=last)


def test_a_submission_exactly_fifteen_months_old_is_current():
    assert provider_with_submission(D(2025, 8, 24)).listing_is_current(D(2026, 11, 24))


def test_a_submission_fifteen_months_and_one_day_old_is_out_of_date():
    assert not provider_with_submission(D(2025, 8, 23)).listing_is_current(D(2026, 11, 24))


def test_a_listing_without_a_submission_date_is_not_current():
    assert not provider_with_submission(None).listing_is_current(D(2026, 11, 24))


def test_an_unlisted_provider_has_no_current_listing():
    assert not provider_with_submission(None, listed=False).listing_is_current(D(2026, 11, 24))


def test_the_listing_is_checked_for_today_by_default(clock):
    assert provider_with_submission(D(2025, 8, 24)).listing_is_current()
    assert not provider_with_submission(D(2025, 8, 23)).listing_is_current()


# -- experience -------------------------------------------------------------------------------------------------


def test_experience_counts_whole_years_since_registration():
    provider = factories.ProviderFactory(registration_date=D(2015, 5, 12))
    assert provider.experience_years(D(2026, 5, 11)) == 10
    assert provider.experience_years(D(2026, 5, 12)) == 11


def test_experience_is_zero_in_the_first_year():
    provider = factories.ProviderFactory(registration_date=D(2026, 1, 10))
    assert provider.experience_years(D(2026, 12, 31)) == 0


def test_experience_is_never_negative():
    provider = factories.ProviderFactory(registration_date=D(2026, 1, 10))
    assert provider.experience_years(D(2025, 1, 1)) == 0


def test_experience_from_29_february_completes_a_year_on_1_march():
    provider = factories.ProviderFactory(registration_date=D(2016, 2, 29))
    assert provider.experience_years(D(2017, 2, 28)) == 0
    assert provider.experience_years(D(2017, 3, 1)) == 1


def test_experience_is_counted_to_today_by_default(clock):
    provider = factories.ProviderFactory(registration_date=D(2015, 5, 12))
    assert provider.experience_years() == 11


# -- status transitions -----------------------------------------------------------------------------------------


@pytest.fixture
def unverified(db):
    return factories.ProviderFactory(status=Provider.Status.UNVERIFIED)


def events(provider: Provider) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_object(provider).order_by("id"))


def test_verifying_makes_an_unverified_provider_active(unverified, officer, clock):
    unverified.verify(by=officer)
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.ACTIVE
    assert unverified.status_changed_at is not None


def test_verifying_records_an_audit_event(unverified, officer, clock):
    unverified.verify(by=officer)
    [event] = events(unverified)
    assert (event.action, event.actor) == ("verified", officer)
    assert event.changes == {"status": ["unverified", "active"]}


def test_suspending_an_active_provider_keeps_the_reason(unverified, officer, clock):
    unverified.verify(by=officer)
    unverified.suspend(by=officer, reason="Документы не подтверждены")
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.SUSPENDED
    assert unverified.status_reason == "Документы не подтверждены"


def test_the_whole_cycle_is_recorded_in_order(unverified, officer, clock):
    unverified.verify(by=officer)
    unverified.suspend(by=officer, reason="проверка")
    unverified.reactivate(by=officer)
    unverified.refresh_from_db()
    assert unverified.status == Provider.Status.ACTIVE
    assert unverified.status_reason == ""
    assert [(e.action, e.changes["status"]) for e in events(unverified)] == [
        ("verified", ["unverified", "active"]),
        ("suspended", ["active", "suspended"]),
        ("reactivated", ["suspended", "active"]),
    ]
    assert events(unverified)[1].changes["note"] == "проверка"


@pytest.mark.parametrize(
    ("status", "method"),
    [
        (Provider.Status.UNVERIFIED, "reactivate"),
        (Provider.Status.ACTIVE, "verify"),
        (Provider.Status.ACTIVE, "reactivate"),
        (Provider.Status.SUSPENDED, "verify"),
    ],
)
def test_an_invalid_transition_raises_and_changes_nothing(officer, status, method):
    provider = factories.ProviderFactory(status=status)
    with pytest.raises(InvalidTransition):
        getattr(provider, method)(by=officer)
    provider.refresh_from_db()
    assert provider.status == status
    assert provider.status_changed_at is None
    assert events(provider) == []


@pytest.mark.parametrize("status", [Provider.Status.UNVERIFIED, Provider.Status.SUSPENDED])
def test_suspending_a_provider_that_is_not_active_raises_and_changes_nothing(officer, status):
    provider = factories.ProviderFactory(status=status)
    with pytest.raises(InvalidTransition):
        provider.suspend(by=officer, reason="причина")
    provider.refresh_from_db()
    assert provider.status == status
    assert events(provider) == []


def test_the_invalid_transition_message_names_both_statuses(officer):
    provider = factories.ProviderFactory(status=Provider.Status.ACTIVE)
    with pytest.raises(InvalidTransition) as error:
        provider.verify(by=officer)
    assert str(Provider.Status.ACTIVE.label) in error.value.message


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspending_without_a_reason_is_refused(officer, reason):
    provider = factories.ProviderFactory(status=Provider.Status.ACTIVE)
    with pytest.raises(InvalidTransition):
        provider.suspend(by=officer, reason=reason)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.ACTIVE
    assert events(provider) == []


def test_transition_methods_are_marked_as_altering_data():
    assert Provider.verify.alters_data
    assert Provider.suspend.alters_data
    assert Provider.reactivate.alters_data


@pytest.mark.parametrize(
    ("status", "may_bid"),
    [(Provider.Status.UNVERIFIED, False), (Provider.Status.ACTIVE, True), (Provider.Status.SUSPENDED, False)],
)
def test_only_an_active_provider_may_bid(status, may_bid):
    assert factories.ProviderFactory(status=status).may_bid is may_bid


def test_eligible_to_bid_returns_only_active_providers():
    active = factories.ProviderFactory(status=Provider.Status.ACTIVE)
    factories.ProviderFactory(status=Provider.Status.UNVERIFIED)
    factories.ProviderFactory(status=Provider.Status.SUSPENDED)
    assert list(Provider.objects.eligible_to_bid()) == [active]


# -- invariants in the database ---------------------------------------------------------------------------------


def test_a_bin_can_be_registered_only_once():
    first = factories.ProviderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProviderFactory(bin=first.bin)
    assert Provider.objects.filter(bin=first.bin).count() == 1


def test_a_service_area_is_unique_per_provider_region_and_service():
    area = factories.ServiceAreaFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ServiceAreaFactory(provider=area.provider, region=area.region, service_type=area.service_type)
    assert ServiceArea.objects.filter(provider=area.provider).count() == 1


def test_the_same_provider_may_work_in_another_region_for_the_same_service():
    area = factories.ServiceAreaFactory()
    factories.ServiceAreaFactory(provider=area.provider, region=factories.region("35"), service_type=area.service_type)
    assert ServiceArea.objects.filter(provider=area.provider).count() == 2


def test_a_service_area_needs_a_positive_capacity():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ServiceAreaFactory(capacity=0)


def test_a_user_is_a_member_of_a_provider_only_once():
    membership = factories.MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MembershipFactory(user=membership.user, provider=membership.provider)
    assert Membership.objects.filter(user=membership.user).count() == 1


def test_a_submission_date_needs_a_listing():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProviderFactory(ngo_db_listed=False, ngo_db_last_submission=D(2026, 3, 1))


def test_an_unknown_status_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ProviderFactory(status="approved")
