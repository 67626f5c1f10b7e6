"""The permission matrix: every URL of the project × every role → the status code it must answer.

Expected semantics (DESIGN.md "What each sees", STYLE.md rules 6 and 7):

- anonymous on a non-public page → 302 to the login page; public pages → 200 for everyone;
- a row outside the user's scope → 404 (it is hidden, not forbidden);
- a visible row, but the role may not do this → 403;
- state changes are POST: a refused POST changes nothing (no row, no audit event).

To add an app's URLs: add the rows it needs to `build_objects()` and append its `Case`s to `CASES` (one `Case` per
URL, method and situation, with the status each role must get). `test_every_url_is_in_the_matrix` fails until every
named URL pattern has at least one case.

The rows are built once for the module; each case is one test that sends its request once per role, each inside a
savepoint rolled back afterwards, so every role meets the rows exactly as built. A failure names the URL and every
role whose answer differs from the matrix, with the status expected and the status got.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from contracts.models import Amendment, Contract, ContractDocument, Payment, Report, ReportingPeriod, Target, Tranche
from core import audit
from core.models import AuditEvent, Indicator, Notification
from core.util import today
from evaluation.analytics import ocds
from evaluation.models import CRITERION_CODES, Evaluator, EvaluatorScore, ResultEvaluation, Snapshot
from providers.forms import ProviderForm, ServiceAreaForm, StaffMemberForm
from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember
from tenders.forms import local_input
from tenders.models import (
    Bid,
    BidDocument,
    Call,
    CallDocument,
    CommissionMember,
    Complaint,
    ConflictDeclaration,
    Question,
    Score,
    ScoreSheet,
)
from tests import factories
from tests.conftest import private_media_at
from tests.tenders.util import call_data, call_edit_data, management

Objects = dict[str, Any]

ROLES = ("anonymous", "officer", "other_officer", "expert", "ngo", "other_ngo", "committee", "admin")


@dataclass(frozen=True)
class Case:
    """One URL (with its arguments, method and data) and the status each role must get.

    `state` reads whatever the request could change; roles in `changes` must change it, every other role must
    leave it exactly as it was. `setup` prepares the rows first (e.g. puts a provider in the right status).
    """

    name: str
    expect: dict[str, int]
    kwargs: Callable[[Objects], dict] | None = None
    method: str = "get"
    data: Callable[[Objects], dict] | None = None
    public: bool = False
    state: Callable[[Objects], Any] | None = None
    changes: frozenset[str] = frozenset()
    setup: Callable[[Objects], None] | None = None
    label: str = ""
    login_url: str = "login"

    @property
    def id(self) -> str:
        return f"{self.name}[{self.method}{'-' + self.label if self.label else ''}]"


def every(status: int) -> dict[str, int]:
    """Return the same status for every role."""
    return dict.fromkeys(ROLES, status)


def roles(default: int, **overrides: int) -> dict[str, int]:
    """Return `default` for every role except the ones named."""
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


def logged_in(status: int, **overrides: int) -> dict[str, int]:
    """Return a non-public page's row: anonymous is sent to log in, everybody else gets `status`."""
    return roles(status, anonymous=302, **overrides)


# The shapes that repeat across apps.
MEMBERS_ONLY = logged_in(403, ngo=200, other_ngo=404)  # edit pages of an NGO: members; other NGOs cannot see it
VISIBLE_TO_STAFF_AND_MEMBERS = logged_in(200, other_ngo=404)
POST_ONLY = logged_in(405)

ALL_LOGGED_IN = frozenset(ROLES) - {"anonymous"}


# -- the rows the matrix points at ------------------------------------------------------------------------------


def build_objects(users: dict, provider: Provider, other_provider: Provider) -> Objects:
    """Return every row the cases refer to, by name. `provider` (home region 75) belongs to "ngo",
    `other_provider` (home region 35) to "other_ngo"; the officer's agency is in 75, the other officer's in 35."""
    objs: Objects = {**users, "provider": provider, "other_provider": other_provider}
    # providers
    objs["area"] = factories.ServiceAreaFactory(provider=provider)
    objs["other_area"] = factories.ServiceAreaFactory(provider=other_provider, region=factories.region("35"))
    objs["staff"] = factories.StaffMemberFactory(provider=provider)
    objs["other_staff"] = factories.StaffMemberFactory(provider=other_provider)
    objs["invitation"] = factories.InvitationFactory(provider=provider, invited_by=users["ngo"])
    objs["notification"] = Notification.objects.create(recipient=users["ngo"], subject="Inbox", link="/calls/")
    build_tenders(objs)
    build_contracts(objs)
    build_evaluation(objs)
    build_imports(objs)
    return objs


IMPORT_CSV = (
    "bin;name_ru;name_kk;legal_form;registration_date;home_region;address;phone;email\n"
    f"{factories.valid_bin(977, year_month='1207')};ОФ «Матрица»;«Матрица» ҚҚ;public-fund;15.03.2012;750000000;"
    "Алматы;+7 727 000 00 00;m@example.kz\n"
)


def build_imports(objs: Objects) -> None:
    """`import`: the officer's checked import of one NGO (a CSV of the providers sheet), ready to commit."""
    from core.imports import services as import_services

    objs["import"] = import_services.start_import(
        user=objs["officer"], upload=SimpleUploadedFile("providers.csv", IMPORT_CSV.encode()), csv_kind="providers"
    )
    assert objs["import"].status == "ready", objs["import"].problems


PDF = b"%PDF-1.4\n% matrix test\n"


def build_tenders(objs: Objects) -> None:
    """Calls of the officer's agency (region 75) in every stage, with bids of "ngo" and "other_ngo".

    - `call`: published, accepting bids (deadline in 14 days): `bid` (ngo, submitted: sealed), `other_bid`
      (other_ngo, a draft), `question` (asked by ngo), `complaint` (ngo, about the terms), `call_document`,
      `bid_document`;
    - `fresh_call`: published, no bids; `draft_call`: a draft with `draft_document`;
    - `unopened_call`: published, deadline an hour ago, not opened;
    - `closed_call`: under evaluation (quorum 1): `closed_bid` (ngo, admitted); the expert chairs its commission,
      declared no conflict and submitted a sheet of 7s (70 of 100);
    - `failed_call`: failed, may be re-announced.
    """
    now = timezone.now()
    officer, ngo, other_ngo = objs["officer"], objs["ngo"], objs["other_ngo"]

    def call(**kwargs) -> Call:
        return factories.CallFactory(agency=officer.agency, created_by=officer, **kwargs)

    def document(model, title: str, name: str, **owner):
        return model.objects.create(title=title, file=ContentFile(PDF, name=name), original_name=name, **owner)

    objs["call"] = call()
    objs["bid"] = factories.BidFactory(
        call=objs["call"],
        provider=objs["provider"],
        created_by=ngo,
        status=Bid.Status.SUBMITTED,
        submitted_at=now - dt.timedelta(hours=1),
    )
    objs["other_bid"] = factories.BidFactory(call=objs["call"], provider=objs["other_provider"], created_by=other_ngo)
    objs["question"] = factories.QuestionFactory(call=objs["call"], asked_by=ngo)
    objs["complaint"] = factories.ComplaintFactory(call=objs["call"], provider=objs["provider"], filed_by=ngo)
    objs["call_document"] = document(CallDocument, "Техническая спецификация", "terms.pdf", call=objs["call"])
    objs["bid_document"] = document(BidDocument, "Устав", "charter.pdf", bid=objs["bid"])
    objs["fresh_call"] = call()
    objs["draft_call"] = call(draft=True)
    objs["draft_document"] = document(CallDocument, "Проект", "draft.pdf", call=objs["draft_call"])
    objs["unopened_call"] = call(opens_at=now - dt.timedelta(days=20), deadline=now - dt.timedelta(hours=1))
    objs["closed_call"] = call(
        status=Call.Status.EVALUATION,
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
        opened_at=now - dt.timedelta(hours=20),
        quorum=1,
    )
    objs["closed_bid"] = factories.BidFactory(
        call=objs["closed_call"],
        provider=objs["provider"],
        created_by=ngo,
        status=Bid.Status.ADMITTED,
        submitted_at=now - dt.timedelta(days=2),
    )
    objs["member"] = factories.CommissionMemberFactory(call=objs["closed_call"], user=objs["expert"], is_chair=True)
    factories.ConflictDeclarationFactory(member=objs["member"], bid=objs["closed_bid"], has_conflict=False)
    factories.score_sheet(objs["member"], objs["closed_bid"], [7] * 5)
    objs["failed_call"] = call(
        status=Call.Status.FAILED, opens_at=now - dt.timedelta(days=40), deadline=now - dt.timedelta(days=20)
    )


def awarded_call(objs: Objects, start_year: int, duration_years: int, decided: dt.datetime) -> tuple[Call, Bid]:
    """Return a call of the officer's agency awarded at `decided` to a bid of `provider`, its standstill over."""
    call = factories.CallFactory(
        agency=objs["officer"].agency,
        created_by=objs["officer"],
        status=Call.Status.AWARDED,
        start_year=start_year,
        duration_years=duration_years,
        opens_at=decided - dt.timedelta(days=40),
        deadline=decided - dt.timedelta(days=10),
        opened_at=decided - dt.timedelta(days=9),
        decided_at=decided,
        standstill_until=decided + dt.timedelta(days=5),
    )
    bid = factories.BidFactory(
        call=call,
        provider=objs["provider"],
        created_by=objs["ngo"],
        status=Bid.Status.WINNER,
        submitted_at=decided - dt.timedelta(days=11),
        decided_at=decided,
    )
    return call, bid


