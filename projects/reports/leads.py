"""招商引资 figures: the leads' funnel by stage, source and sector for a year."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from projects.domain.choices import (
    Sector,
)
from projects.models import Lead
from projects.reports.summary import CENTS


def _lead_measures(year: int, as_of: date) -> dict:
    """The conditional aggregates of GET /stats/leads/, each counted once per lead."""
    start, day = date(year, 1, 1), min(as_of, date(year, 12, 31))
    in_year = (start, day)
    received = Q(received_on__range=in_year)
    return {
        "leads": Count("pk", filter=received),
        "contacted": Count("pk", filter=received & Q(contacted_on__lte=day)),
        # In talks on that day: reached negotiating and neither signed nor dropped yet.
        "negotiating": Count("pk", filter=Q(negotiating_on__lte=day)
                             & (Q(signed_on__isnull=True) | Q(signed_on__gt=day))
                             & (Q(dropped_on__isnull=True) | Q(dropped_on__gt=day))),
        "signed": Count("pk", filter=Q(signed_on__range=in_year)),
        "signed_amount": Sum("amount", filter=Q(signed_on__range=in_year)),
        "landed": Count("pk", filter=Q(landed_on__range=in_year)),
        "dropped": Count("pk", filter=Q(dropped_on__range=in_year)),
    }


def _lead_funnel(row: dict) -> dict:
    return {
        "leads": row["leads"],
        "contacted": row["contacted"],
        "negotiating": row["negotiating"],
        "signed": {"count": row["signed"], "amount": (row["signed_amount"] or Decimal(0)).quantize(CENTS)},
        "landed": row["landed"],
        "dropped": row["dropped"],
    }


def lead_stats(*, year: int, as_of: date, leads: QuerySet[Lead] | None = None) -> dict:
    """招商引资 figures of `year` as of `as_of` over `leads` (default all), in three aggregate queries.

    `leads` received in the year and `contacted` of those; `negotiating` in talks on the year's
    last day up to `as_of`; `signed` (with the amount), `landed`, `dropped`: leads that reached the
    stage on a day of the year up to `as_of`. Nothing dated after `as_of` counts.
    """
    leads = (Lead.objects.all() if leads is None else leads).order_by()
    measures = _lead_measures(year, as_of)
    by_sector = {row["sector"]: _lead_funnel(row) for row in leads.values("sector").annotate(**measures)}
    empty = _lead_funnel({name: 0 for name in measures} | {"signed_amount": None})
    return {
        "year": year,
        "as_of": as_of,
        **_lead_funnel(leads.aggregate(**measures)),
        "by_source": [
            {"source": row["source"], **_lead_funnel(row)}
            for row in leads.values("source").annotate(**measures).order_by("source")
            if any(row[name] for name in measures)
        ],
        "by_sector": {
            code: {"sector_display": label, **by_sector.get(code, empty)} for code, label in Sector.choices
        },
    }
