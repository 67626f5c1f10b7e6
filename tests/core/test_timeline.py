"""Timelines in plain language (core.timeline): the audit log keeps raw values; the timeline shows the verb and the
fields' verbose names in the reader's language, choice labels instead of codes, money and dates in the reader's locale
and Almaty time, amendments line by line, related rows by name, and sensitive fields by name only. Each rule is
checked in Russian and in Kazakh."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from core import audit
from core.audit import Action
from core.models import AuditEvent
from core.timeline import entries
from tests import factories

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def render(obj, language: str, viewer=None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the object's timeline, oldest first, as (verb, [(label, text)]) in `language`."""
    with translation.override(language):
        rendered = entries(reversed(AuditEvent.objects.for_object(obj)), viewer=viewer)
        return [(str(e.action), [(str(line.label), str(line.text)) for line in e.lines]) for e in rendered]


def lines(obj, language: str, viewer=None) -> list[tuple[str, str]]:
    return [line for _verb, event_lines in render(obj, language, viewer) for line in event_lines]


# -- verbs -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", ["создано", "опубликован", "заявки вскрыты"]), ("kk", ["құрылды", "жарияланған", "өтінімдер ашылды"])],
)
def test_the_verb_is_in_the_readers_language(officer, language, expected):
    call = factories.CallFactory(agency=officer.agency)
    for action in (Action.CREATED, Action.PUBLISHED, Action.BIDS_OPENED):
        audit.record(actor=officer, action=action, target=call)
    assert [verb for verb, _lines in render(call, language)] == expected


def test_a_verb_that_also_names_a_date_field_is_not_read_as_the_date(officer):
    """ "created" and "registered" are also the verbose names of date fields ("дата создания"); as verbs they read as
    verbs."""
    provider = factories.ProviderFactory()
    audit.record(actor=officer, action=Action.REGISTERED, target=provider)
    audit.record(actor=officer, action=Action.CREATED, target=provider)
    assert [verb for verb, _lines in render(provider, "ru")] == ["зарегистрировано", "создано"]


def test_existing_rows_keep_reading_right():
    """Rows written before the verbs were a TextChoices hold the same strings and read the same."""
    event = factories.AuditEventFactory(action="report returned")
    unknown = factories.AuditEventFactory(action="archived")  # a verb no longer written
    with translation.override("ru"):
        assert (str(event.action_label), str(unknown.action_label)) == ("отчёт возвращён на доработку", "archived")


def test_record_refuses_a_verb_outside_the_list(officer, provider):
    with pytest.raises(ValueError, match="not a valid"):
        audit.record(actor=officer, action="tidied up", target=provider)
    assert not AuditEvent.objects.exists()


# -- field labels and choice labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", [("статус", "не проверена → действует")]),
        ("kk", [("мәртебесі", "тексерілмеген → белсенді")]),
    ],
)
def test_a_status_change_shows_the_fields_label_and_the_status_labels(officer, language, expected):
    provider = factories.ProviderFactory(status="unverified")
    provider.verify(by=officer)
    assert lines(provider, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", ("организационно-правовая форма", "общественный фонд → общественное объединение")),
        ("kk", ("ұйымдық-құқықтық нысаны", "қоғамдық қор → қоғамдық бірлестік")),
    ],
)
def test_a_choice_shows_its_label_not_its_code(officer, language, expected):
    provider = factories.ProviderFactory()
    audit.record(
        actor=officer,
        action=Action.EDITED,
        target=provider,
        changes={"legal_form": ("public-fund", "public-association")},
    )
    assert lines(provider, language) == [expected]


@pytest.mark.parametrize(("language", "yes"), [("ru", "да"), ("kk", "иә")])
def test_a_yes_or_no_field_reads_as_words(officer, language, yes):
    provider = factories.ProviderFactory()
    audit.record(actor=officer, action=Action.EDITED, target=provider, changes={"ngo_db_listed": (False, True)})
    assert lines(provider, language)[0][1].endswith(f"→ {yes}")


# -- money and dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", ("цена", "9,0 → 9,5 млн ₸")), ("kk", ("бағасы", "9,0 → 9,5 млн ₸"))],
)
def test_money_is_shown_in_millions_in_the_readers_locale(officer, language, expected):
    bid = factories.BidFactory()
    audit.record(actor=officer, action=Action.BID_EDITED, target=bid, changes={"price": ("9000000.00", "9500000")})
    assert lines(bid, language) == [expected]