def build_contracts(objs: Objects) -> None:
    """Contracts of the officer's agency with "ngo"'s `provider` (this year is Y):

    - `contract`: active, signed, Y-2 to Y, a tranche a year (`tranche` is Y's), a target for Y-2 on `used_indicator`;
      its periods: the annual reports of Y-2 (`evaluated_report`) and Y-1 (`accepted_report`), both accepted; Q2 of Y
      with `draft_report`; Q3 of Y with `report`, submitted (to review); Q4 of Y (`open_period`) with no report;
      `contract_document` uploaded by "ngo";
    - `pending_contract`: prepared for Y+1, signed by nobody yet;
    - `prepare_call`: awarded for Y+1, standstill over, no contract yet (`prepare_bid` won).
    """
    now = timezone.now()
    year = timezone.localdate().year
    officer, ngo = objs["officer"], objs["ngo"]
    signed = dt.datetime(year - 3, 12, 20, 7, tzinfo=dt.UTC)

    def contract(call: Call, bid: Bid, number: str, **kwargs) -> Contract:
        return Contract.objects.create(
            number=number,
            call=call,
            bid=bid,
            provider=bid.provider,
            agency=call.agency,
            region=call.region,
            service_type=call.service_type,
            total=bid.price,
            start_date=dt.date(call.start_year, 1, 1),
            end_date=dt.date(call.end_year, 12, 31),
            scope=call.description_ru,
            created_by=officer,
            **kwargs,
        )

    def tranches(contract: Contract) -> list[Tranche]:
        share = (contract.total / len(contract.years)).quantize(Decimal("0.01"))
        rows = []
        for index, y in enumerate(contract.years):
            amount = share if index < len(contract.years) - 1 else contract.total - share * index
            rows.append(
                Tranche.objects.create(
                    contract=contract, year=y, amount=amount, fixed_amount=amount, planned_date=dt.date(y, 3, 1)
                )
            )
        return rows

    def period(kind: str, y: int, quarter: int = 0) -> ReportingPeriod:
        start, end = dt.date(y, 1, 1), dt.date(y, 12, 31)
        if quarter:
            start = dt.date(y, 3 * quarter - 2, 1)
            end = (dt.date(y, 3 * quarter + 1, 1) if quarter < 4 else dt.date(y + 1, 1, 1)) - dt.timedelta(days=1)
        return ReportingPeriod.objects.create(
            contract=objs["contract"],
            kind=kind,
            year=y,
            quarter=quarter,
            start=start,
            end=end,
            due_date=end + dt.timedelta(days=10),
        )

    def report(period: ReportingPeriod, status: str) -> Report:
        submitted = None
        if status != Report.Status.DRAFT:
            submitted = dt.datetime.combine(period.due_date, dt.time(5), tzinfo=dt.UTC)
        reviewed = status == Report.Status.ACCEPTED
        return Report.objects.create(
            period=period,
            narrative="Сопровождено 40 семей.",
            children_served=60,
            families_served=40,
            status=status,
            first_submitted_at=submitted,
            submitted_at=submitted,
            reviewed_at=submitted + dt.timedelta(days=3) if reviewed else None,
            reviewed_by=officer if reviewed else None,
            created_by=ngo,
        )

    call, bid = awarded_call(objs, year - 2, 3, signed - dt.timedelta(days=10))
    objs["contract_call"] = call
    objs["contract"] = contract(
        call,
        bid,
        "Д-MATRIX-1",
        status=Contract.Status.ACTIVE,
        agency_signed_at=signed,
        agency_signed_by=officer,
        provider_signed_at=signed + dt.timedelta(days=1),
        provider_signed_by=ngo,
    )
    objs["tranche"] = tranches(objs["contract"])[-1]
    objs["used_indicator"] = Indicator.objects.get(code="cm-closed-positive")
    Target.objects.create(contract=objs["contract"], year=year - 2, indicator=objs["used_indicator"], value=70)
    objs["evaluated_report"] = report(period(ReportingPeriod.Kind.ANNUAL, year - 2), Report.Status.ACCEPTED)
    objs["accepted_report"] = report(period(ReportingPeriod.Kind.ANNUAL, year - 1), Report.Status.ACCEPTED)
    objs["draft_report"] = report(period(ReportingPeriod.Kind.QUARTERLY, year, 2), Report.Status.DRAFT)
    objs["period"] = period(ReportingPeriod.Kind.QUARTERLY, year, 3)
    objs["report"] = report(objs["period"], Report.Status.SUBMITTED)
    objs["open_period"] = period(ReportingPeriod.Kind.QUARTERLY, year, 4)
    objs["contract_document"] = ContractDocument.objects.create(
        contract=objs["contract"],
        title="Акт выполненных работ",
        file=ContentFile(PDF, name="act.pdf"),
        original_name="act.pdf",
        uploaded_by=ngo,
    )
    call, bid = awarded_call(objs, year + 1, 1, now - dt.timedelta(days=20))
    objs["pending_contract"] = contract(call, bid, "Д-MATRIX-2")
    tranches(objs["pending_contract"])
    objs["prepare_call"], objs["prepare_bid"] = awarded_call(objs, year + 1, 1, now - dt.timedelta(days=20))


def build_evaluation(objs: Objects) -> None:
    """The council's `evaluation` of `contract`'s year Y-2 (open), with three evaluators: the expert (declared no
    conflict, not scored yet: `evaluator`) and two more experts who have submitted; the experts are in
    `evaluators`, for opening another. `indicator`: a catalogue indicator nothing uses."""
    contract, now = objs["contract"], timezone.now()
    objs["evaluation"] = ResultEvaluation.objects.create(
        contract=contract,
        year=objs["evaluated_report"].period.year,
        threshold=contract.agency.evaluation_threshold,
        opened_by=objs["officer"],
    )
    objs["evaluator"] = Evaluator.objects.create(
        evaluation=objs["evaluation"], user=objs["expert"], declared_at=now, has_conflict=False
    )
    objs["evaluators"] = [objs["expert"]]
    for _ in range(2):
        colleague = factories.ExpertFactory()
        objs["evaluators"].append(colleague)
        evaluator = Evaluator.objects.create(
            evaluation=objs["evaluation"],
            user=colleague,
            declared_at=now,
            has_conflict=False,
            submitted_at=now,
            comment="Цели года достигнуты.",
        )
        EvaluatorScore.objects.bulk_create(
            EvaluatorScore(evaluator=evaluator, criterion=c, value=4) for c in CRITERION_CODES
        )
    objs["indicator"] = factories.IndicatorFactory(created_by_agency=objs["officer"].agency)  # the agency's own
    objs["reference_indicator"] = factories.IndicatorFactory()  # the catalogue's: only admins delete it


def build_users() -> Objects:
    """Return one user per role (as the role fixtures of tests/conftest.py make them) and the two providers."""
    provider = factories.ProviderFactory(home_region=factories.region("75"))
    other_provider = factories.ProviderFactory(home_region=factories.region("35"))
    agency = factories.AgencyFactory(region=factories.region("75"))
    other_agency = factories.AgencyFactory(region=factories.region("35"))
    return {
        "anonymous": None,
        "officer": factories.OfficerFactory(username="officer", agency=agency),
        "other_officer": factories.OfficerFactory(username="other-officer", agency=other_agency),
        "expert": factories.ExpertFactory(username="expert"),
        "ngo": factories.NgoUserFactory(username="ngo", provider=provider),
        "other_ngo": factories.NgoUserFactory(username="other-ngo", provider=other_provider),
        "committee": factories.CommitteeFactory(username="committee"),
        "admin": factories.AdminFactory(username="admin"),
        "provider": provider,
        "other_provider": other_provider,
    }


@pytest.fixture(scope="module")
def matrix_rows(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Objects]:
    """Build the rows once for the whole module, inside a transaction rolled back after its last test.

    Each test runs in a savepoint of it (the `db` fixture) and each role's request in a savepoint of that
    (`rolled_back`), so every role meets the rows exactly as built. The documents are stored in a temporary folder,
    not in MEDIA_ROOT."""
    media = tmp_path_factory.mktemp("matrix-media")
    with private_media_at(media), django_db_blocker.unblock(), transaction.atomic():
        users = build_users()
        yield build_objects(users, users.pop("provider"), users.pop("other_provider"))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _opendata_folder(settings, tmp_path):
    """Write the open-data bulk file in a temporary folder too."""
    settings.GSZ = {**settings.GSZ, "OPENDATA_DIR": tmp_path / "opendata"}


@pytest.fixture
def objs(db, matrix_rows) -> Objects:
    return matrix_rows


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo whatever the block writes to the database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# -- helpers for POST data and state ----------------------------------------------------------------------------


def form_data(form: BaseForm, **changes) -> dict:
    """Return the POST data an unchanged submission of `form` sends, with `changes` on top."""
    data = {bound.html_name: bound.value() for bound in form}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def row(model, pk) -> dict | None:
    """Return every column of one row (None once it is deleted)."""
    return model.objects.filter(pk=pk).values().first()


def with_audit(read: Callable[[Objects], Any]) -> Callable[[Objects], Any]:
    """Read `read(objs)` together with the number of audit events: a refused request writes none."""
    return lambda objs: (read(objs), AuditEvent.objects.count())


def set_status(key: str, status: str) -> Callable[[Objects], None]:
    def setup(objs: Objects) -> None:
        Provider.objects.filter(pk=objs[key].pk).update(status=status)

    return setup


def provider_pk(objs: Objects) -> dict:
    return {"provider_pk": objs["provider"].pk}


def provider_row(key: str = "provider") -> Callable[[Objects], Any]:
    return with_audit(lambda objs: row(Provider, objs[key].pk))


def languages(objs: Objects) -> dict:
    return dict(get_user_model().objects.values_list("username", "preferred_language"))


NEW_PASSWORD = "a-long-unusual-passphrase-9"


def account_data(prefix: str = "") -> dict:
    p = f"{prefix}-" if prefix else ""
    return {
        f"{p}username": "newcomer",
        f"{p}first_name": "Айгуль",
        f"{p}last_name": "Серикова",
        f"{p}email": "newcomer@example.kz",
        f"{p}password1": NEW_PASSWORD,
        f"{p}password2": NEW_PASSWORD,
    }


