"""The dealer watch list: US dealers (FFL) ranked by the guns recovered in Mexico traced to them.

Over the traces the user may see (``trace_request_query``), recovered within a
period and optionally sold in one US state, each dealer's licence counts its
traces, those with a short time to crime (under 1,095 days) and those that were
part of a multiple sale, and the Mexican states where its guns were recovered.

Our ranking is our own: most short time-to-crime traces first, then most
traces, then the licence number. ATF's criterion that dealers know — 25 or more
short time-to-crime traces in one year — is shown beside it when a year is
chosen, as information, not as the ordering.

Two aggregate statements, both along ``ix_trace_requests_dealer_recovery``:
one ranks the licences, one reads the top licences' names and states.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import Integer, case, func

from tracer.auth.models import User
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.geo.catalog import resolve_us_state, state_name
from tracer.tracing.models import SHORT_TIME_TO_CRIME_DAYS, TraceRequest
from tracer.tracing.requests import trace_request_query

# ATF's demand-letter criterion: this many short time-to-crime traces in one calendar year.
ATF_SHORT_TTC_THRESHOLD = 25
# The list shows this many dealers: a ranking, read top down.
DEALERS_SHOWN = 100
FIRST_YEAR = 1990


@dataclass
class DealerFilters:
    """The period (a year, or a range of recovery dates) and the dealer's US state; empty is everything."""

    year: Any = None
    recovered_from: Any = None
    recovered_to: Any = None
    us_state: Any = None


@dataclass
class CheckedFilters:
    year: int | None
    since: date | None
    until: date | None
    us_state: str | None

    def args(self) -> dict[str, str]:
        """The period as the trace list's filters (``recovered_from``/``recovered_to``)."""
        args = {}
        if self.since:
            args["recovered_from"] = self.since.isoformat()
        if self.until:
            args["recovered_to"] = self.until.isoformat()
        return args


@dataclass
class StateCount:
    code: str
    name: str
    count: int


@dataclass
class Dealer:
    ffl_license: str
    ffl_name: str | None
    ffl_city: str | None
    ffl_state: str | None
    traces: int
    short_ttc: int
    multiple_sales: int
    states: list[StateCount] = field(default_factory=list)
    # Meets ATF's criterion in the chosen year; None when no year is chosen.
    meets_atf_criterion: bool | None = None

    @property
    def short_ttc_pct(self) -> float:
        return round(100.0 * self.short_ttc / self.traces, 1) if self.traces else 0.0

    @property
    def short_ttc_pct_text(self) -> str:
        return format_decimal(self.short_ttc_pct, "0.0")


@dataclass
class DealerList:
    filters: CheckedFilters
    dealers: list[Dealer]


def check_filters(filters: DealerFilters) -> CheckedFilters:
    """The filters checked: ``ValidationFailed`` naming each bad one. A year sets the period to that
    calendar year (narrowed further by a range given with it)."""
    check = Checker()
    year = check.integer("year", filters.year, FIRST_YEAR, date.today().year + 1)
    since = check.day("recovered_from", filters.recovered_from)
    until = check.day("recovered_to", filters.recovered_to)
    us_state = None
    if (filters.us_state or "").strip():
        us_state = resolve_us_state(str(filters.us_state))
        if us_state is None:
            check.error("us_state", _("Unknown US state: use its abbreviation (TX) or its name (Texas)."))
    if since and until and since > until:
        check.error("recovered_to", _("The end date cannot be before the start date."))
    check.raise_if_errors()
    if year is not None:
        since = max(since or date(year, 1, 1), date(year, 1, 1))
        until = min(until or date(year, 12, 31), date(year, 12, 31))
        if since > until:
            raise ValidationFailed(_("Please correct the marked fields."), {"recovered_from": [
                _("The dates fall outside the chosen year.")]})
    return CheckedFilters(year, since, until, us_state)


def _traced(user: User, checked: CheckedFilters):
    statement = trace_request_query(user).where(TraceRequest.ffl_license.is_not(None))
    if checked.since:
        statement = statement.where(TraceRequest.recovery_date >= checked.since)
    if checked.until:
        statement = statement.where(TraceRequest.recovery_date <= checked.until)
    if checked.us_state:
        statement = statement.where(TraceRequest.ffl_state == checked.us_state)
    return statement


def dealer_watch_list(user: User, filters: DealerFilters, limit: int = DEALERS_SHOWN) -> DealerList:
    """The ranked dealers of ``user``'s scope under ``filters`` (see the module's docstring)."""
    checked = check_filters(filters)
    short = func.sum(case((TraceRequest.time_to_crime_days < SHORT_TIME_TO_CRIME_DAYS, 1), else_=0))
    multiple = func.sum(case((TraceRequest.multiple_sale.is_(True), 1), else_=0))
    traces = func.count()
    ranking = (_traced(user, checked)
               .with_only_columns(TraceRequest.ffl_license, traces.label("traces"),
                                  short.cast(Integer).label("short"), multiple.cast(Integer).label("multiple"))
               .group_by(TraceRequest.ffl_license)
               .order_by(short.desc(), traces.desc(), TraceRequest.ffl_license)
               .limit(limit))
    dealers = {row.ffl_license: Dealer(row.ffl_license, None, None, None, row.traces, row.short or 0,
                                       row.multiple or 0) for row in db.session.execute(ranking)}
    if not dealers:
        return DealerList(checked, [])
    where = (_traced(user, checked).where(TraceRequest.ffl_license.in_(list(dealers)))
             .with_only_columns(TraceRequest.ffl_license, TraceRequest.recovery_state,
                                func.max(TraceRequest.ffl_name), func.max(TraceRequest.ffl_city),
                                func.max(TraceRequest.ffl_state), func.count())
             .group_by(TraceRequest.ffl_license, TraceRequest.recovery_state))
    for licence, state, name, city, us_state, count in db.session.execute(where):
        dealer = dealers[licence]
        dealer.ffl_name, dealer.ffl_city = dealer.ffl_name or name, dealer.ffl_city or city
        dealer.ffl_state = dealer.ffl_state or us_state
        if state:
            dealer.states.append(StateCount(state, state_name(state) or state, count))
    for dealer in dealers.values():
        dealer.states.sort(key=lambda s: (-s.count, s.code))
        if checked.year is not None:
            dealer.meets_atf_criterion = dealer.short_ttc >= ATF_SHORT_TTC_THRESHOLD
    return DealerList(checked, list(dealers.values()))


def dealer_json(dealer: Dealer) -> dict[str, Any]:
    """A dealer as the API answers it."""
    return {"ffl_license": dealer.ffl_license, "ffl_name": dealer.ffl_name, "ffl_city": dealer.ffl_city,
            "ffl_state": dealer.ffl_state, "traces": dealer.traces, "short_ttc": dealer.short_ttc,
            "short_ttc_pct": dealer.short_ttc_pct, "multiple_sales": dealer.multiple_sales,
            "recovery_states": [{"state": s.code, "count": s.count} for s in dealer.states],
            "meets_atf_criterion": dealer.meets_atf_criterion}