def test_small_amounts_and_changes_too_small_for_millions_are_shown_in_full(officer):
    bid = factories.BidFactory()
    audit.record(actor=officer, action=Action.BID_EDITED, target=bid, changes={"price": ("950000", "800000.50")})
    audit.record(actor=officer, action=Action.BID_EDITED, target=bid, changes={"price": ("9000000", "9000500")})
    assert [text for _label, text in lines(bid, "ru")] == [
        f"950{NBSP}000{NBSP}₸ → 800{NBSP}000,50{NBSP}₸",
        f"9{NBSP}000{NBSP}000{NBSP}₸ → 9{NBSP}000{NBSP}500{NBSP}₸",
    ]


@pytest.mark.parametrize(
    ("language", "label"), [("ru", "окончание приёма заявок"), ("kk", "өтінімдерді қабылдау мерзімі")]
)
def test_a_moment_is_shown_in_almaty_time(officer, language, label):
    call = factories.CallFactory(agency=officer.agency)
    old = dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)  # 10:00 in Almaty
    new = dt.datetime(2026, 12, 15, 19, 30, tzinfo=dt.UTC)  # 00:30 the next day in Almaty
    call.extend_deadline(by=officer, new_deadline=new)
    AuditEvent.objects.filter(action="deadline extended").update(changes={"deadline": [str(old), str(new)]})
    assert lines(call, language) == [(label, "08.12.2026 10:00 → 16.12.2026 00:30")]


@pytest.mark.parametrize(("language", "label"), [("ru", "дата регистрации"), ("kk", "тіркелген күні")])
def test_a_date_is_shown_day_first(officer, language, label):
    provider = factories.ProviderFactory()
    audit.record(
        actor=officer,
        action=Action.EDITED,
        target=provider,
        changes={"registration_date": (dt.date(2015, 5, 12), dt.date(2016, 1, 2))},
    )
    assert lines(provider, language) == [(label, "12.05.2015 → 02.01.2016")]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_amounts_and_scores_quoted_in_a_note_follow_the_locale(officer, language):
    contract = factories.ContractFactory(agency=officer.agency)
    audit.record(actor=officer, action=Action.PAYMENT_RECORDED, target=contract, note="2026, fixed: 1500000.00 ₸")
    audit.record(actor=officer, action=Action.EVALUATION_CONCLUDED, target=contract, note="2026: 21.40 / 25")
    assert [text for _label, text in lines(contract, language)] == [
        f"2026, fixed: 1{NBSP}500{NBSP}000{NBSP}₸",
        "2026: 21,40 / 25",
    ]


# -- amendments ------------------------------------------------------------------------------------------------------


def amend(officer, contract):
    old = {"total": "64100000.00", "2025": "35600000.00", "2026": "28500000.00"}
    new = {"total": "56600000", "2025": "28100000", "2026": "28500000"}
    audit.record(
        actor=officer, action=Action.AMENDED, target=contract, changes={"amount": (old, new)}, note="Сокращение"
    )


@pytest.mark.parametrize(
    ("language", "tranche", "total"), [("ru", "транш 2025", "сумма"), ("kk", "2025 транші", "сомасы")]
)
def test_an_amendment_is_shown_line_by_line_not_as_a_dict(officer, language, tranche, total):
    contract = factories.ContractFactory(agency=officer.agency)
    amend(officer, contract)
    shown = lines(contract, language)
    assert shown == [(total, "64,1 → 56,6 млн ₸"), (tranche, "35,6 → 28,1 млн ₸"), ("", "Сокращение")]
    assert "{" not in str(shown)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", [("дата окончания", "31.12.2026"), ("дата расторжения", "01.07.2026")]),
        ("kk", [("аяқталу күні", "31.12.2026"), ("бұзылған күні", "01.07.2026")]),
    ],
)
def test_a_termination_amendment_names_both_dates(officer, language, expected):
    contract = factories.ContractFactory(agency=officer.agency)
    audit.record(
        actor=officer,
        action=Action.AMENDED,
        target=contract,
        changes={"termination": ({"end_date": "2026-12-31"}, {"terminated_on": "2026-07-01"})},
    )
    assert lines(contract, language) == expected


# -- related rows and personal data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "label"), [("ru", "регион местонахождения"), ("kk", "орналасқан өңірі")])
def test_a_related_row_recorded_by_its_key_is_named(officer, language, label):
    provider = factories.ProviderFactory()
    almaty, astana = factories.region("75"), factories.region("71")
    as_recorded = str(astana)  # a row the form cleaned is recorded by its name as it read then
    audit.record(actor=officer, action=Action.EDITED, target=provider, changes={"home_region": (almaty.pk, astana)})
    with translation.override(language):
        expected = (label, f"{almaty.name} → {as_recorded}")
    assert lines(provider, language) == [expected]
    assert f"#{almaty.pk}" not in expected[1]


