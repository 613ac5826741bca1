"""The figures of the dashboards and of ``stats/summary`` (SPEC §7), over a user's scope.

Every figure is one aggregate statement (the database counts; no row is read into Python),
narrowed by the seizure date and state of ``StatsFilters`` and by the user's scope: the
agency that owns the case (``agency_scope``), kept on firearms and trace requests so that
their counts need no join with cases.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal, select

from tracer.auth.models import Agency, User
from tracer.auth.scope import agency_scope
from tracer.cases.models import Case
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.firearms.models import FIREARM_TYPES, Caliber, Firearm
from tracer.seizures.models import Seizure
from tracer.stats.filters import StatsFilters
from tracer.tracing.backlog import AGE_BANDS
from tracer.tracing.models import SHORT_TIME_TO_CRIME_DAYS, TRACE_OUTCOMES, TraceRequest

US_OUTCOMES = ("us_retail", "us_other")
ANSWERED = ("completed", "no_trace")
TOP = 10
# Time-to-crime bins in days: (key, lowest included, highest excluded).
TTC_BINS = (("under_1y", 0, 365), ("1_3y", 365, SHORT_TIME_TO_CRIME_DAYS), ("3_5y", SHORT_TIME_TO_CRIME_DAYS, 1826),
            ("5_10y", 1826, 3652), ("10_20y", 3652, 7305), ("over_20y", 7305, None))


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, one decimal; ``None`` when there is nothing to share."""
    return round(100.0 * part / whole, 1) if whole else None


def _firearms(user: User, filters: StatsFilters, *columns) -> Select:
    statement = (select(*columns).select_from(Firearm).join(Seizure, Seizure.id == Firearm.seizure_id)
                 .where(agency_scope(user, Firearm.agency_id)))
    return filters.apply(statement)


def _traces(user: User, filters: StatsFilters, *columns) -> Select:
    statement = select(*columns).select_from(TraceRequest).where(agency_scope(user, TraceRequest.agency_id))
    if not filters.narrows:
        return statement  # every seizure date and state: no need to read the seizures
    statement = (statement.join(Firearm, Firearm.id == TraceRequest.firearm_id)
                 .join(Seizure, Seizure.id == Firearm.seizure_id))
    return filters.apply(statement)


def _counted(statement: Select) -> list[tuple[Any, int]]:
    return [(key, int(count)) for key, count in db.session.execute(statement)]


def seizure_count(user: User, filters: StatsFilters) -> int:
    """Seizures of cases in scope."""
    statement = filters.apply(select(func.count(Seizure.id)).join(Case, Case.id == Seizure.case_id)
                              .where(agency_scope(user, Case.owner_agency_id)))
    return db.session.scalar(statement) or 0


