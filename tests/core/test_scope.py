"""One scope rule: every model a user can reach answers `objects.visible_to(user)`, and every `visible_to` and
predicate asks the User the same role questions, so a superuser is an administrator everywhere."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from contracts import permissions as contract_permissions
from contracts.models import Amendment, Contract, ContractDocument, Payment, Report, ReportingPeriod, Target, Tranche
from core.models import Agency, Indicator, Region, Role, ServiceType, role_of
from evaluation import permissions as evaluation_permissions
from evaluation.models import RegionPopulation, ResultEvaluation, Snapshot
from providers import permissions as provider_permissions
from providers.models import AccessRequest, Invitation, Membership, Provider, ServiceArea, StaffMember
from tenders import permissions as tender_permissions
from tenders.models import Bid, BidDocument, Call, CallDocument, CommissionMember, Complaint, Question
from tests import factories

pytestmark = pytest.mark.django_db

SCOPED = [
    Region,
    ServiceType,
    Indicator,
    Agency,
    Provider,
    Membership,
    Invitation,
    ServiceArea,
    StaffMember,
    AccessRequest,
    Call,
    CallDocument,
    Bid,
    BidDocument,
    CommissionMember,
    Question,
    Complaint,
    Contract,
    Tranche,
    Payment,
    Amendment,
    Target,
    ReportingPeriod,
    Report,
    ContractDocument,
    ResultEvaluation,
    RegionPopulation,
    Snapshot,
]

# Rows that are only ever shown as part of their parent, which its page fetched through visible_to.
PARTS = {
    "tenders.CallBudgetLine": "Call",
    "tenders.Criterion": "Call",
    "tenders.CallTarget": "Call",
    "tenders.BidCostItem": "Bid",
    "tenders.ConflictDeclaration": "Bid (the member's own)",
    "tenders.ScoreSheet": "Bid",
    "tenders.Score": "Bid",
    "contracts.ReportExpense": "Report",
    "contracts.Actual": "Report",
    "evaluation.Evaluator": "ResultEvaluation",
    "evaluation.EvaluatorScore": "ResultEvaluation",
    "evaluation.SnapshotCell": "Snapshot",
    "evaluation.SnapshotStability": "Snapshot",
    "evaluation.SnapshotFlag": "Snapshot",
    "evaluation.CriterionConclusion": "ResultEvaluation",
}
# Not reached through the application's pages: accounts, the audit log (rendered on its object's page), the
# login throttle and mail kept for retry (superusers only, in the Django admin).
UNREACHED = {"core.User", "core.AuditEvent", "core.LoginThrottle", "core.UnsentMail"}


def test_every_model_of_the_apps_answers_visible_to_or_is_part_of_one_that_does():
    missing = []
    for label in ("core", "providers", "tenders", "contracts", "evaluation"):
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            if name in PARTS or name in UNREACHED:
                continue
            if not hasattr(model.objects, "visible_to"):
                missing.append(name)
    assert not missing, f"models without objects.visible_to(user): {missing}"


# -- the role dispatch ------------------------------------------------------------------------------------------


def test_a_superuser_is_an_administrator_whatever_the_role_field_says():
    for role in Role.values:
        user = factories.AdminFactory.build(role=role, is_superuser=True)
        assert user.effective_role == Role.ADMIN
        assert user.is_admin
        assert user.sees_all
        assert [user.is_officer, user.is_ngo, user.is_expert, user.is_committee] == [False] * 4


def test_each_role_answers_its_own_question_only():
    questions = ("is_officer", "is_expert", "is_ngo", "is_committee", "is_admin")
    for role, question in zip(Role.values, questions, strict=True):
        user = factories.UserFactory.build(role=role)
        assert [getattr(user, q) for q in questions] == [q == question for q in questions], role


def test_committee_staff_and_administrators_see_all_and_nobody_else_does():
    sees_all = {role for role in Role.values if factories.UserFactory.build(role=role).sees_all}
    assert sees_all == {Role.COMMITTEE, Role.ADMIN}


def test_an_anonymous_visitor_has_no_role():
    assert role_of(AnonymousUser()) is None
    assert role_of(None) is None


def test_an_officer_is_an_officer_of_their_own_agency_only(officer, other_agency):
    assert officer.is_officer_of(officer.agency)
    assert officer.is_officer_of(officer.agency_id)
    assert not officer.is_officer_of(other_agency)
    assert not officer.is_officer_of(None)


def test_a_committee_member_with_an_agency_is_no_officer_of_it(agency):
    staff = factories.CommitteeFactory(agency=agency)
    assert not staff.is_officer_of(agency)


def test_an_ngo_member_is_a_member_of_their_own_organisation_only(ngo_user, provider, other_provider):
    assert ngo_user.member_of(provider)
    assert ngo_user.member_of(provider.pk)
    assert not ngo_user.member_of(other_provider)


def test_a_member_whose_role_is_not_ngo_is_no_member(provider):
    user = factories.AdminFactory(role=Role.NGO)  # a superuser: an administrator, never an NGO member
    factories.MembershipFactory(user=user, provider=provider)
    assert not user.member_of(provider)


# -- every visible_to answers everyone the same way -------------------------------------------------------------


@pytest.fixture
def world(clock, officer, ngo_user, provider, other_provider, expert, media_root):
    """One row of every scoped model, some in and some out of each role's scope."""
    now = timezone.now()
    call = factories.CallFactory(agency=officer.agency, created_by=officer)
    draft = factories.CallFactory(agency=officer.agency, created_by=officer, draft=True)
    closed = factories.CallFactory(
        agency=officer.agency,
        created_by=officer,
        status=Call.Status.EVALUATION,
        opens_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=1),
    )
    sealed = factories.BidFactory(call=call, provider=provider, created_by=ngo_user, status=Bid.Status.SUBMITTED)
    opened = factories.BidFactory(call=closed, provider=provider, created_by=ngo_user, status=Bid.Status.ADMITTED)
    factories.CommissionMemberFactory(call=closed, user=expert, is_chair=True)
    BidDocument.objects.create(bid=sealed, title="Устав", file=ContentFile(b"%PDF-1.4", name="a.pdf"))
    BidDocument.objects.create(bid=opened, title="Устав", file=ContentFile(b"%PDF-1.4", name="b.pdf"))
    CallDocument.objects.create(call=draft, title="Проект", file=ContentFile(b"%PDF-1.4", name="c.pdf"))
    factories.QuestionFactory(call=call, asked_by=ngo_user)
    factories.ComplaintFactory(call=call, provider=provider, filed_by=ngo_user)
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    factories.PaymentFactory(tranche=contract.tranches.first())
    factories.AmendmentFactory(contract=contract)
    factories.TargetFactory(contract=contract)
    factories.ReportFactory(period=contract.periods.first())
    factories.ReportFactory(period=contract.periods.last(), submitted=True)
    ContractDocument.objects.create(
        contract=contract, title="Акт", file=ContentFile(b"%PDF-1.4", name="d.pdf"), uploaded_by=ngo_user
    )
    factories.ResultEvaluationFactory(contract=contract)
    factories.ServiceAreaFactory(provider=other_provider, region=factories.region("35"))
    factories.StaffMemberFactory(provider=other_provider)
    factories.InvitationFactory(provider=provider, invited_by=ngo_user)
    factories.AccessRequestFactory()
    factories.RegionPopulationFactory()
    return contract