def register_data(objs: Objects) -> dict:
    provider = {
        "name_ru": "ОФ «Новая»",
        "name_kk": "«Жаңа» ҚҚ",
        "bin": factories.valid_bin(7000),
        "legal_form": Provider.LegalForm.PUBLIC_FUND,
        "registration_date": "2018-02-01",
        "home_region": factories.region("75").pk,
        "address": "Алматы, ул. Сатпаева, 5",
        "phone": "+7 701 222 33 44",
        "email": "new-ngo@example.kz",
    }
    return {**provider, **account_data(prefix="account")}


def transition(action: str, key: str = "provider") -> Callable[[Objects], dict]:
    return lambda objs: {"pk": objs[key].pk, "action": action}


# -- the matrix -------------------------------------------------------------------------------------------------

CORE_CASES = [
    Case("core:home", every(200), public=True),
    Case("core:dashboard", logged_in(200)),
    # Search is public: each kind answers in the reader's scope (anonymous visitors find public calls only).
    Case("core:search", every(200), data=lambda objs: {"q": "гсз"}, public=True),
    # The inbox: everyone signed in reads their own; someone else's message is hidden (404), administrators too.
    Case("core:inbox", logged_in(200)),
    Case("core:inbox-read-all", POST_ONLY),
    Case(
        "core:inbox-read-all",
        logged_in(302),
        method="post",
        state=lambda objs: row(Notification, objs["notification"].pk),
        changes=frozenset({"ngo"}),
    ),
    *[
        case
        for name in ("core:inbox-open", "core:inbox-read")
        for case in (
            Case(name, POST_ONLY, kwargs=lambda objs: {"pk": objs["notification"].pk}),
            Case(
                name,
                logged_in(404, ngo=302),
                method="post",
                kwargs=lambda objs: {"pk": objs["notification"].pk},
                state=lambda objs: row(Notification, objs["notification"].pk),
                changes=frozenset({"ngo"}),
            ),
        )
    ],
    # Switching the language is public and POST-only; a signed-in user's choice is stored on their account only.
    Case("core:set-language", every(405), public=True),
    Case(
        "core:set-language",
        every(302),
        method="post",
        data=lambda objs: {"language": "kk", "next": "/"},
        public=True,
        state=languages,
        changes=ALL_LOGGED_IN,
    ),
    Case(
        "core:set-language",
        every(302),
        method="post",
        data=lambda objs: {"language": "xx", "next": "/"},
        public=True,
        state=languages,
        label="unknown-language",
    ),
]

IMPORTERS = logged_in(403, officer=200, other_officer=200, admin=200)  # officers (own agency) and admins import
OWN_IMPORT = logged_in(403, officer=200, other_officer=404, admin=200)  # an import of the officer's agency


def import_pk(objs: Objects) -> dict:
    return {"pk": objs["import"].pk}


def import_upload(objs: Objects) -> dict:
    return {"file": SimpleUploadedFile("providers.csv", IMPORT_CSV.encode()), "csv_kind": "providers"}


def import_state(objs: Objects) -> Any:
    from core.models import Import

    return (Import.objects.count(), row(Import, objs["import"].pk))


IMPORT_CASES = [
    Case("core:imports", IMPORTERS),
    Case("core:import-template", IMPORTERS),
    Case("core:import-new", IMPORTERS),
    Case(
        "core:import-new",
        logged_in(403, officer=302, other_officer=302, admin=302),
        method="post",
        data=import_upload,
        state=import_state,
        changes=frozenset({"officer", "other_officer", "admin"}),
    ),
    Case("core:import-detail", OWN_IMPORT, kwargs=import_pk),
    Case("core:import-report", OWN_IMPORT, kwargs=import_pk),
    Case(
        "core:import-commit",
        logged_in(403, officer=302, other_officer=404, admin=302),
        kwargs=import_pk,
        method="post",
        state=import_state,
        changes=frozenset({"officer", "admin"}),
    ),
    # Only administrators move a region's data_from_year; the import here is not committed, so nothing moves.
    Case(
        "core:import-data-from",
        logged_in(403, officer=403, other_officer=404, admin=302),
        kwargs=import_pk,
        method="post",
        data=lambda objs: {"region": objs["officer"].agency.region_id},
        state=import_state,
    ),
]

AUTH_CASES = [
    Case("login", roles(302, anonymous=200), public=True),  # signed in: on to the dashboard
    Case("logout", POST_ONLY),
    Case("logout", logged_in(302), method="post"),
    Case("password_change", logged_in(200)),
    Case("password_change_done", logged_in(200)),
    Case("password_reset", every(200), public=True),
    Case("password_reset_done", every(200), public=True),
    # A made-up link shows the "invalid link" page, not an error.
    Case(
        "password_reset_confirm",
        every(200),
        kwargs=lambda objs: {"uidb64": "AA", "token": "abc-0123456789abcdef"},
        public=True,
    ),
    Case("password_reset_complete", every(200), public=True),
]

ADMIN_CASES = [
    # The admin sends anonymous and non-staff users alike to its own login page.
    Case("admin:index", logged_in(302, admin=200), login_url="admin:login"),
    Case("admin:login", roles(200, admin=302), public=True),
]

REGISTRY_READERS = logged_in(200, expert=403, ngo=403, other_ngo=403)

PROVIDER_CASES = [
    Case("providers:provider-list", REGISTRY_READERS),
    Case("providers:provider-list", REGISTRY_READERS, data=lambda objs: {"export": "csv"}, label="export-csv"),
    Case("providers:provider-list", REGISTRY_READERS, data=lambda objs: {"export": "xlsx"}, label="export-xlsx"),
    Case("providers:register", roles(302, anonymous=200), public=True),  # signed in: to the dashboard
    Case(
        "providers:register",
        roles(302),
        method="post",
        data=register_data,
        public=True,
        state=with_audit(lambda objs: (Provider.objects.count(), Membership.objects.count())),
        changes=frozenset({"anonymous"}),
    ),
    Case("providers:access-request", every(200), public=True),
    Case(
        "providers:access-request",
        every(302),
        method="post",
        data=lambda objs: {
            "bin": objs["provider"].bin,
            "full_name": "Иванова Мария",
            "position": "директор",
            "email": "maria@example.kz",
            "phone": "+7 701 111 22 33",
            "message": "Я директор организации.",
        },
        public=True,
        state=with_audit(lambda objs: AccessRequest.objects.count()),
        changes=frozenset(ROLES),
    ),
    Case("providers:mine", logged_in(404, ngo=302, other_ngo=302)),  # NGO members: to their organisation
    # Whoever holds the link may open it; only the invited address may join: a newcomer signing up with it, or a
    # signed-in NGO account with that email. Any other signed-in user is refused (403) and nothing changes.
    Case(
        "providers:invitation-accept", every(200), kwargs=lambda objs: {"token": objs["invitation"].token}, public=True
    ),
    Case(
        "providers:invitation-accept",
        roles(403, anonymous=302),
        kwargs=lambda objs: {"token": objs["invitation"].token},
        method="post",
        data=lambda objs: {**account_data(), "email": objs["invitation"].email},
        public=True,
        state=with_audit(lambda objs: (row(Invitation, objs["invitation"].pk), objs["provider"].memberships.count())),
        changes=frozenset({"anonymous"}),
    ),
    Case("providers:provider-detail", VISIBLE_TO_STAFF_AND_MEMBERS, kwargs=lambda objs: {"pk": objs["provider"].pk}),
    Case(
        "providers:provider-detail",
        logged_in(200, ngo=404),
        kwargs=lambda objs: {"pk": objs["other_provider"].pk},
        label="other-provider",
    ),
    # -- editing an organisation: members only ------------------------------------------------------------------
    Case("providers:provider-edit", MEMBERS_ONLY, kwargs=lambda objs: {"pk": objs["provider"].pk}),
    Case(
        "providers:provider-edit",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=lambda objs: {"pk": objs["provider"].pk},
        method="post",
        data=lambda objs: form_data(ProviderForm(instance=objs["provider"]), address="Алматы, ул. Жандосова, 2"),
        state=provider_row(),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:invite", MEMBERS_ONLY, kwargs=provider_pk),
    Case(
        "providers:invite",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=provider_pk,
        method="post",
        data=lambda objs: {"email": "colleague-new@example.kz"},
        state=with_audit(lambda objs: Invitation.objects.count()),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:area-add", MEMBERS_ONLY, kwargs=provider_pk),
    Case(
        "providers:area-add",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=provider_pk,
        method="post",
        data=lambda objs: {
            "region": factories.region("35").pk,
            "service_type": factories.service("case-management").pk,
            "capacity": 20,
        },
        state=with_audit(lambda objs: ServiceArea.objects.count()),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:area-edit", MEMBERS_ONLY, kwargs=lambda objs: {**provider_pk(objs), "pk": objs["area"].pk}),
    Case(
        "providers:area-edit",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["area"].pk},
        method="post",
        data=lambda objs: form_data(ServiceAreaForm(instance=objs["area"], provider=objs["provider"]), capacity=77),
        state=with_audit(lambda objs: row(ServiceArea, objs["area"].pk)),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:area-delete", MEMBERS_ONLY, kwargs=lambda objs: {**provider_pk(objs), "pk": objs["area"].pk}),
    Case(
        "providers:area-delete",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["area"].pk},
        method="post",
        state=with_audit(lambda objs: row(ServiceArea, objs["area"].pk)),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:staff-add", MEMBERS_ONLY, kwargs=provider_pk),
    Case(
        "providers:staff-add",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=provider_pk,
        method="post",
        data=lambda objs: {
            "full_name": "Новый Сотрудник",
            "position": StaffMember.Position.PSYCHOLOGIST,
            "qualification": "Высшее, психология",
            "certification_expiry": "2028-01-31",
            "no_record_certificate_date": "2026-09-01",
            "is_active": "on",
        },
        state=with_audit(lambda objs: StaffMember.objects.count()),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:staff-edit", MEMBERS_ONLY, kwargs=lambda objs: {**provider_pk(objs), "pk": objs["staff"].pk}),
    Case(
        "providers:staff-edit",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["staff"].pk},
        method="post",
        data=lambda objs: form_data(
            StaffMemberForm(instance=objs["staff"], provider=objs["provider"]), qualification="Магистр"
        ),
        state=with_audit(lambda objs: row(StaffMember, objs["staff"].pk)),
        changes=frozenset({"ngo"}),
    ),
    Case("providers:staff-delete", MEMBERS_ONLY, kwargs=lambda objs: {**provider_pk(objs), "pk": objs["staff"].pk}),
    Case(
        "providers:staff-delete",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["staff"].pk},
        method="post",
        state=with_audit(lambda objs: row(StaffMember, objs["staff"].pk)),
        changes=frozenset({"ngo"}),
    ),
    # -- a child row reached through the wrong organisation is hidden, even from a member of its own NGO --------
    Case(
        "providers:area-edit",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {"provider_pk": objs["other_provider"].pk, "pk": objs["area"].pk},
        label="through-other-provider",
    ),
    Case(
        "providers:area-edit",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {"provider_pk": objs["other_provider"].pk, "pk": objs["area"].pk},
        method="post",
        data=lambda objs: {"region": factories.region("75").pk, "service_type": objs["area"].service_type_id},
        state=with_audit(lambda objs: row(ServiceArea, objs["area"].pk)),
        label="through-other-provider",
    ),
    Case(
        "providers:staff-delete",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {"provider_pk": objs["other_provider"].pk, "pk": objs["staff"].pk},
        method="post",
        state=with_audit(lambda objs: row(StaffMember, objs["staff"].pk)),
        label="through-other-provider",
    ),
    # -- another organisation's row put under one's own organisation's URL is hidden ----------------------------
    Case(
        "providers:staff-edit",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["other_staff"].pk},
        label="other-providers-row",
    ),
    Case(
        "providers:staff-edit",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["other_staff"].pk},
        method="post",
        data=lambda objs: form_data(
            StaffMemberForm(instance=objs["other_staff"], provider=objs["other_provider"]), full_name="Подменённое Имя"
        ),
        state=with_audit(lambda objs: row(StaffMember, objs["other_staff"].pk)),
        label="other-providers-row",
    ),
    Case(
        "providers:area-delete",
        logged_in(403, ngo=404, other_ngo=404),
        kwargs=lambda objs: {**provider_pk(objs), "pk": objs["other_area"].pk},
        method="post",
        state=with_audit(lambda objs: row(ServiceArea, objs["other_area"].pk)),
        label="other-providers-row",
    ),
    # -- verify, suspend, reactivate: an admin, or an officer of an agency in the provider's home region --------
    Case("providers:provider-transition", POST_ONLY, kwargs=transition("verify")),
    Case(
        "providers:provider-transition",
        logged_in(403, officer=302, admin=302, other_ngo=404),
        kwargs=transition("verify"),
        method="post",
        setup=set_status("provider", Provider.Status.UNVERIFIED),
        state=provider_row(),
        changes=frozenset({"officer", "admin"}),
        label="verify",
    ),
    Case(
        "providers:provider-transition",
        logged_in(403, officer=302, admin=302, other_ngo=404),
        kwargs=transition("suspend"),
        method="post",
        data=lambda objs: {"reason": "Документы не подтверждены"},
        state=provider_row(),
        changes=frozenset({"officer", "admin"}),
        label="suspend",
    ),
    Case(
        "providers:provider-transition",
        logged_in(403, officer=302, admin=302, other_ngo=404),
        kwargs=transition("reactivate"),
        method="post",
        setup=set_status("provider", Provider.Status.SUSPENDED),
        state=provider_row(),
        changes=frozenset({"officer", "admin"}),
        label="reactivate",
    ),
    Case(
        "providers:provider-transition",
        logged_in(403, other_officer=302, admin=302, ngo=404),
        kwargs=transition("verify", key="other_provider"),
        method="post",
        setup=set_status("other_provider", Provider.Status.UNVERIFIED),
        state=provider_row("other_provider"),
        changes=frozenset({"other_officer", "admin"}),
        label="verify-other-region",
    ),
    # Refused by the model, not by the permission: the page says why and nothing changes.
    Case(
        "providers:provider-transition",
        logged_in(403, officer=302, admin=302, other_ngo=404),
        kwargs=transition("suspend"),
        method="post",
        data=lambda objs: {"reason": " "},
        state=provider_row(),
        label="suspend-without-reason",
    ),
    Case(
        "providers:provider-transition",
        logged_in(403, officer=302, admin=302, other_ngo=404),
        kwargs=transition("verify"),
        method="post",
        state=provider_row(),
        label="verify-already-active",
    ),
    Case(
        "providers:provider-transition",
        logged_in(404),
        kwargs=transition("delete"),
        method="post",
        state=provider_row(),
        label="unknown-action",
    ),
]

