"""Printable records of contracts: the contract with its tranches and a report's acceptance record carry a Print
button; the acceptance record shows who accepted the report and when."""

import pytest

from evaluation.models import ResultEvaluation
from tests import factories

pytestmark = pytest.mark.django_db


def test_contract_page_has_a_print_button_and_its_tranches(client, committee):
    contract = factories.ContractFactory(tranches=[4_000_000])
    client.force_login(committee)
    body = client.get(contract.get_absolute_url()).content.decode()
    assert 'data-testid="print"' in body
    assert "css/print.css" in body
    assert "4,000,000" in body or f"4{chr(0xA0)}000{chr(0xA0)}000" in body  # the tranche, in the page's language


def test_accepted_report_shows_its_acceptance_record(client, committee):
    report = factories.ReportFactory(accepted=True)
    report.reviewed_by.last_name = "Приёмова"
    report.reviewed_by.save()
    client.force_login(committee)
    body = client.get(report.get_absolute_url()).content.decode()
    assert 'data-testid="acceptance-record"' in body
    assert "Приёмова" in body
    assert report.reviewed_at.astimezone().strftime("%Y") in body
    assert 'data-testid="print"' in body


def test_a_report_under_review_has_no_acceptance_record(client, committee):
    report = factories.ReportFactory(submitted=True)
    client.force_login(committee)
    assert 'data-testid="acceptance-record"' not in client.get(report.get_absolute_url()).content.decode()


def test_the_councils_conclusion_has_a_print_button_once_concluded(client, committee):
    evaluation = factories.ResultEvaluationFactory()
    client.force_login(committee)
    assert 'data-testid="print"' not in client.get(evaluation.get_absolute_url()).content.decode()  # open: none yet
    ResultEvaluation.objects.filter(pk=evaluation.pk).update(status=ResultEvaluation.Status.SUBMITTED)
    assert 'data-testid="print"' in client.get(evaluation.get_absolute_url()).content.decode()