@pytest.mark.parametrize(
    ("language", "everyone", "member"),
    [
        ("ru", "сотрудник: психолог", "сотрудник: Ахметова Айгерим"),
        ("kk", "қызметкер: психолог", "қызметкер: Ахметова Айгерим"),
    ],
)
def test_a_staff_member_is_named_by_position_and_by_name_only_to_the_organisation(
    officer, provider, ngo_user, language, everyone, member
):
    staff = factories.StaffMemberFactory(provider=provider, full_name="Ахметова Айгерим", position="psychologist")
    audit.record(
        actor=ngo_user,
        action=Action.STAFF_MEMBER_EDITED,
        target=provider,
        changes={"qualification": ("Бакалавр", "Магистр")},
        note=f"сотрудник #{staff.pk}",
    )
    assert lines(provider, language, viewer=officer)[-1] == ("", everyone)
    assert lines(provider, language, viewer=ngo_user)[-1] == ("", member)
    assert f"#{staff.pk}" not in str(lines(provider, language, viewer=officer))


def test_a_removed_row_is_named_by_its_kind(officer, provider, ngo_user):
    audit.record(actor=ngo_user, action=Action.SERVICE_AREA_REMOVED, target=provider, note="service area #999999")
    assert lines(provider, "kk") == [("", "қызмет көрсету аймағы #999999")]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", [("ФИО", "изменено"), ("должность", "педагог → психолог")]),
        ("kk", [("аты-жөні", "өзгертілді"), ("лауазымы", "педагог → психолог")]),
    ],
)
def test_sensitive_fields_are_named_without_values(officer, provider, language, expected):
    audit.record(
        actor=officer,
        action=Action.STAFF_MEMBER_EDITED,
        target=provider,
        changes={"full_name": ("Старое имя", "Новое имя"), "position": ("teacher", "psychologist")},
        sensitive=["full_name"],
    )
    shown = lines(provider, language)
    assert shown == expected
    assert "имя" not in str(shown)


def test_a_sensitive_field_stored_with_values_is_still_shown_by_name_only(officer, provider):
    """Personal data fields of the row's model are shown by name whatever the row holds."""
    factories.AuditEventFactory(
        actor=officer,
        action="staff member edited",
        object_id=str(provider.pk),
        changes={"no_record_certificate_date": ["2025-01-01", "2026-01-01"]},
    )
    assert lines(provider, "ru") == [("дата справки об отсутствии судимости", "изменено")]


def test_the_staffing_plan_of_a_bid_is_shown_by_name_only(officer):
    bid = factories.BidFactory()
    audit.record(
        actor=officer, action=Action.BID_EDITED, target=bid, changes={"staff": ([1], [1, 2])}, sensitive=["staff"]
    )
    assert lines(bid, "kk") == [("кадрлық құрам", "өзгертілді")]


# -- pages ---------------------------------------------------------------------------------------------------------


def test_the_complaint_page_has_its_timeline(client, clock, officer, provider, ngo_user):
    from tenders import services

    call = factories.CallFactory(agency=officer.agency)
    complaint = services.file_complaint(
        call=call, provider=provider, acting_user=ngo_user, kind="terms", text="Срок слишком короткий"
    )
    services.decide_complaint(complaint=complaint, acting_user=officer, upheld=False, decision="Срок достаточен")
    client.force_login(ngo_user)
    client.cookies["django_language"] = "ru"

    response = client.get(reverse("tenders:complaint-detail", args=[complaint.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Хронология" in text
    assert "подана жалоба" in text
    assert "жалоба отклонена" in text
    assert "статус: подано → отклонена" in text  # the complaint's own status labels


def test_the_contract_page_shows_an_amendment_in_plain_language(client, clock, officer):
    contract = factories.ContractFactory(agency=officer.agency)
    amend(officer, contract)
    client.force_login(officer)
    client.cookies["django_language"] = "ru"
    text = client.get(contract.get_absolute_url()).content.decode()
    assert "транш 2025: 35,6 → 28,1 млн ₸" in text
    assert "{&#x27;" not in text


def test_rendering_a_timeline_costs_no_query_per_event(officer, django_assert_max_num_queries):
    call = factories.CallFactory(agency=officer.agency)
    for n in range(20):
        audit.record(actor=officer, action=Action.EDITED, target=call, changes={"quorum": (n, n + 1)})
    events = list(AuditEvent.objects.for_object(call))
    with django_assert_max_num_queries(1):  # at most the content type, once
        rendered = entries(events, viewer=officer)
    assert len(rendered) == 20