# -- tenders ----------------------------------------------------------------------------------------------------


def pk_of(key: str) -> Callable[[Objects], dict]:
    return lambda objs: {"pk": objs[key].pk}


def bid_action(key: str, action: str) -> Callable[[Objects], dict]:
    return lambda objs: {"pk": objs[key].pk, "action": action}


def call_row(key: str) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: row(Call, objs[key].pk))


def bid_row(key: str) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: row(Bid, objs[key].pk))


def count(model) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: model.objects.count())


def closed_state(objs: Objects) -> Any:
    return with_audit(lambda objs: (row(Call, objs["closed_call"].pk), row(Bid, objs["closed_bid"].pk)))(objs)


def new_call_data(objs: Objects) -> dict:
    now = timezone.now()
    return call_data(opens_at=local_input(now), deadline=local_input(now + dt.timedelta(days=15)))


def raise_minimum(objs: Objects) -> None:
    """Make the closed call's only bid (70 of 100) fall short, so the call must fail."""
    Call.objects.filter(pk=objs["closed_call"].pk).update(min_winning_score=100)


def undeclare(objs: Objects) -> None:
    """Take back the expert's declaration and sheet on the closed bid, so the declaration can be made."""
    ScoreSheet.objects.filter(member=objs["member"]).delete()
    ConflictDeclaration.objects.filter(member=objs["member"]).delete()


def scores(value: int) -> Callable[[Objects], dict]:
    def data(objs: Objects) -> dict:
        criteria = objs["closed_call"].criteria.all()
        return {**{f"score_{c.pk}": str(value) for c in criteria}, "submit": ""}

    return data


def score_values(objs: Objects) -> Any:
    return with_audit(lambda objs: sorted(Score.objects.values_list("sheet__member", "criterion", "value")))(objs)


def bid_edit_data(objs: Objects) -> dict:
    return {
        "price": "9000000",
        "proposal": "Сопровождение 40 семей силами мобильной бригады.",
        "price_justification": "",
        **management("items", 0),
    }


def upload(objs: Objects) -> dict:
    return {
        "title": "Разъяснение",
        "file": SimpleUploadedFile("clarification.pdf", PDF, content_type="application/pdf"),
    }


CALL_OFFICERS = logged_in(403, officer=302)  # a POST on a visible call that only the agency's officers may make
AGENCY_DRAFT = logged_in(404, officer=302)  # a draft exists only for its agency's officers
OPENED_BIDS = logged_in(403, officer=200, expert=200, committee=200, admin=200)  # after opening: agency, members
SEALED_BID = logged_in(404, ngo=200)  # before the deadline only the bidding NGO knows the bid exists
MEMBERS_OF_THE_COMMISSION = logged_in(403, other_officer=404, other_ngo=404)  # an opened bid; only members act

