"""The demo data agree with themselves (issue 11): complaints filed before they are decided, NGO names without
status text, children served plausible for the money of the contract's year. (One test: loading takes a while.)"""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts.models import Report, ReportingPeriod
from providers.models import Provider
from tenders.models import Complaint

pytestmark = pytest.mark.django_db

# A place for one child for a year in a social service: plausible between 100 000 ₸ and 1 000 000 ₸.
PLAUSIBLE_TENGE_PER_CHILD = (Decimal("100000"), Decimal("1000000"))


def test_the_demo_data_are_internally_consistent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())

    decided = Complaint.objects.exclude(decided_at=None)
    assert decided.exists()
    for complaint in decided:
        assert complaint.filed_at < complaint.decided_at, complaint.pk
        assert complaint.call.decided_at is None or complaint.filed_at >= complaint.call.published_at

    for provider in Provider.objects.all():
        assert not re.search(r"\((на проверке|приостановлено|тексеруде|тоқтатылған)\)", provider.name_ru), provider

    low, high = PLAUSIBLE_TENGE_PER_CHILD
    annual = Report.objects.filter(period__kind=ReportingPeriod.Kind.ANNUAL).select_related("period__contract")
    assert annual.exists()
    for report in annual:
        tranche = report.period.contract.tranches.get(year=report.period.year)
        assert report.children_served, report.pk
        per_child = tranche.amount / report.children_served
        assert low <= per_child <= high, (report.period.contract.number, tranche.amount, report.children_served)
        assert report.families_served <= report.children_served
