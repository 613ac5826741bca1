"""A trace result as the firearm, case and trace request pages show it.

Beside the stored result, a reader wants what it means for the case: where
in the US the firearm was sold (the origin point), how far that is from where
it was seized (geodesic, in kilometres), and how long it took to get there
(time to crime, flagged when short: under three years suggests trafficking).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.geo.catalog import us_state_name
from tracer.geo.geocoding import distance_km
from tracer.seizures.models import Seizure
from tracer.tracing.models import TraceRequest
from tracer.tracing.personal_data import PurchaserView, shown_purchaser
from tracer.tracing.requests import shown_request_for_firearm

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Distance:
    """Kilometres from the origin point to the seizure, or why it cannot be measured."""

    km: float | None
    missing: str | None = None

    @property
    def text(self) -> str:
        """The distance in the reader's number format: "1,234.5 km" or "1.234,5 km"."""
        return _("%(km)s km", km=format_decimal(self.km, format="#,##0.0")) if self.km is not None else ""


@dataclass(frozen=True)
class ResultView:
    trace_request: TraceRequest
    outcome: str
    no_trace_reason: str | None
    ffl_name: str | None
    ffl_license: str | None
    ffl_street: str | None
    ffl_city: str | None
    ffl_state: str | None
    ffl_state_name: str
    ffl_zip: str | None
    origin_latitude: float | None
    origin_longitude: float | None
    origin_source: str | None
    distance: Distance | None
    purchase_date: Any
    time_to_crime_days: int | None
    time_to_crime_years: float | None
    short_time_to_crime: bool
    multiple_sale: bool | None
    purchaser: PurchaserView
    notes: str | None
    result_at: datetime | None
    result_by: Any

    @property
    def has_dealer(self) -> bool:
        return any((self.ffl_name, self.ffl_license, self.ffl_city, self.ffl_state))

    @property
    def has_origin(self) -> bool:
        return self.origin_latitude is not None and self.origin_longitude is not None

    @property
    def years_text(self) -> str:
        return years_text(self.time_to_crime_years)


def years(days: int | None) -> float | None:
    """Days as years, one decimal, for readers who think in years."""
    return None if days is None else round(days / DAYS_PER_YEAR, 1)


def origin_distance(trace_request: TraceRequest) -> Distance:
    """Geodesic kilometres from the origin point to the seizure point, or why not."""
    if trace_request.origin_latitude is None or trace_request.origin_longitude is None:
        if trace_request.ffl_city and trace_request.ffl_state:
            return Distance(None, _("No origin point: the dealer's city is not in the gazetteer of US cities."))
        return Distance(None, _("No origin point: the result names no dealer city and state."))
    seizure = trace_request.firearm.seizure
    if seizure is None or seizure.latitude is None or seizure.longitude is None:
        return Distance(None, _("The seizure has no coordinates: the distance cannot be measured."))
    km = distance_km((trace_request.origin_latitude, trace_request.origin_longitude),
                     (seizure.latitude, seizure.longitude))
    return Distance(round(km, 1))


def years_text(value: float | None) -> str:
    """"2.7 years" in the reader's number format."""
    return "" if value is None else _("%(years)s years", years=format_decimal(value, format="#,##0.0"))


def result_view(user, trace_request: TraceRequest, where: str, with_distance: bool = True) -> ResultView:
    """The result of ``trace_request`` for ``user``; the purchaser only as SPEC §2 allows, its
    reading audited (``where`` names the page). ``with_distance`` is for readers of the case:
    the distance says where the seizure happened."""
    t = trace_request
    return ResultView(
        trace_request=t, outcome=t.outcome, no_trace_reason=t.no_trace_reason, ffl_name=t.ffl_name,
        ffl_license=t.ffl_license, ffl_street=t.ffl_street, ffl_city=t.ffl_city, ffl_state=t.ffl_state,
        ffl_state_name=us_state_name(t.ffl_state), ffl_zip=t.ffl_zip, origin_latitude=t.origin_latitude,
        origin_longitude=t.origin_longitude, origin_source=t.origin_source,
        distance=origin_distance(t) if with_distance else None, purchase_date=t.purchase_date,
        time_to_crime_days=t.time_to_crime_days, time_to_crime_years=years(t.time_to_crime_days),
        short_time_to_crime=t.short_time_to_crime, multiple_sale=t.multiple_sale,
        purchaser=shown_purchaser(user, t, where), notes=t.result_notes, result_at=t.result_at,
        result_by=t.result_by)


def commit_reads(*views: ResultView) -> None:
    """A page that showed a purchaser commits its audit event: GET pages write nothing else,
    and an uncommitted event would be rolled back with the request."""
    if any(view is not None and view.purchaser.name is not None for view in views):
        db.session.commit()


def firearm_result(user, firearm) -> ResultView | None:
    """The result of the trace request of ``firearm`` (a page the user may see), if it has one."""
    trace_request = shown_request_for_firearm(firearm)
    if trace_request is None or trace_request.outcome is None:
        return None
    return result_view(user, trace_request, "firearm_page")


@dataclass(frozen=True)
class CaseTraceRow:
    """One trace request of a case, as the case page lists it (no personal data)."""

    trace_request: TraceRequest
    firearm: Any
    distance: Distance | None
    short_time_to_crime: bool
    time_to_crime_years: float | None
    ffl_state_name: str

    @property
    def years_text(self) -> str:
        return years_text(self.time_to_crime_years)


# The firearm's serial and the seizure's point are what a case's trace rows show: the seizure's
# case (that case) and agency, and the firearm's maker and caliber, are left out of the join.
# Built once, so that the statement's cache key is found again rather than built anew.
_SEIZURE = joinedload(TraceRequest.firearm).joinedload(Firearm.seizure)
CASE_TRACE_JOINS = (_SEIZURE.lazyload(Seizure.case), _SEIZURE.lazyload(Seizure.agency),
                    joinedload(TraceRequest.firearm).lazyload(Firearm.manufacturer),
                    joinedload(TraceRequest.firearm).lazyload(Firearm.caliber))


def case_traces(case) -> list[CaseTraceRow]:
    """The trace requests of ``case`` (which the reader may see), oldest first."""
    requests = db.session.scalars(
        select(TraceRequest).where(TraceRequest.case_id == case.id).options(*CASE_TRACE_JOINS).order_by(TraceRequest.id))
    return [CaseTraceRow(t, t.firearm, origin_distance(t) if t.outcome else None, t.short_time_to_crime,
                         years(t.time_to_crime_days), us_state_name(t.ffl_state)) for t in requests]