@pytest.fixture
def media_root(settings, tmp_path):
    from core.documents import private_storage

    saved = private_storage._location
    private_storage._location = str(tmp_path)
    for name in ("base_location", "location"):
        private_storage.__dict__.pop(name, None)
    yield tmp_path
    private_storage._location = saved
    for name in ("base_location", "location"):
        private_storage.__dict__.pop(name, None)


def rows(user) -> dict:
    return {model._meta.label: set(model.objects.visible_to(user).values_list("pk", flat=True)) for model in SCOPED}


def test_a_superuser_of_any_role_sees_exactly_what_an_administrator_sees(world, users):
    administrator = factories.UserFactory(role=Role.ADMIN)  # an administrator by role, not a superuser
    expected = rows(administrator)
    for role in Role.values:
        agency = world.agency if role == Role.OFFICER else None
        superuser = factories.AdminFactory(role=role, agency=agency)
        assert rows(superuser) == expected, role
    assert rows(users["admin"]) == expected


def test_committee_staff_see_what_administrators_see_but_the_requests_to_administrators(world, users):
    committee, administrator = rows(users["committee"]), rows(users["admin"])
    assert committee.pop("providers.AccessRequest") == set()
    assert administrator.pop("providers.AccessRequest") != set()
    assert committee == administrator