TENDER_CASES = [
    # -- calls: public once published ---------------------------------------------------------------------------
    Case("tenders:call-list", every(200), public=True),
    Case("tenders:call-list", every(200), data=lambda objs: {"export": "csv"}, public=True, label="export-csv"),
    Case("tenders:call-list", every(200), data=lambda objs: {"export": "xlsx"}, public=True, label="export-xlsx"),
    Case("tenders:call-detail", every(200), kwargs=pk_of("call"), public=True),
    Case("tenders:call-detail", roles(404, officer=200), kwargs=pk_of("draft_call"), public=True, label="draft"),
    Case("tenders:call-detail", every(200), kwargs=pk_of("closed_call"), public=True, label="evaluation"),
    Case(
        "tenders:call-document",
        every(200),
        kwargs=lambda objs: {"pk": objs["call"].pk, "doc": objs["call_document"].pk},
        public=True,
    ),
    Case(
        "tenders:call-document",
        roles(404, officer=200),
        kwargs=lambda objs: {"pk": objs["draft_call"].pk, "doc": objs["draft_document"].pk},
        public=True,
        label="draft",
    ),
    Case(
        "tenders:call-document",
        every(404),
        kwargs=lambda objs: {"pk": objs["fresh_call"].pk, "doc": objs["call_document"].pk},
        public=True,
        label="through-other-call",
    ),
    # -- drafting and editing: the agency's officers ------------------------------------------------------------
    Case("tenders:call-create", logged_in(403, officer=200, other_officer=200)),
    # The other officer's agency buys for region 35 only: the Almaty region is not a choice for them.
    Case(
        "tenders:call-create",
        logged_in(403, officer=302, other_officer=400),
        method="post",
        data=new_call_data,
        state=count(Call),
        changes=frozenset({"officer"}),
    ),
    Case("tenders:call-edit", logged_in(404, officer=200), kwargs=pk_of("draft_call")),
    Case("tenders:call-edit", logged_in(403, officer=200), kwargs=pk_of("call"), label="published"),
    Case("tenders:call-edit", logged_in(403), kwargs=pk_of("closed_call"), label="evaluation"),
    Case(
        "tenders:call-edit",
        AGENCY_DRAFT,
        kwargs=pk_of("draft_call"),
        method="post",
        data=lambda objs: call_edit_data(objs["draft_call"], objs["officer"], title_ru="Уточнённое название"),
        state=call_row("draft_call"),
        changes=frozenset({"officer"}),
    ),
    Case(
        "tenders:call-edit",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: call_edit_data(objs["call"], objs["officer"], target_group="Подростки 12–18 лет"),
        state=call_row("call"),
        changes=frozenset({"officer"}),
        label="published",
    ),
    Case("tenders:call-document-upload", POST_ONLY, kwargs=pk_of("call")),
    Case(
        "tenders:call-document-upload",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        data=upload,
        state=count(CallDocument),
        changes=frozenset({"officer"}),
    ),
    # -- transitions of a call ----------------------------------------------------------------------------------
    Case("tenders:call-publish", POST_ONLY, kwargs=pk_of("draft_call")),
    Case(
        "tenders:call-publish",
        AGENCY_DRAFT,
        kwargs=pk_of("draft_call"),
        method="post",
        state=call_row("draft_call"),
        changes=frozenset({"officer"}),
    ),
    Case(
        "tenders:call-publish",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        state=call_row("call"),
        label="already-published",
    ),
    Case("tenders:call-cancel", POST_ONLY, kwargs=pk_of("call")),
    Case(
        "tenders:call-cancel",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: {"reason": "Бюджет перераспределён решением маслихата"},
        state=call_row("call"),
        changes=frozenset({"officer"}),
    ),
    Case(
        "tenders:call-cancel",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        state=call_row("call"),
        label="without-reason",
    ),
    Case("tenders:call-extend", POST_ONLY, kwargs=pk_of("call")),
    Case(
        "tenders:call-extend",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: {"deadline": local_input(objs["call"].deadline + dt.timedelta(days=7))},
        state=call_row("call"),
        changes=frozenset({"officer"}),
    ),
    Case("tenders:call-reannounce", POST_ONLY, kwargs=pk_of("failed_call")),
    Case(
        "tenders:call-reannounce",
        CALL_OFFICERS,
        kwargs=pk_of("failed_call"),
        method="post",
        state=count(Call),
        changes=frozenset({"officer"}),
    ),
    Case("tenders:call-open", POST_ONLY, kwargs=pk_of("unopened_call")),
    Case(
        "tenders:call-open",
        CALL_OFFICERS,
        kwargs=pk_of("unopened_call"),
        method="post",
        state=call_row("unopened_call"),
        changes=frozenset({"officer"}),
    ),
    Case(
        "tenders:call-open",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        state=call_row("call"),
        label="before-deadline",
    ),
    Case("tenders:call-award", POST_ONLY, kwargs=pk_of("closed_call")),
    Case(
        "tenders:call-award",
        CALL_OFFICERS,
        kwargs=pk_of("closed_call"),
        method="post",
        state=closed_state,
        changes=frozenset({"officer"}),
    ),
    Case("tenders:call-fail", POST_ONLY, kwargs=pk_of("closed_call")),
    Case(
        "tenders:call-fail",
        CALL_OFFICERS,
        kwargs=pk_of("closed_call"),
        method="post",
        data=lambda objs: {"reason": "Ни одна заявка не набрала минимального балла"},
        setup=raise_minimum,
        state=closed_state,
        changes=frozenset({"officer"}),
    ),
    Case(
        "tenders:call-fail",
        CALL_OFFICERS,
        kwargs=pk_of("closed_call"),
        method="post",
        state=closed_state,
        label="bid-reaches-minimum",
    ),
    # The chair of the commission (the expert) may close scoring too.
    Case("tenders:call-close-scoring", POST_ONLY, kwargs=pk_of("closed_call")),
    Case(
        "tenders:call-close-scoring",
        logged_in(403, officer=302, expert=302),
        kwargs=pk_of("closed_call"),
        method="post",
        state=call_row("closed_call"),
        changes=frozenset({"officer", "expert"}),
    ),
    # -- the commission -----------------------------------------------------------------------------------------
    # The chair (the expert) seats a substitute while the commission scores.
    Case("tenders:commission", logged_in(403, officer=200, expert=200), kwargs=pk_of("closed_call")),
    Case(
        "tenders:commission",
        CALL_OFFICERS,
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: {"user": objs["expert"].pk},
        state=count(CommissionMember),
        changes=frozenset({"officer"}),
    ),
    # -- bids: sealed until the deadline, then for the agency, the commission and committee staff ---------------
    Case("tenders:call-bids", logged_in(403), kwargs=pk_of("call"), label="sealed"),
    Case("tenders:call-bids", logged_in(403), kwargs=pk_of("unopened_call"), label="not-opened"),
    Case("tenders:call-bids", OPENED_BIDS, kwargs=pk_of("closed_call")),
    # The evaluation protocol: the audience of the bids; a draft of another agency stays hidden.
    Case("tenders:call-protocol", OPENED_BIDS, kwargs=pk_of("closed_call")),
    Case("tenders:call-protocol", logged_in(403), kwargs=pk_of("call"), label="sealed"),
    Case("tenders:call-protocol", logged_in(404, officer=403), kwargs=pk_of("draft_call"), label="draft"),
    Case(
        "tenders:call-bids",
        OPENED_BIDS,
        kwargs=pk_of("closed_call"),
        data=lambda objs: {"export": "csv"},
        label="export-csv",
    ),
    Case(
        "tenders:call-bids",
        logged_in(403),
        kwargs=pk_of("call"),
        data=lambda objs: {"export": "csv"},
        label="sealed-csv",
    ),
    Case("tenders:bid-detail", SEALED_BID, kwargs=pk_of("bid"), label="sealed"),
    Case("tenders:bid-detail", logged_in(404, other_ngo=200), kwargs=pk_of("other_bid"), label="draft"),
    Case("tenders:bid-detail", logged_in(200, other_officer=404, other_ngo=404), kwargs=pk_of("closed_bid")),
    Case(
        "tenders:bid-document",
        SEALED_BID,
        kwargs=lambda objs: {"pk": objs["bid"].pk, "doc": objs["bid_document"].pk},
    ),
    Case("tenders:bid-start", POST_ONLY, kwargs=pk_of("fresh_call")),
    Case(
        "tenders:bid-start",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=pk_of("fresh_call"),
        method="post",
        data=lambda objs: {"provider": objs["provider"].pk},
        state=count(Bid),
        changes=frozenset({"ngo"}),
    ),
    Case(
        "tenders:bid-start",
        logged_in(403, ngo=302, other_ngo=404),
        kwargs=pk_of("unopened_call"),
        method="post",
        data=lambda objs: {"provider": objs["provider"].pk},
        state=count(Bid),
        label="after-deadline",
    ),
    Case("tenders:bid-edit", logged_in(404, other_ngo=200), kwargs=pk_of("other_bid")),
    # the NGO is sent to its submitted bid, with when it was submitted (not a bare 403)
    Case("tenders:bid-edit", logged_in(404, ngo=302), kwargs=pk_of("bid"), label="submitted"),
    Case(
        "tenders:bid-edit",
        logged_in(404, other_ngo=302),
        kwargs=pk_of("other_bid"),
        method="post",
        data=bid_edit_data,
        state=bid_row("other_bid"),
        changes=frozenset({"other_ngo"}),
    ),
    Case("tenders:bid-action", POST_ONLY, kwargs=bid_action("bid", "withdraw")),
    Case(
        "tenders:bid-action",
        logged_in(404, ngo=302),
        kwargs=bid_action("bid", "withdraw"),
        method="post",
        state=bid_row("bid"),
        changes=frozenset({"ngo"}),
        label="withdraw",
    ),
    Case(
        "tenders:bid-action",
        logged_in(403, officer=302, other_officer=404, other_ngo=404),
        kwargs=bid_action("closed_bid", "reject"),
        method="post",
        data=lambda objs: {"reason": "Нет справок о несудимости на сотрудников"},
        state=bid_row("closed_bid"),
        changes=frozenset({"officer"}),
        label="reject",
    ),
    Case(
        "tenders:bid-action",
        logged_in(403, officer=302, other_officer=404, other_ngo=404),
        kwargs=bid_action("closed_bid", "admit"),
        method="post",
        state=bid_row("closed_bid"),
        label="admit-already-admitted",
    ),
    Case(
        "tenders:bid-action",
        logged_in(403, officer=302, ngo=302, other_officer=404, other_ngo=404),
        kwargs=bid_action("closed_bid", "decline"),
        method="post",
        state=bid_row("closed_bid"),
        label="decline-not-a-winner",
    ),
    Case(
        "tenders:bid-action",
        logged_in(404),
        kwargs=bid_action("closed_bid", "delete"),
        method="post",
        state=bid_row("closed_bid"),
        label="unknown-action",
    ),
    # -- declarations and scores: members of the commission -----------------------------------------------------
    Case("tenders:bid-declare", POST_ONLY, kwargs=pk_of("closed_bid")),
    Case(
        "tenders:bid-declare",
        logged_in(403, expert=302, other_officer=404, other_ngo=404),
        kwargs=pk_of("closed_bid"),
        method="post",
        data=lambda objs: {"has_conflict": "0"},
        setup=undeclare,
        state=count(ConflictDeclaration),
        changes=frozenset({"expert"}),
    ),
    Case(
        "tenders:bid-score", logged_in(403, expert=200, other_officer=404, other_ngo=404), kwargs=pk_of("closed_bid")
    ),
    Case(
        "tenders:bid-score",
        logged_in(403, expert=302, other_officer=404, other_ngo=404),
        kwargs=pk_of("closed_bid"),
        method="post",
        data=scores(9),
        state=score_values,
        changes=frozenset({"expert"}),
    ),
    Case(
        "tenders:bid-score",
        logged_in(403, expert=400, other_officer=404, other_ngo=404),
        kwargs=pk_of("closed_bid"),
        method="post",
        data=scores(11),
        state=score_values,
        label="out-of-range",
    ),
    # -- questions and complaints -------------------------------------------------------------------------------
    Case("tenders:ask", POST_ONLY, kwargs=pk_of("call")),
    Case(
        "tenders:ask",
        logged_in(403, ngo=302, other_ngo=302),
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: {"text": "Можно ли привлекать волонтёров?"},
        state=count(Question),
        changes=frozenset({"ngo", "other_ngo"}),
    ),
    Case("tenders:answer", POST_ONLY, kwargs=pk_of("question")),
    # An unanswered question is seen only by its author and the agency's officers: hidden (404) from everyone else.
    Case(
        "tenders:answer",
        logged_in(404, officer=302, ngo=403),
        kwargs=pk_of("question"),
        method="post",
        data=lambda objs: {"answer": "Да, в пределах 15% стоимости проекта."},
        state=with_audit(lambda objs: row(Question, objs["question"].pk)),
        changes=frozenset({"officer"}),
    ),
    Case("tenders:complaint-create", logged_in(403, ngo=200, other_ngo=200), kwargs=pk_of("call")),
    # An NGO complains in the name of its own organisation only.
    Case(
        "tenders:complaint-create",
        logged_in(403, ngo=302, other_ngo=400),
        kwargs=pk_of("call"),
        method="post",
        data=lambda objs: {"kind": "terms", "text": "Срок слишком короткий", "provider": objs["provider"].pk},
        state=count(Complaint),
        changes=frozenset({"ngo"}),
    ),
    Case("tenders:complaint-list", logged_in(200)),
    Case("tenders:complaint-list", logged_in(200), data=lambda objs: {"export": "csv"}, label="export-csv"),
    Case(
        "tenders:complaint-detail",
        logged_in(404, officer=200, ngo=200, committee=200, admin=200),
        kwargs=pk_of("complaint"),
    ),
    Case("tenders:complaint-decide", POST_ONLY, kwargs=pk_of("complaint")),
    Case(
        "tenders:complaint-decide",
        logged_in(404, officer=302, ngo=403, committee=403, admin=403),
        kwargs=pk_of("complaint"),
        method="post",
        data=lambda objs: {"upheld": "0", "decision": "Срок соответствует правилам"},
        state=with_audit(lambda objs: row(Complaint, objs["complaint"].pk)),
        changes=frozenset({"officer"}),
    ),
]

