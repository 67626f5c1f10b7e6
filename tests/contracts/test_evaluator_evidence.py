"""The members of a contract's expert council read its reports and their documents (issue 11: evaluators could not
read the evidence), read-only, while the evaluation is open and after; nobody else outside the parties does."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from contracts import permissions
from contracts.models import Contract, ContractDocument, Report
from evaluation.models import ResultEvaluation
from tests import factories


@pytest.fixture
def evidence(clock, officer, ngo_user, provider, media_root):
    contract = factories.ContractFactory(agency=officer.agency, provider=provider)
    report = factories.ReportFactory(period=contract.periods.first(), submitted=True)
    document = ContractDocument.objects.create(
        contract=contract,
        report=report,
        title="Акт",
        file=ContentFile(b"%PDF-1.4", name="act.pdf"),
        uploaded_by=ngo_user,
    )
    evaluation = factories.ResultEvaluationFactory(contract=contract)
    return contract, report, document, evaluation


@pytest.mark.parametrize("concluded", [False, True])
def test_an_expert_on_the_council_reads_the_reports_and_documents_read_only(client, evidence, expert, concluded):
    contract, report, document, evaluation = evidence
    factories.EvaluatorFactory(evaluation=evaluation, user=expert, declared=True)
    if concluded:
        ResultEvaluation.objects.filter(pk=evaluation.pk).update(status=ResultEvaluation.Status.SUBMITTED)
    client.force_login(expert)

    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(reverse("contracts:document", args=[contract.pk, document.pk])).status_code == 200
    page = client.get(contract.get_absolute_url())
    assert page.status_code == 200
    assert report.get_absolute_url() in page.content.decode()
    assert not page.context["can_manage"]
    assert not page.context["can_add_document"]
    assert client.post(reverse("contracts:report-review", args=[report.pk, "accept"])).status_code == 403


def test_another_expert_and_a_draft_report_stay_hidden(client, evidence, expert):
    contract, report, document, evaluation = evidence
    factories.EvaluatorFactory(evaluation=evaluation, user=expert, declared=True)
    draft = factories.ReportFactory(period=contract.periods.last())
    outsider = factories.ExpertFactory(username="outsider")

    assert draft not in Report.objects.visible_to(expert)
    client.force_login(outsider)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("contracts:document", args=[contract.pk, document.pk])).status_code == 404
    assert not permissions.can_see_details(outsider, contract)


def test_an_officer_of_another_agency_on_the_council_sees_the_contracts_details(evidence, other_officer):
    contract, report, _document, evaluation = evidence
    assert contract not in Contract.objects.in_scope(other_officer)
    factories.EvaluatorFactory(evaluation=evaluation, user=other_officer, declared=True)

    assert contract in Contract.objects.in_scope(other_officer)
    assert report in Report.objects.visible_to(other_officer)
    assert permissions.can_see_details(other_officer, contract)