def test_every_visible_to_answers_an_anonymous_visitor(world):
    seen = rows(AnonymousUser())
    hidden = {label for label, pks in seen.items() if not pks}
    assert {"core.Region", "tenders.Call", "contracts.Contract", "contracts.Tranche"} <= set(seen) - hidden
    assert {
        "providers.Provider",
        "tenders.Bid",
        "tenders.Complaint",
        "tenders.Question",  # not answered yet
        "contracts.Report",
        "contracts.ContractDocument",
        "contracts.Payment",
        "evaluation.ResultEvaluation",
    } <= hidden


def test_a_sealed_bid_and_its_document_are_the_bidding_ngos_only(world, users):
    sealed = Bid.objects.get(status=Bid.Status.SUBMITTED)
    for name, user in users.items():
        expected = name == "ngo"
        assert (sealed in Bid.objects.visible_to(user)) is expected, name
        assert BidDocument.objects.visible_to(user).filter(bid=sealed).exists() is expected, name


def test_an_unanswered_question_is_its_author_and_the_agencys_only(world, users):
    question = Question.objects.get()
    seen = {name for name, user in users.items() if question in Question.objects.visible_to(user)}
    assert seen == {"ngo", "officer"}
    question.answer, question.answered_at = "Да.", timezone.now()
    question.save()
    seen = {name for name, user in users.items() if question in Question.objects.visible_to(user)}
    assert seen == set(users)


def test_a_contracts_details_are_the_parties_committee_staff_and_administrators(world, users):
    for model in (Payment, Amendment, ReportingPeriod, ContractDocument):
        seen = {name for name, user in users.items() if model.objects.visible_to(user).exists()}
        assert seen == {"officer", "ngo", "committee", "admin"}, model.__name__
    # The contract itself, its tranches and its targets are public facts.
    for model in (Contract, Tranche, Target):
        assert all(model.objects.visible_to(user).exists() for user in users.values()), model.__name__


def test_a_draft_report_is_the_ngos_only(world, users):
    draft = Report.objects.get(status=Report.Status.DRAFT)
    seen = {name for name, user in users.items() if draft in Report.objects.visible_to(user)}
    assert seen == {"ngo"}


def test_who_works_in_an_ngo_and_whom_it_invited_is_the_ngos_own(world, users):
    own = {
        name: set(Membership.objects.visible_to(user).values_list("provider", flat=True))
        for name, user in users.items()
    }
    assert own == {
        name: set(user.memberships.values_list("provider", flat=True)) if name in ("ngo", "other_ngo") else set()
        for name, user in users.items()
    }
    seen = {name for name, user in users.items() if Invitation.objects.visible_to(user).exists()}
    assert seen == {"ngo"}  # only the NGO that sent the invitation


def test_the_predicates_agree_with_the_scope(world, users, provider):
    contract = world
    for name, user in users.items():
        if user is None:
            continue
        details = contract in Contract.objects.in_scope(user)
        assert contract_permissions.can_see_details(user, contract) is details, name
        assert tender_permissions.is_call_officer(user, contract.call) is (name == "officer"), name
        assert provider_permissions.is_member(user, provider) is (name == "ngo"), name
        registry = provider_permissions.can_view_registry(user)
        assert set(Provider.objects.listable_by(user)) == (set(Provider.objects.all()) if registry else set()), name
        verifiable = Provider.objects.verifiable_by(user)
        assert {p for p in Provider.objects.all() if provider_permissions.can_verify(user, p)} == set(verifiable), name
        assert evaluation_permissions.can_see_ranking(user) is (name not in ("ngo", "other_ngo")), name


def test_a_member_of_the_contracts_council_sees_its_details_read_only(world, users):
    contract = world
    factories.EvaluatorFactory(evaluation=contract.evaluations.get(), user=users["expert"], declared=True)
    for model in (Payment, Amendment, ReportingPeriod, ContractDocument):
        seen = {name for name, user in users.items() if model.objects.visible_to(user).exists()}
        assert seen == {"officer", "expert", "ngo", "committee", "admin"}, model.__name__
    submitted = Report.objects.exclude(status=Report.Status.DRAFT)
    assert set(Report.objects.visible_to(users["expert"])) == set(submitted)
    assert contract_permissions.can_see_details(users["expert"], contract)
    assert not contract_permissions.can_manage(users["expert"], contract)