# -- contracts --------------------------------------------------------------------------------------------------


def contract_row(key: str) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: row(Contract, objs[key].pk))


def report_row(key: str) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: row(Report, objs[key].pk))


def review(key: str, action: str) -> Callable[[Objects], dict]:
    return lambda objs: {"pk": objs[key].pk, "action": action}


def prepare_data(objs: Objects) -> dict:
    call, price = objs["prepare_call"], objs["prepare_bid"].price
    return {
        "number": "Д-MATRIX-NEW",
        "start_date": f"{call.start_year}-01-01",
        "end_date": f"{call.start_year}-12-31",
        "scope": "Сопровождение детей и семей по месту жительства.",
        **management("tranches", 1),
        "tranches-0-year": str(call.start_year),
        "tranches-0-amount": str(price),
        "tranches-0-planned_date": f"{call.start_year}-03-01",
        "tranches-0-funding_source": Tranche.Source.LOCAL,
        **management("targets", 0),
    }


def payment_data(objs: Objects) -> dict:
    return {"tranche": objs["tranche"].pk, "kind": Payment.Kind.FIXED, "date": str(today()), "amount": "100000.00"}


def scope_amendment(objs: Objects) -> dict:
    return {
        "scope": "Сопровождение детей, семей и приёмных родителей.",
        "reason_code": "scope-change",
        "reason_text": "Добавлена поддержка приёмных семей.",
    }


def report_data(objs: Objects) -> dict:
    return {"narrative": "Начата работа с 12 семьями.", "children_served": "20", "families_served": "12"} | (
        management("expenses", 0)
    )


def contract_amendments(key: str) -> Callable[[Objects], Any]:
    return with_audit(lambda objs: (row(Contract, objs[key].pk), Amendment.objects.count()))


PARTIES = logged_in(403, officer=302, ngo=302)  # both signatories act; every contract is public, so 403 for the rest
CONTRACT_OFFICERS = logged_in(403, officer=302)  # payments, amendments: the agency's officers
# Reports are outside others' scope; the expert sits on the contract's council and reads them.
REPORT_READERS = logged_in(404, officer=200, expert=200, ngo=200, committee=200, admin=200)
REPORT_REVIEWERS = logged_in(403, officer=302, other_officer=404, other_ngo=404)

CONTRACT_CASES = [
    # -- contracts are public facts (amount per year and status); payments, reports, documents are details --------
    Case("contracts:contract-list", every(200), public=True),
    Case("contracts:contract-list", every(200), data=lambda objs: {"export": "csv"}, public=True, label="export-csv"),
    Case(
        "contracts:contract-list", every(200), data=lambda objs: {"export": "xlsx"}, public=True, label="export-xlsx"
    ),
    Case("contracts:contract-detail", every(200), kwargs=pk_of("contract"), public=True),
    Case("contracts:contract-detail", every(200), kwargs=pk_of("pending_contract"), public=True, label="pending"),
    Case("contracts:period-list", logged_in(200)),  # each sees the periods of their own scope (none for some)
    Case("contracts:period-list", logged_in(200), data=lambda objs: {"export": "csv"}, label="export-csv"),
    # -- preparing the contract of an awarded call: the agency's officers ------------------------------------------
    Case("contracts:prepare", logged_in(403, officer=200), kwargs=pk_of("prepare_call")),
    Case("contracts:prepare", logged_in(403, officer=302), kwargs=pk_of("contract_call"), label="has-contract"),
    Case(
        "contracts:prepare",
        logged_in(403, officer=302),
        kwargs=pk_of("prepare_call"),
        method="post",
        data=prepare_data,
        state=count(Contract),
        changes=frozenset({"officer"}),
    ),
    Case("contracts:prepare", logged_in(404), kwargs=pk_of("draft_call"), label="draft-call"),
    # -- signing: each party once -----------------------------------------------------------------------------------
    Case("contracts:sign", POST_ONLY, kwargs=pk_of("pending_contract")),
    Case(
        "contracts:sign",
        PARTIES,
        kwargs=pk_of("pending_contract"),
        method="post",
        state=contract_row("pending_contract"),
        changes=frozenset({"officer", "ngo"}),
    ),
    Case(
        "contracts:sign",
        logged_in(403),
        kwargs=pk_of("contract"),
        method="post",
        state=contract_row("contract"),
        label="already-active",
    ),
    # -- payments and amendments: the agency's officers -------------------------------------------------------------
    Case("contracts:payment-create", logged_in(403, officer=200), kwargs=pk_of("contract")),
    Case(
        "contracts:payment-create",
        CONTRACT_OFFICERS,
        kwargs=pk_of("contract"),
        method="post",
        data=payment_data,
        state=count(Payment),
        changes=frozenset({"officer"}),
    ),
    Case(
        "contracts:amend",
        logged_in(403, officer=200),
        kwargs=lambda objs: {"pk": objs["contract"].pk, "kind": "scope"},
    ),
    Case(
        "contracts:amend",
        logged_in(403, officer=404),
        kwargs=lambda objs: {"pk": objs["contract"].pk, "kind": "price"},
        label="unknown-kind",
    ),
    Case(
        "contracts:amend",
        CONTRACT_OFFICERS,
        kwargs=lambda objs: {"pk": objs["contract"].pk, "kind": "scope"},
        method="post",
        data=scope_amendment,
        state=contract_amendments("contract"),
        changes=frozenset({"officer"}),
    ),
    Case(
        "contracts:amend",
        logged_in(403, officer=400),
        kwargs=lambda objs: {"pk": objs["contract"].pk, "kind": "scope"},
        method="post",
        data=lambda objs: {**scope_amendment(objs), "reason_text": ""},
        state=contract_amendments("contract"),
        label="without-reason",
    ),
    # -- documents: the parties add them; the parties, committee staff and admins read them --------------------------
    Case("contracts:document-upload", POST_ONLY, kwargs=pk_of("contract")),
    Case(
        "contracts:document-upload",
        PARTIES,
        kwargs=pk_of("contract"),
        method="post",
        data=upload,
        state=count(ContractDocument),
        changes=frozenset({"officer", "ngo"}),
    ),
    # The contract is public, its documents are details: outside the parties, committee staff and admins a document
    # is a row outside the user's scope, hidden (404) like the reports.
    Case(
        "contracts:document",
        logged_in(404, officer=200, expert=200, ngo=200, committee=200, admin=200),  # the expert is on its council
        kwargs=lambda objs: {"pk": objs["contract"].pk, "doc": objs["contract_document"].pk},
    ),
    # -- reports: the NGO writes them, the agency's officers review them --------------------------------------------
    Case("contracts:report-edit", logged_in(404, ngo=200), kwargs=pk_of("open_period")),
    Case(
        "contracts:report-edit",
        logged_in(404, ngo=302),
        kwargs=pk_of("open_period"),
        method="post",
        data=report_data,
        state=count(Report),
        changes=frozenset({"ngo"}),
    ),
    # A submitted report is no longer edited: whoever sees it is sent to it.
    Case(
        "contracts:report-edit",
        logged_in(302, other_officer=404, other_ngo=404),
        kwargs=pk_of("period"),
        label="submitted",
    ),
    Case(
        "contracts:report-edit",
        logged_in(302, other_officer=404, other_ngo=404),
        kwargs=pk_of("period"),
        method="post",
        data=report_data,
        state=report_row("report"),
        label="submitted",
    ),
    Case("contracts:report-detail", REPORT_READERS, kwargs=pk_of("report")),
    Case("contracts:report-detail", logged_in(404, ngo=200), kwargs=pk_of("draft_report"), label="draft"),
    # The annual report the expert's evaluation rests on (linked from its page): the council reads it (read-only).
    Case("contracts:report-detail", REPORT_READERS, kwargs=pk_of("evaluated_report"), label="evaluated"),
    Case("contracts:report-review", POST_ONLY, kwargs=review("report", "accept")),
    Case(
        "contracts:report-review",
        REPORT_REVIEWERS,
        kwargs=review("report", "accept"),
        method="post",
        state=report_row("report"),
        changes=frozenset({"officer"}),
        label="accept",
    ),
    Case(
        "contracts:report-review",
        REPORT_REVIEWERS,
        kwargs=review("report", "return"),
        method="post",
        data=lambda objs: {"comment": "Приложите акты выполненных работ."},
        state=report_row("report"),
        changes=frozenset({"officer"}),
        label="return",
    ),
    Case(
        "contracts:report-review",
        REPORT_REVIEWERS,
        kwargs=review("report", "return"),
        method="post",
        state=report_row("report"),
        label="return-without-comment",
    ),
    Case(
        "contracts:report-review",
        REPORT_REVIEWERS,
        kwargs=review("accepted_report", "accept"),
        method="post",
        state=report_row("accepted_report"),
        label="accept-accepted",
    ),
    Case(
        "contracts:report-review",
        logged_in(404),
        kwargs=review("report", "delete"),
        method="post",
        state=report_row("report"),
        label="unknown-action",
    ),
]

