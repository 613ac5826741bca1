"""The figures of the dashboards and of ``stats/summary`` (SPEC §7), over a user's scope.

Every figure sums the counters the database keeps (``tracer.stats.rollups``): per owning
agency (``agency_scope``), seizure state and seizure date, read as whole years, months and
days, so that its cost does not grow with the registers. Only the median time to crime
reads traces, those of the one counter bucket that holds it. Every read goes through
``read_session``: the read replica when ``TRACER_REPLICA_DATABASE_URL`` names one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, false, func, literal_column, select, union_all

from tracer.auth.models import Agency, User
from tracer.auth.scope import agency_scope, sees_every_agency
from tracer.cases.models import Case
from tracer.core.database import read_session
from tracer.core.time import local_today
from tracer.firearms.models import FIREARM_TYPES, Caliber, Firearm
from tracer.seizures.models import Seizure
from tracer.stats.filters import StatsFilters
from tracer.stats.models import (caliber_counts, dealer_counts, seizure_counts, source_counts,
                                 time_to_crime_counts, trace_counts)
from tracer.stats.models import firearm_counts as firearm_counts_table
from tracer.stats.rollups import BY_TABLE, periods, ttc_bucket_end
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


def _counted(statement: Select) -> list[tuple[Any, int]]:
    return [(key, int(count)) for key, count in read_session().execute(statement)]


def read_counters(user: User, filters: StatsFilters, table, *keys, sums: tuple[str, ...] = (),
                  maxima: tuple[str, ...] = (), where: tuple = (), years: bool = True) -> Select:
    """``SELECT`` of ``keys`` (columns of the rollup ``table``), the summed counter ``n``, the
    sums of ``sums`` and the largest of ``maxima`` (all named as the columns), over the user's
    scope, the filters and the conditions ``where``, grouped by ``keys``: the keys that count
    something (a counter whose rows all moved elsewhere stays at zero until a recount).

    The seizure dates are read as whole years, months and days (``rollups.periods``), each
    range in a ``SELECT`` of its own (so that each goes along the table's index alone), and
    summed together."""
    names = [key.name for key in keys]
    chosen = [table.c[name] for name in dict.fromkeys([*names, "n", *sums, *maxima])]
    conditions = [table.c.n != 0, *where]
    if BY_TABLE[table.name].totals:
        # Its counters over every agency (0) and every state (''): one of the four is the reader's.
        conditions += [table.c.agency_id == 0 if sees_every_agency(user) else agency_scope(user, table.c.agency_id),
                       table.c.state_code == (filters.state or "")]
    else:
        conditions.append(agency_scope(user, table.c.agency_id))
        if filters.state:
            conditions.append(table.c.state_code == filters.state)
    parts = [select(*chosen).where(table.c.grain == grain, table.c.period.between(first, last), *conditions)
             for grain, first, last in periods(filters.date_from, filters.date_to, years)]
    if not parts:  # a range that ends before it starts: nothing
        parts = [select(*chosen).where(false())]
    counted = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("counted")
    count = func.sum(counted.c.n)
    statement = select(*[counted.c[name] for name in names], count.label("n"),
                       *[func.sum(counted.c[name]).label(name) for name in sums],
                       *[func.max(counted.c[name]).label(name) for name in maxima])
    if names:
        statement = statement.group_by(*[counted.c[name] for name in names])
    return statement.having(count > 0)


def seizure_count(user: User, filters: StatsFilters) -> int:
    """Seizures of cases in scope."""
    return int(read_session().scalar(read_counters(user, filters, seizure_counts)) or 0)


def firearm_counts(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Firearms in all, per type (every type named, zero included) and per seizure state (most
    first), from one statement grouped by type and state."""
    table = firearm_counts_table
    rows = read_session().execute(read_counters(user, filters, table, table.c.firearm_type,
                                                table.c.state_code)).all()
    by_type = dict.fromkeys(FIREARM_TYPES, 0)
    by_state: dict[str, int] = {}
    for kind, state, n in rows:
        by_type[kind] = by_type.get(kind, 0) + int(n)
        by_state[state] = by_state.get(state, 0) + int(n)
    return {"firearms": sum(by_type.values()), "by_type": by_type,
            "by_seizure_state": [{"state": state, "count": n}
                                 for state, n in sorted(by_state.items(), key=lambda item: (-item[1], item[0]))]}


def firearms_by_caliber(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """Firearms per caliber (the reference name, else as written), most first, the top ones."""
    counted = read_counters(user, filters, caliber_counts, caliber_counts.c.caliber_id,
                            caliber_counts.c.caliber_text).subquery()
    name = func.coalesce(Caliber.name, counted.c.caliber_text).label("caliber")
    count = func.sum(counted.c.n).label("count")
    statement = (select(name, count).select_from(counted).outerjoin(Caliber, Caliber.id == counted.c.caliber_id)
                 .group_by(name).order_by(count.desc(), name).limit(TOP))
    return [{"caliber": caliber, "count": n} for caliber, n in _counted(statement)]


def _months(user: User, filters: StatsFilters, table) -> dict[str, int]:
    """The counter ``n`` of ``table`` per month (``YYYY-MM``), from its month and day counters."""
    months: dict[str, int] = {}
    for period, n in read_session().execute(read_counters(user, filters, table, table.c.period, years=False)):
        key = period.isoformat()[:7] if isinstance(period, date) else str(period)[:7]
        months[key] = months.get(key, 0) + int(n)
    return months


def by_month(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """Seizures and firearms per month of the seizure date (``YYYY-MM``), oldest first."""
    seizures = _months(user, filters, seizure_counts)
    firearms = _months(user, filters, firearm_counts_table)
    return [{"month": key, "seizures": seizures.get(key, 0), "firearms": firearms.get(key, 0)}
            for key in sorted(set(seizures) | set(firearms))]


def trace_figures(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Trace requests, answers per outcome and the US-sourced share (SPEC §7 ``us_sourced_pct``:
    us_retail and us_other over completed traces whose outcome is not no_trace), from one
    statement grouped by status and outcome."""
    rows = read_session().execute(read_counters(user, filters, trace_counts, trace_counts.c.status,
                                                trace_counts.c.outcome)).all()
    outcomes = dict.fromkeys(TRACE_OUTCOMES, 0)
    for status, outcome, n in rows:
        if status in ANSWERED and outcome:
            outcomes[outcome] += int(n)
    traced = sum(n for name, n in outcomes.items() if name != "no_trace")
    return {"trace_requests": sum(int(n) for _status, _outcome, n in rows), "outcomes": outcomes,
            "us_sourced_pct": percent(sum(outcomes[name] for name in US_OUTCOMES), traced)}


def top_source_states(user: User, filters: StatsFilters) -> list[dict[str, Any]]:
    """SPEC §7 ``top_source_states``: completed US-sourced traces by the dealer's state, most first."""
    state = source_counts.c.ffl_state
    statement = read_counters(user, filters, source_counts, state, where=(state != "",))
    statement = statement.order_by(literal_column("n").desc(), literal_column("ffl_state")).limit(TOP)
    return [{"state": key, "count": n} for key, n in _counted(statement)]


def top_sources(user: User, filters: StatsFilters) -> dict[str, list[dict[str, Any]]]:
    """The dealers' states, cities and dealers of US-sourced traces, most first."""
    table, most = source_counts, literal_column("n").desc()
    cities = read_session().execute(read_counters(user, filters, table, table.c.ffl_city, table.c.ffl_state,
                                                  where=(table.c.ffl_city != "",))
                                    .order_by(most, literal_column("ffl_state"), literal_column("ffl_city"))
                                    .limit(TOP)).all()
    dealers = read_session().execute(
        read_counters(user, filters, dealer_counts, dealer_counts.c.ffl_license,
                      maxima=("ffl_name", "ffl_city", "ffl_state"))
        .order_by(most, literal_column("ffl_license")).limit(TOP)).all()
    return {
        "states": top_source_states(user, filters),
        "cities": [{"city": city, "state": state, "count": int(n)} for city, state, n in cities],
        "dealers": [{"license": licence, "name": name or None, "city": city or None, "state": state or None,
                     "count": int(n)} for licence, n, name, city, state in dealers],
    }


def _dated(user: User, filters: StatsFilters) -> Select:
    """The completed traces in scope with a purchase date and a time to crime."""
    statement = select(TraceRequest.time_to_crime_days).where(
        agency_scope(user, TraceRequest.agency_id), TraceRequest.status == "completed",
        TraceRequest.purchase_date.is_not(None), TraceRequest.time_to_crime_days.is_not(None))
    if filters.narrows:
        statement = filters.apply(statement.join(Firearm, Firearm.id == TraceRequest.firearm_id)
                                  .join(Seizure, Seizure.id == Firearm.seizure_id))
    return statement


def _nth_day(user: User, filters: StatsFilters, buckets: list[tuple[int, int]], position: int) -> int:
    """The time to crime at ``position`` (from 0) in the ascending order of the dated traces: the
    bucket that holds it found in the counters, the day read inside that bucket."""
    before = 0
    for low, n in buckets:
        if position < before + n:
            days = TraceRequest.time_to_crime_days
            return read_session().scalar(_dated(user, filters).where(days >= low, days < ttc_bucket_end(low))
                                         .order_by(days).offset(position - before).limit(1))
        before += n
    raise ValueError(position)


def time_to_crime(user: User, filters: StatsFilters) -> dict[str, Any]:
    """Time to crime over completed traces with a purchase date: median, short share (under
    1,095 days) and the count per bin."""
    buckets = sorted((int(low), int(n)) for low, n in read_session().execute(
        read_counters(user, filters, time_to_crime_counts, time_to_crime_counts.c.bucket)))
    bins = dict.fromkeys((key for key, _low, _high in TTC_BINS), 0)
    for low, n in buckets:
        key = next(key for key, first, high in TTC_BINS if high is None or low < high)
        bins[key] += n
    total = sum(bins.values())
    short = sum(n for low, n in buckets if low < SHORT_TIME_TO_CRIME_DAYS)
    median: float | None = None
    if total:
        middle = [_nth_day(user, filters, buckets, position) for position in sorted({(total - 1) // 2, total // 2})]
        value = sum(middle) / len(middle)
        median = int(value) if float(value).is_integer() else round(value, 1)
    return {"median_ttc_days": median, "short_ttc_pct": percent(short, total), "dated": total,
            "bins": [{"bin": key, "count": bins[key]} for key, _low, _high in TTC_BINS]}


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
    table = firearm_counts_table
    table_rows: dict[int, dict[str, Any]] = {}
    for key, (low, high) in AGE_BANDS.items():
        newest = today - timedelta(days=low) if low else None
        oldest = today - timedelta(days=high - 1) if high is not None else None
        first = max((day for day in (oldest, filters.date_from) if day is not None), default=None)
        last = min((day for day in (newest, filters.date_to) if day is not None), default=None)
        if first is not None and last is not None and first > last:
            continue
        band = StatsFilters(first, last, filters.state)
        for agency_id, _n, n in read_session().execute(read_counters(user, band, table, table.c.agency_id,
                                                                     sums=("untraced",))):
            if not n:
                continue
            line = table_rows.setdefault(agency_id, {"total": 0, **{name: 0 for name in AGE_BANDS}})
            line[key] += int(n)
            line["total"] += int(n)
    if not table_rows:
        return []
    acronyms = dict(read_session().execute(select(Agency.id, Agency.acronym).where(Agency.id.in_(table_rows))).all())
    lines = [{"agency": acronyms.get(agency_id, ""), **line} for agency_id, line in table_rows.items()]
    return sorted(lines, key=lambda line: (-line["total"], line["agency"]))


def cases_in_review(user: User) -> int:
    """Cases in scope waiting for a supervisor's review (status ``in_review``)."""
    return read_session().scalar(select(func.count(Case.id)).where(agency_scope(user, Case.owner_agency_id),
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
