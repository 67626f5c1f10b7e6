"""Status changes: one helper (core.transitions) that model methods call, a system check that keeps every TRANSITIONS
map complete, and the rule that services and views call the model methods instead of setting a status."""

import ast
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from contracts.models import Contract, Report
from core import audit, transitions
from core.exceptions import InvalidTransition
from core.models import AuditEvent
from evaluation.models import ResultEvaluation
from providers.models import Provider
from tenders.models import Bid, Call, Complaint
from tests import factories

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("core", "providers", "tenders", "contracts", "evaluation")

# Every model with a status, and the methods that change it (each is a model method marked alters_data).
TRANSITION_METHODS = {
    Call: [
        "publish",
        "cancel",
        "open_bids",
        "close_scoring",
        "award",
        "award_next_ranked",
        "fail",
        "fail_after_decline",
        "return_to_evaluation",
        "extend_deadline",
        "require_amendment",
        "draft_copy",
    ],
    Bid: ["submit", "withdraw", "reopen", "admit", "reject", "win", "lose", "decline", "readmit"],
    Complaint: ["uphold", "reject"],
    Contract: ["sign", "terminate", "complete"],
    Report: ["submit", "accept", "return_"],
    Provider: ["verify", "suspend", "reactivate"],
    ResultEvaluation: ["conclude", "reopen"],
}


# -- the system check --------------------------------------------------------------------------------------------


@isolate_apps("core")
def test_the_check_fails_when_a_transitions_map_misses_a_status():
    class Broken(models.Model):
        class Status(models.TextChoices):
            NEW = "new", "new"
            DONE = "done", "done"
            LOST = "lost", "lost"

        TRANSITIONS = {Status.NEW: {Status.DONE}, Status.DONE: set()}  # "lost" forgotten
        status = models.CharField(max_length=8, choices=Status.choices)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.status

    errors = transitions.transition_errors(Broken)
    assert [(e.id, e.obj) for e in errors] == [("core.E001", Broken)]
    assert "'lost'" in errors[0].msg


@isolate_apps("core")
def test_the_check_fails_when_a_transition_leads_to_no_status():
    class Broken(models.Model):
        class Status(models.TextChoices):
            NEW = "new", "new"
            DONE = "done", "done"

        TRANSITIONS = {Status.NEW: {Status.DONE, "archived"}, Status.DONE: set()}
        status = models.CharField(max_length=8, choices=Status.choices)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.status

    assert [e.id for e in transitions.transition_errors(Broken)] == ["core.E002"]


@isolate_apps("core")
def test_the_registered_check_reports_a_broken_model(monkeypatch):
    class Broken(models.Model):
        class Status(models.TextChoices):
            NEW = "new", "new"
            DONE = "done", "done"

        TRANSITIONS = {Status.NEW: {Status.DONE}}
        status = models.CharField(max_length=8, choices=Status.choices)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.status

    monkeypatch.setattr(apps, "get_models", lambda *args, **kwargs: [Broken])
    errors = checks.run_checks(tags=[checks.Tags.models])
    assert [e.id for e in errors if e.id.startswith("core.E")] == ["core.E001"]


def test_the_check_passes_for_the_projects_models():
    assert transitions.check_transitions() == []
    call_command("check")  # raises SystemCheckError on any error


def test_every_model_with_a_status_workflow_has_a_transitions_map():
    with_status = {m for m in apps.get_models() if hasattr(m, "Status") and m._meta.app_label in APPS}
    assert set(TRANSITION_METHODS) <= with_status
    assert all(hasattr(m, "TRANSITIONS") for m in TRANSITION_METHODS)


@pytest.mark.parametrize(("model", "method"), [(m, name) for m, names in TRANSITION_METHODS.items() for name in names])
def test_each_transition_method_alters_data(model, method):
    assert getattr(getattr(model, method), "alters_data", False) is True


# -- services and views never set a status -------------------------------------------------------------------------


def status_assignments(path: Path) -> list[int]:
    """Return the lines of `path` that assign to a `.status` attribute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(element, ast.Attribute) and element.attr == "status":
                    lines.append(node.lineno)
    return lines


SERVICES_AND_VIEWS = [ROOT / app / name for app in APPS for name in ("services.py", "views.py")]


@pytest.mark.parametrize("path", [p for p in SERVICES_AND_VIEWS if p.exists()], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_service_or_view_assigns_a_status(path):
    assert status_assignments(path) == [], f"{path.relative_to(ROOT)} assigns a status; call the model method"


def test_the_guard_finds_an_assignment(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("def f(bid):\n    bid.status = 'draft'\n    a.status, b = 1, 2\n")
    assert status_assignments(sample) == [2, 3]


# -- the helper --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_set_status_refuses_a_transition_the_map_does_not_allow(officer):
    call = factories.CallFactory(draft=True)
    with pytest.raises(InvalidTransition):
        transitions.set_status(call, Call.Status.AWARDED, by=officer, action=audit.Action.AWARDED)
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert not AuditEvent.objects.for_object(call).exists()


@pytest.mark.django_db
def test_set_status_saves_the_status_with_its_fields_and_audits_the_change(officer, clock):
    from django.utils import timezone

    call = factories.CallFactory(draft=True)
    transitions.set_status(
        call, Call.Status.PUBLISHED, by=officer, action=audit.Action.PUBLISHED, extra={"published_at": timezone.now()}
    )
    call.refresh_from_db()
    assert (call.status, call.published_at) == (Call.Status.PUBLISHED, timezone.now())
    event = AuditEvent.objects.for_object(call).get()
    assert (event.action, event.actor, event.changes) == ("published", officer, {"status": ["draft", "published"]})


@pytest.mark.django_db
def test_set_status_keeps_to_the_given_source_statuses(officer):
    call = factories.CallFactory(draft=True)
    with pytest.raises(InvalidTransition, match="only from published"):
        transitions.set_status(
            call,
            Call.Status.CANCELLED,
            by=officer,
            action=audit.Action.CANCELLED,
            source={Call.Status.PUBLISHED},
            message="only from published",
        )
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_transition_methods_take_the_acting_user_by_keyword():
    for model, names in TRANSITION_METHODS.items():
        for name in names:
            parameters = inspect.signature(getattr(model, name)).parameters
            assert all(p.kind is p.KEYWORD_ONLY for n, p in parameters.items() if n != "self"), (
                f"{model.__name__}.{name} takes positional arguments"
            )
