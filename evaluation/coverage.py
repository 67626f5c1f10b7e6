"""Coverage of regions × service types in a year: the heatmap, the tile map and the list of uncovered cells.

The definitions are DESIGN.md's "Exposing uncovered regions and unstable funding", exactly. A cell's status is the
first that applies:

1. ``na``: the region did not exist in the year (its ``valid_from`` year is later); ``no_data``: the year is before
   the region's ``data_from_year``;
2. ``covered``: a contract serves the year — shown as ``ending`` when every contract serving it stops serving within
   the year, no signed or pending contract serves any day of the next year, and no published, evaluating or awarded
   call covers the next year (a cliff ahead);
3. ``failed``: a call whose years include the year failed, or was cancelled after publication;
4. ``gap``: some day of the five previous years was served; ``since`` is the day after the last serving day;
5. ``never``.

Everything is aggregated in the database with a fixed number of grouped queries whatever the number of contracts,
calls, payments or reports (about a dozen for the matrix, three more for the uncovered cells).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Payment, ReportingPeriod, Report
from core.models import Region, ServiceType
from evaluation.analytics_util import (
    ONE_DAY,
    ZERO,
    per_thousand,
    region_year_status,
    serving_contracts,
    serving_tranches,
    share,
    start_of_day,
    table_regions,
    table_service_types,
    year_end,
    year_start,
)
from evaluation.models import RegionPopulation
from providers.models import Provider, ServiceArea
from tenders.models import Bid, Call

GAP_LOOKBACK_YEARS = 5  # a cell is a gap when some day of the five previous years was served
DAYS_PER_YEAR = Decimal("365.25")


class CellStatus(models_TextChoices := __import__("django.db.models", fromlist=["TextChoices"]).TextChoices):
    pass