# -- evaluation -------------------------------------------------------------------------------------------------


def evaluation_action(action: str) -> Callable[[Objects], dict]:
    return lambda objs: {"pk": objs["evaluation"].pk, "action": action}


def open_kwargs(key: str) -> Callable[[Objects], dict]:
    """The URL kwargs of opening the evaluation of `contract` for the year of the annual report `key`."""
    return lambda objs: {"pk": objs["contract"].pk, "year": objs[key].period.year}


def evaluation_row(objs: Objects) -> Any:
    return with_audit(lambda objs: row(ResultEvaluation, objs["evaluation"].pk))(objs)


def evaluator_state(objs: Objects) -> Any:
    evaluator = objs["evaluator"]
    read = lambda objs: (row(Evaluator, evaluator.pk), sorted(evaluator.scores.values_list("criterion", "value")))  # noqa: E731
    return with_audit(read)(objs)


def undeclare_evaluator(objs: Objects) -> None:
    """Take back the expert's declaration on the evaluation, so it can be made."""
    Evaluator.objects.filter(pk=objs["evaluator"].pk).update(declared_at=None, has_conflict=None)


def expert_scores(objs: Objects) -> None:
    """The expert submits too: the third complete sheet, so the council has its quorum."""
    EvaluatorScore.objects.bulk_create(
        EvaluatorScore(evaluator=objs["evaluator"], criterion=c, value=3) for c in CRITERION_CODES
    )
    Evaluator.objects.filter(pk=objs["evaluator"].pk).update(submitted_at=timezone.now(), comment="Согласна.")


def conclude_evaluation(objs: Objects) -> None:
    ResultEvaluation.objects.filter(pk=objs["evaluation"].pk).update(
        status=ResultEvaluation.Status.SUBMITTED, concluded_at=timezone.now(), total=Decimal("20"), positive=True
    )


def council_scores(value: int) -> Callable[[Objects], dict]:
    return lambda objs: {**{f"score_{c}": str(value) for c in CRITERION_CODES}, "comment": "Цели года достигнуты."}


def council_conclusions(objs: Objects) -> dict:
    return {
        **{f"conclusion_{c}": "positive" for c in CRITERION_CODES},
        **{f"comment_{c}": "Обосновано." for c in CRITERION_CODES},
    }


STAFF = logged_in(200, ngo=403, other_ngo=403)  # officers, experts, committee staff, admins
INDICATOR_MANAGERS = logged_in(403, officer=200, other_officer=200, admin=200)
EVALUATORS = logged_in(403, expert=302, other_officer=404, ngo=404, other_ngo=404)  # an open evaluation: NGOs wait
EVALUATION_OFFICERS = logged_in(403, officer=302, other_officer=404, ngo=404, other_ngo=404)

EVALUATION_CASES = [
    Case("evaluation:provider-profile", VISIBLE_TO_STAFF_AND_MEMBERS, kwargs=pk_of("provider")),
    Case(
        "evaluation:provider-profile", logged_in(200, ngo=404), kwargs=pk_of("other_provider"), label="other-provider"
    ),
    Case("evaluation:ranking", STAFF),
    Case("evaluation:evaluation-list", logged_in(200)),  # each sees the evaluations in their own scope
    # -- an evaluation: the agency, its evaluators, committee staff, admins; the NGO once it is concluded ------------
    Case(
        "evaluation:evaluation-detail",
        logged_in(404, officer=200, expert=200, committee=200, admin=200),
        kwargs=pk_of("evaluation"),
    ),
    Case(
        "evaluation:evaluation-detail",
        logged_in(404, officer=200, expert=200, ngo=200, committee=200, admin=200),
        kwargs=pk_of("evaluation"),
        setup=conclude_evaluation,
        label="concluded",
    ),
    # -- opening an evaluation: the agency's officers, once the year's annual report is accepted ---------------------
    Case("evaluation:evaluation-open", logged_in(403, officer=200), kwargs=open_kwargs("accepted_report")),
    Case(
        "evaluation:evaluation-open",
        logged_in(403, officer=302),
        kwargs=open_kwargs("evaluated_report"),
        label="already-open",
    ),
    Case(
        "evaluation:evaluation-open",
        logged_in(403, officer=302),
        kwargs=open_kwargs("accepted_report"),
        method="post",
        data=lambda objs: {"evaluators": [user.pk for user in objs["evaluators"]]},
        state=count(ResultEvaluation),
        changes=frozenset({"officer"}),
    ),
    # -- the council: evaluators declare and score; the agency's officers conclude and reopen ------------------------
    Case("evaluation:evaluation-action", POST_ONLY, kwargs=evaluation_action("declare")),
    Case(
        "evaluation:evaluation-action",
        EVALUATORS,
        kwargs=evaluation_action("declare"),
        method="post",
        data=lambda objs: {"has_conflict": "0"},
        setup=undeclare_evaluator,
        state=evaluator_state,
        changes=frozenset({"expert"}),
        label="declare",
    ),
    Case(
        "evaluation:evaluation-action",
        EVALUATORS,
        kwargs=evaluation_action("declare"),
        method="post",
        data=lambda objs: {"has_conflict": "1"},
        state=evaluator_state,
        label="declare-again",
    ),
    Case(
        "evaluation:evaluation-action",
        EVALUATORS,
        kwargs=evaluation_action("score"),
        method="post",
        data=council_scores(4),
        state=evaluator_state,
        changes=frozenset({"expert"}),
        label="score",
    ),
    Case(
        "evaluation:evaluation-action",
        EVALUATORS,
        kwargs=evaluation_action("score"),
        method="post",
        data=council_scores(6),
        state=evaluator_state,
        label="score-out-of-range",
    ),
    Case(
        "evaluation:evaluation-action",
        EVALUATION_OFFICERS,
        kwargs=evaluation_action("conclude"),
        method="post",
        data=council_conclusions,
        setup=expert_scores,
        state=evaluation_row,
        changes=frozenset({"officer"}),
        label="conclude",
    ),
    Case(
        "evaluation:evaluation-action",
        EVALUATION_OFFICERS,
        kwargs=evaluation_action("conclude"),
        method="post",
        data=council_conclusions,
        state=evaluation_row,
        label="conclude-without-quorum",
    ),
    # Concluded, the evaluation is visible to the NGO, which still may not reopen it.
    Case(
        "evaluation:evaluation-action",
        logged_in(403, officer=302, other_officer=404, other_ngo=404),
        kwargs=evaluation_action("reopen"),
        method="post",
        data=lambda objs: {"reason": "Уточнены данные годового отчёта"},
        setup=conclude_evaluation,
        state=evaluation_row,
        changes=frozenset({"officer"}),
        label="reopen",
    ),
    Case(
        "evaluation:evaluation-action",
        logged_in(404),
        kwargs=evaluation_action("delete"),
        method="post",
        state=evaluation_row,
        label="unknown-action",
    ),
    # -- the indicator catalogue: everyone signed in reads it; officers and admins add and delete --------------------
    Case("evaluation:indicator-list", logged_in(200)),
    Case("evaluation:indicator-create", INDICATOR_MANAGERS),
    Case(
        "evaluation:indicator-create",
        logged_in(403, officer=302, other_officer=302, admin=302),
        method="post",
        data=lambda objs: {
            "code": "matrix-new-indicator",
            "service_type": factories.service("case-management").pk,
            "kind": Indicator.Kind.OUTPUT,
            "unit": Indicator.Unit.FAMILIES,
            "direction": Indicator.Direction.HIGHER,
            "name_ru": "Семьи, получившие поддержку",
            "name_kk": "Қолдау алған отбасылар",
            "name_en": "Families supported",
        },
        state=count(Indicator),
        changes=frozenset({"officer", "other_officer", "admin"}),
    ),
    Case("evaluation:indicator-delete", POST_ONLY, kwargs=pk_of("indicator")),
    Case(
        "evaluation:indicator-delete",
        logged_in(403, officer=302, admin=302),  # the creating agency's officers and admins
        kwargs=pk_of("indicator"),
        method="post",
        state=count(Indicator),
        changes=frozenset({"officer", "admin"}),
    ),
    Case(
        "evaluation:indicator-delete",
        logged_in(403, admin=302),
        kwargs=pk_of("reference_indicator"),
        method="post",
        state=count(Indicator),
        changes=frozenset({"admin"}),
        label="reference",
    ),
    Case(
        "evaluation:indicator-delete",
        logged_in(403, admin=302),  # a reference indicator, and used: refused with a message, even to admins
        kwargs=pk_of("used_indicator"),
        method="post",
        state=count(Indicator),
        label="used",
    ),
]

# -- the system-level evaluation: coverage aggregates are public; the rest is for every role but NGOs -----------


def cell(year_offset: int = 0) -> Callable[[Objects], dict]:
    """The coverage cell of `contract` (its region and service) in its first year, `year_offset` years on."""
    return lambda objs: {
        "region": objs["contract"].region_id,
        "service": objs["contract"].service_type_id,
        "year": objs["contract"].start_date.year + year_offset,
    }