def firearm_counts(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Firearms in all, per type (every type named, zero included) and per seizure state (most
    first), from one statement grouped by type and state."""
    rows = _counted_pairs(_firearms(user, filters, Firearm.firearm_type, Seizure.state_code, func.count())
                          .group_by(Firearm.firearm_type, Seizure.state_code))
    by_type = dict.fromkeys(FIREARM_TYPES, 0)
    by_state: dict[str, int] = {}
    for kind, state, n in rows:
        by_type[kind] = by_type.get(kind, 0) + n
        by_state[state] = by_state.get(state, 0) + n
    return {"firearms": sum(by_type.values()), "by_type": by_type,
            "by_seizure_state": [{"state": state, "count": n}
                                 for state, n in sorted(by_state.items(), key=lambda item: (-item[1], item[0]))]}


def _counted_pairs(statement: Select) -> list[tuple[Any, Any, int]]:
    return [(first, second, int(count)) for first, second, count in db.session.execute(statement)]


def firearms_by_caliber(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """Firearms per caliber (the reference name, else as written), most first, the top ones."""
    name = func.coalesce(Caliber.name, Firearm.caliber_text, literal("")).label("caliber")
    count = func.count().label("n")
    statement = (_firearms(user, filters, name, count).outerjoin(Caliber, Caliber.id == Firearm.caliber_id)
                 .group_by(name).order_by(count.desc(), name).limit(TOP))
    return [{"caliber": caliber, "count": n} for caliber, n in _counted(statement)]


def by_month(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """Seizures and firearms per month of the seizure date (``YYYY-MM``), oldest first."""
    def month(column):
        if db.session.get_bind().dialect.name == "postgresql":
            return func.to_char(column, "YYYY-MM")
        return func.strftime("%Y-%m", column)

    seizure_month = month(Seizure.seized_on).label("month")
    seizures = dict(_counted(filters.apply(
        select(seizure_month, func.count()).join(Case, Case.id == Seizure.case_id)
        .where(agency_scope(user, Case.owner_agency_id)).group_by(seizure_month))))
    firearms = dict(_counted(_firearms(user, filters, seizure_month, func.count()).group_by(seizure_month)))
    return [{"month": key, "seizures": seizures.get(key, 0), "firearms": firearms.get(key, 0)}
            for key in sorted(set(seizures) | set(firearms))]


def trace_figures(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Trace requests, answers per outcome and the US-sourced share (SPEC §7 ``us_sourced_pct``:
    us_retail and us_other over completed traces whose outcome is not no_trace), from one
    statement grouped by status and outcome."""
    rows = _counted_pairs(_traces(user, filters, TraceRequest.status, TraceRequest.outcome, func.count())
                          .group_by(TraceRequest.status, TraceRequest.outcome))
    outcomes = dict.fromkeys(TRACE_OUTCOMES, 0)
    for status, outcome, n in rows:
        if status in ANSWERED and outcome is not None:
            outcomes[outcome] += n
    traced = sum(n for name, n in outcomes.items() if name != "no_trace")
    return {"trace_requests": sum(n for _status, _outcome, n in rows), "outcomes": outcomes,
            "us_sourced_pct": percent(sum(outcomes[name] for name in US_OUTCOMES), traced)}


def _us_sourced(user: User, filters: StatsFilters, *columns) -> Select:
    return _traces(user, filters, *columns).where(TraceRequest.status == "completed",
                                                  TraceRequest.outcome.in_(US_OUTCOMES))


def top_source_states(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """SPEC §7 ``top_source_states``: completed US-sourced traces by the dealer's state, most first."""
    count = func.count().label("n")
    states = _counted(_us_sourced(user, filters, TraceRequest.ffl_state, count)
                      .where(TraceRequest.ffl_state.is_not(None)).group_by(TraceRequest.ffl_state)
                      .order_by(count.desc(), TraceRequest.ffl_state).limit(TOP))
    return [{"state": state, "count": n} for state, n in states]


def top_sources(user: User, filters: StatsFilters) -> dict[str, list[dict[str, Any]]]:
    """The dealers' states, cities and dealers of US-sourced traces, most first."""
    count = func.count().label("n")
    cities = db.session.execute(
        _us_sourced(user, filters, TraceRequest.ffl_city, TraceRequest.ffl_state, count)
        .where(TraceRequest.ffl_city.is_not(None)).group_by(TraceRequest.ffl_city, TraceRequest.ffl_state)
        .order_by(count.desc(), TraceRequest.ffl_state, TraceRequest.ffl_city).limit(TOP)).all()
    dealers = db.session.execute(
        _us_sourced(user, filters, TraceRequest.ffl_license, func.max(TraceRequest.ffl_name),
                    func.max(TraceRequest.ffl_city), func.max(TraceRequest.ffl_state), count)
        .where(TraceRequest.ffl_license.is_not(None)).group_by(TraceRequest.ffl_license)
        .order_by(count.desc(), TraceRequest.ffl_license).limit(TOP)).all()
    return {
        "states": top_source_states(user, filters),
        "cities": [{"city": city, "state": state, "count": int(n)} for city, state, n in cities],
        "dealers": [{"license": licence, "name": name, "city": city, "state": state, "count": int(n)}
                    for licence, name, city, state, n in dealers],
    }


def _median(values: Select) -> float | None:
    """The median of the one column ``values`` selects (the mean of the two middle values of an even count)."""
    column = values.subquery().c[0]
    if db.session.get_bind().dialect.name == "postgresql":
        found = db.session.scalar(select(func.percentile_cont(0.5).within_group(column)))
        return None if found is None else float(found)
    count = db.session.scalar(select(func.count(column))) or 0
    if not count:
        return None
    middle = db.session.scalars(select(column).order_by(column).offset((count - 1) // 2)
                                .limit(2 - count % 2)).all()
    return sum(middle) / len(middle)


def time_to_crime(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Time to crime over completed traces with a purchase date: median, short share (under
    1,095 days) and the count per bin."""
    days = TraceRequest.time_to_crime_days
    dated = _traces(user, filters, days).where(TraceRequest.status == "completed",
                                               TraceRequest.purchase_date.is_not(None), days.is_not(None))
    bin_of = case(*[(days < high, literal(key)) for key, _low, high in TTC_BINS if high is not None],
                  else_=literal(TTC_BINS[-1][0])).label("bin")
    bins = dict(_counted(dated.with_only_columns(bin_of, func.count()).group_by(bin_of)))
    total = sum(bins.values())
    short = sum(n for key, n in bins.items() if key in ("under_1y", "1_3y"))
    median = _median(dated)
    if median is not None:
        median = int(median) if float(median).is_integer() else round(median, 1)
    return {"median_ttc_days": median, "short_ttc_pct": percent(short, total), "dated": total,
            "bins": [{"bin": key, "count": bins.get(key, 0)} for key, _low, _high in TTC_BINS]}


def summary(user: User, filters: StatsFilters) -> dict[str, Any]:
    """``GET /api/v1/stats/summary`` (SPEC §7), exactly its fields."""
    traces = trace_figures(user, filters)
    ttc = time_to_crime(user, filters)
    firearms = firearm_counts(user, filters)
    return {
        "seizures": seizure_count(user, filters),
        "firearms": firearms["firearms"],
        "trace_requests": traces["trace_requests"],
        "outcomes": traces["outcomes"],
        "us_sourced_pct": traces["us_sourced_pct"],
        "top_source_states": top_source_states(user, filters),
        "median_ttc_days": ttc["median_ttc_days"],
        "short_ttc_pct": ttc["short_ttc_pct"],
        "by_type": firearms["by_type"],
        "by_seizure_state": firearms["by_seizure_state"],
    }


def backlog_by_agency(user: User, filters: StatsFilters, today: date | None = None) -> list[dict[str, Any]]:
    """Firearms in scope with no trace request or only a draft, per owning agency and age band
    (days since the seizure), the agencies with most first."""
    today = today or local_today()
    band = case(*[(Seizure.seized_on > today - timedelta(days=high), literal(key))
                  for key, (_low, high) in AGE_BANDS.items() if high is not None],
                else_=literal("over_365")).label("band")
    requested = select(TraceRequest.id).where(TraceRequest.firearm_id == Firearm.id,
                                              TraceRequest.status != "draft").exists()
    rows = db.session.execute(_firearms(user, filters, Firearm.agency_id, band, func.count()).where(~requested)
                              .group_by(Firearm.agency_id, band)).all()
    acronyms = dict(db.session.execute(select(Agency.id, Agency.acronym)
                                       .where(Agency.id.in_({row[0] for row in rows}))).all()) if rows else {}
    table: dict[int, dict[str, Any]] = {}
    for agency_id, key, n in rows:
        line = table.setdefault(agency_id, {"agency": acronyms.get(agency_id, ""), "total": 0,
                                            **{name: 0 for name in AGE_BANDS}})
        line[key] += int(n)
        line["total"] += int(n)
    return sorted(table.values(), key=lambda line: (-line["total"], line["agency"]))


def cases_in_review(user: User) -> int:
    """Cases in scope waiting for a supervisor's review (status ``in_review``)."""
    return db.session.scalar(select(func.count(Case.id)).where(agency_scope(user, Case.owner_agency_id),
                                                               Case.status == "in_review")) or 0


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    filters: StatsFilters
    summary: dict[str, Any]
    months: list[dict[str, Any]] = field(default_factory=list)
    calibers: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, list] = field(default_factory=dict)
    ttc: dict[str, Any] = field(default_factory=dict)
    backlog: list[dict[str, Any]] = field(default_factory=list)
    in_review: int = 0


def dashboard(user: User, filters: StatsFilters) -> Dashboard:
    """The dashboard's figures: the summary, by month, calibers, sources, time to crime, the backlog."""
    traces = trace_figures(user, filters)
    ttc = time_to_crime(user, filters)
    sources = top_sources(user, filters)
    totals = {
        "seizures": seizure_count(user, filters), **firearm_counts(user, filters),
        **traces, "top_source_states": sources["states"], "median_ttc_days": ttc["median_ttc_days"],
        "short_ttc_pct": ttc["short_ttc_pct"],
    }
    return Dashboard(filters, totals, by_month(user, filters), firearms_by_caliber(user, filters), sources, ttc,
                     backlog_by_agency(user, filters), cases_in_review(user))