ANALYSTS = STAFF  # committee staff, officers, experts and admins: stability, trends, flags, the workbook

ANALYTICS_CASES = [
    Case("evaluation:coverage", every(200), public=True),
    Case("evaluation:uncovered", every(200), public=True),
    Case("evaluation:cell", every(200), kwargs=cell(), public=True),
    Case("evaluation:statuses-css", every(200), public=True),
    Case("evaluation:cell", every(404), kwargs=cell(year_offset=-50), public=True, label="year-out-of-range"),
    Case("evaluation:committee", ANALYSTS),
    Case("evaluation:committee-panel", ANALYSTS, kwargs=lambda objs: {"panel": "stability"}, label="stability"),
    Case("evaluation:committee-panel", ANALYSTS, kwargs=lambda objs: {"panel": "flags"}, label="flags"),
    Case("evaluation:stability", ANALYSTS),
    Case("evaluation:stability-providers", ANALYSTS),
    Case("evaluation:stability-agencies", ANALYSTS),
    Case("evaluation:trends", ANALYSTS),
    Case("evaluation:flags", ANALYSTS),
    Case("evaluation:flags", ANALYSTS, data=lambda objs: {"export": "csv"}, label="export-csv"),
    Case("evaluation:workbook", ANALYSTS),
    Case("evaluation:table-csv", ANALYSTS, kwargs=lambda objs: {"table": "contracts"}),
    Case(
        "evaluation:table-csv",
        logged_in(404, ngo=403, other_ngo=403),
        kwargs=lambda objs: {"table": "secrets"},
        label="unknown-table",
    ),
]

# -- analytics snapshots: the list and a snapshot are public; what changed is for analysts; committee staff and
# admins make one by hand


def a_snapshot(objs: Objects) -> None:
    Snapshot.objects.create(
        as_of=dt.date(2026, 11, 24),
        first_year=2016,
        last_year=2029,
        window_first=2021,
        window_last=2025,
        content_hash="0" * 64,
    )


def current_snapshot(objs: Objects) -> dict:
    current = Snapshot.objects.current()
    return {"pk": current.pk if current else 0}


SNAPSHOT_CASES = [
    Case("evaluation:snapshots", every(200), public=True),
    Case("evaluation:snapshot", every(200), kwargs=current_snapshot, setup=a_snapshot, public=True),
    Case("evaluation:snapshot", every(404), kwargs=lambda objs: {"pk": 999999}, public=True, label="missing"),
    Case("evaluation:snapshot-compare", ANALYSTS),
    Case("evaluation:snapshot-compare", ANALYSTS, setup=a_snapshot, label="one-snapshot"),
    Case("evaluation:snapshot-refresh", POST_ONLY),
    Case(
        "evaluation:snapshot-refresh",
        logged_in(403, committee=302, admin=302),
        method="post",
        state=count(Snapshot),
        changes=frozenset({"committee", "admin"}),
    ),
]

# -- open data (OCDS): public for everyone; a process without releases, a bad parameter, an unwritten file are errors


def publish_call(objs: Objects) -> None:
    """Publish the release of `call`'s publication (the matrix builds its rows without the services' events)."""
    audit.record(actor=objs["officer"], action="published", target=objs["call"])
    ocds.publish_pending()


def write_bulk_file(objs: Objects) -> None:
    publish_call(objs)
    ocds.write_bulk_file()


OPENDATA_CASES = [
    Case("opendata:index", every(200), public=True),
    Case("opendata:releases", every(200), public=True, setup=publish_call),
    Case("opendata:releases", every(400), data=lambda objs: {"page": "x"}, public=True, label="bad-page"),
    Case(
        "opendata:record",
        every(200),
        kwargs=lambda objs: {"ocid": ocds.ocid_of(objs["call"])},
        public=True,
        setup=publish_call,
    ),
    Case(
        "opendata:record",
        every(404),
        kwargs=lambda objs: {"ocid": ocds.ocid_of(objs["draft_call"])},
        public=True,
        label="draft",
    ),
    Case("opendata:feed", every(200), public=True, setup=publish_call),
    Case("opendata:feed", every(400), data=lambda objs: {"offset": "x"}, public=True, label="bad-offset"),
    Case("opendata:bulk", every(200), public=True, setup=write_bulk_file),
    Case("opendata:bulk", every(404), public=True, label="not-written"),
]

CASES: list[Case] = [
    *CORE_CASES,
    *IMPORT_CASES,
    *AUTH_CASES,
    *ADMIN_CASES,
    *PROVIDER_CASES,
    *TENDER_CASES,
    *CONTRACT_CASES,
    *EVALUATION_CASES,
    *ANALYTICS_CASES,
    *SNAPSHOT_CASES,
    *OPENDATA_CASES,
]

# The Django admin is covered by its index and login pages; the rest of its URLs are Django's own.
COVERED_ADMIN_URLS = {"admin:index", "admin:login"}


def matrix(method: str) -> list:
    return [pytest.param(case, id=case.id) for case in CASES if case.method == method]


# -- the tests --------------------------------------------------------------------------------------------------


def request(case: Case, role: str, objs: Objects):
    """Send the case's request as `role`, from a fresh client (no cookie of another role's request)."""
    client = Client()
    if objs[role] is not None:
        client.force_login(objs[role])
    url = reverse(case.name, kwargs=case.kwargs(objs) if case.kwargs else None)
    data = case.data(objs) if case.data else {}
    return getattr(client, case.method)(url, data)


def status_problems(response, case: Case, role: str) -> list[str]:
    """Return what is wrong with the answer to `role`: the status code, or where a redirect goes."""
    expected = case.expect[role]
    location = response.get("Location", "")
    if response.status_code != expected:
        return [f"{role}: expected {expected}, got {response.status_code} {location}".rstrip()]
    # Anonymous users of a non-public page are sent to log in; nobody else is.
    redirect_path = urlsplit(location).path if response.status_code == 302 else None
    if role == "anonymous" and not case.public:
        if redirect_path != reverse(case.login_url):
            return [f"{role}: sent to {location!r}, expected the login page {reverse(case.login_url)!r}"]
    elif redirect_path == reverse("login"):
        return [f"{role}: sent to log in ({location!r})"]
    return title_problems(response, role)


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def title_problems(response, role: str) -> list[str]:
    """Every HTML page names itself in its <title>, before the site's name (issue 11: some pages had none)."""
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    content = response.content.decode()
    if "<html" not in content:
        return []  # a fragment a page loads into itself (htmx)
    found = TITLE.search(content)
    if found is None:
        return [f"{role}: the page has no <title>"]
    own = html.unescape(found.group(1)).rsplit("·", 1)[0].strip()
    defaults = set()
    for language in ("ru", "kk", "en"):
        with translation.override(language):
            defaults.add(translation.gettext("State social order"))
    if not own or own in defaults:
        return [f"{role}: the page's <title> names only the site ({found.group(1).strip()!r})"]
    return []


def check_every_role(case: Case, objs: Objects) -> None:
    """Send the case's request once per role, each on the rows as built, and fail naming every role answered
    otherwise than the matrix says (and, for a state-changing case, every role that changed data it should not
    have or left unchanged data it should have changed)."""
    problems = []
    for role in ROLES:
        with rolled_back():
            if case.setup:
                case.setup(objs)
            before = case.state(objs) if case.state else None
            response = request(case, role, objs)
            problems += status_problems(response, case, role)
            if case.state:
                after = case.state(objs)
                if role in case.changes and after == before:
                    problems.append(f"{role}: allowed, but nothing changed")
                elif role not in case.changes and after != before:
                    problems.append(f"{role}: refused, but the data changed")
    if problems:
        url = reverse(case.name, kwargs=case.kwargs(objs) if case.kwargs else None)
        pytest.fail(f"{case.method.upper()} {url} ({case.id}):\n  " + "\n  ".join(problems), pytrace=False)


@pytest.mark.parametrize("case", matrix("get"))
def test_get_answers_each_role_as_the_matrix_says(objs, case):
    check_every_role(case, objs)


@pytest.mark.parametrize("case", matrix("post"))
def test_post_answers_each_role_and_changes_data_only_when_allowed(objs, case):
    check_every_role(case, objs)


def test_each_role_meets_the_rows_as_built(objs):
    """A refused or allowed request of one role leaves nothing behind for the next role or the next case."""
    call = objs["call"]
    before = (AuditEvent.objects.count(), row(Call, call.pk), Provider.objects.count())
    case = next(case for case in CASES if case.name == "tenders:call-cancel" and case.changes)

    with rolled_back():
        response = request(case, "officer", objs)
        assert response.status_code == 302
        assert Call.objects.get(pk=call.pk).status == Call.Status.CANCELLED

    assert (AuditEvent.objects.count(), row(Call, call.pk), Provider.objects.count()) == before


def test_set_language_changes_only_the_requesting_users_language(client, objs):
    client.force_login(objs["officer"])

    client.post(reverse("core:set-language"), {"language": "en", "next": "/"})

    changed = {name for name, language in languages(objs).items() if language != "ru"}
    assert changed == {objs["officer"].username}


def named_patterns(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    """Yield the namespaced name of every named URL pattern under `resolver`."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    names = set(named_patterns(get_resolver()))
    names -= {name for name in names if name.startswith("admin:") and name not in COVERED_ADMIN_URLS}
    covered = {case.name for case in CASES}

    missing = sorted(names - covered)
    assert not missing, f"URL patterns with no case in the permission matrix: {missing}"
    assert not covered - names, f"cases for URLs that do not exist: {sorted(covered - names)}"


def test_every_case_names_every_role_once():
    incomplete = {case.id: sorted(set(ROLES) - set(case.expect)) for case in CASES if set(case.expect) != set(ROLES)}
    assert not incomplete, f"cases missing roles: {incomplete}"
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "two cases share an id: give one a label"
    assert all(case.changes <= set(ROLES) for case in CASES)
