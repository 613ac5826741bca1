"""The counters the database keeps for the dashboards, the map and ``stats/summary``.

Each rollup table counts rows of the registers — seizures, firearms, trace requests — per
owning agency, seizure state and seizure date, and per a few columns of its own (``dims``).
The seizure date is held at four grains: all time (``a``), the year (``y``), the month
(``m``) and the day (``d``). A date range is read as whole years, whole months and the
days at its ends (``periods``), so a figure sums a few thousand counters however large
the register is.

Triggers keep the counters, in the same transaction as the change:

- on PostgreSQL, one trigger per table and event, ``FOR EACH STATEMENT`` with transition
  tables: a ``COPY`` of 50,000 imported firearms is one grouped upsert per rollup;
- on SQLite, the embedded default with one writer, row-level triggers; a bulk insert
  (``core.bulk_write.insert_numbered``: an import, the demo data) skips the insert triggers
  and counts its new rows in one grouped upsert per rollup afterwards (``count_inserted``).

A change adds what its new rows count and takes away what its old rows counted; writers
only ever add to a counter (the upsert's row lock orders concurrent ones, taken in key
order), never recount. An update of a seizure or a firearm moves what the rows counted
through it (a seizure's state moves its firearms and their traces). A case's owning
agency never changes once the case is created, so cases carry no trigger.

``refill`` recounts every rollup from the registers: after a revision, and as
``flask stats rebuild`` to repair. Tests prove the triggers keep what a recount finds.
A revision that rebuilds ``seizures``, ``firearms`` or ``trace_requests`` on SQLite (batch
mode copies the table and loses its triggers) must call ``install`` again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial

from sqlalchemy import Connection, inspect, text

from tracer.core.bulk_write import BULK_WRITES, after_bulk_insert, unless_bulk_writing

# The period of the all-time grain, and the first and last days a range may reach.
ALL_TIME = date(1900, 1, 1)
LAST_DAY = date(9999, 12, 31)
GRAINS = ("a", "y", "m", "d")
TTC_BUCKET_DAYS = 30
# Time-to-crime bin edges in days (tracer.stats.services.TTC_BINS): no bucket spans two bins.
TTC_EDGES = (0, 365, 1095, 1826, 3652, 7305)

# The columns of each register a rollup reads (the row a SQLite trigger names NEW or OLD).
COLUMNS = {
    "seizures": ("id", "case_id", "seized_on", "state_code", "municipality_code"),
    "firearms": ("id", "seizure_id", "agency_id", "firearm_type", "caliber_id", "caliber_text"),
    "trace_requests": ("id", "firearm_id", "agency_id", "status", "outcome", "ffl_name", "ffl_state", "ffl_city",
                       "ffl_license", "origin_latitude", "origin_longitude", "purchase_date", "time_to_crime_days"),
}


@dataclass(frozen=True)
class Source:
    """Rows of ``root`` with the seizure they belong to: ``tables`` are every register read
    (root first), written ``{table}`` in ``joined`` so that a trigger can put its rows there."""

    root: str
    tables: tuple[str, ...]
    joined: str
    agency: str


SEIZURE = Source("seizures", ("seizures",), "{seizures} s JOIN cases c ON c.id = s.case_id", "c.owner_agency_id")
FIREARM = Source("firearms", ("firearms", "seizures"), "{firearms} f JOIN {seizures} s ON s.id = f.seizure_id",
                 "f.agency_id")
TRACE = Source("trace_requests", ("trace_requests", "firearms", "seizures"),
               "{trace_requests} t JOIN {firearms} f ON f.id = t.firearm_id JOIN {seizures} s ON s.id = f.seizure_id",
               "t.agency_id")
US_SOURCED = "t.status = 'completed' AND t.outcome IN ('us_retail', 'us_other')"


@dataclass(frozen=True)
class Part:
    """What one source adds to a rollup: ``sign`` per row kept by ``where`` (none when not
    ``counted``), keyed by ``dims`` (SQL expressions, in the rollup's order), and the ``sums``
    (SQL expressions) it adds, times ``sign``."""

    source: Source
    dims: tuple[str, ...] = ()
    where: str = "TRUE"
    sign: int = 1
    sums: tuple[str, ...] = ()
    agency: str | None = None
    counted: bool = True


@dataclass(frozen=True)
class Rollup:
    """A rollup table. With ``totals``, its counters are also kept over every agency (agency 0)
    and over every state (state ''), for the rollups whose own columns are many (dealers,
    corridors): a federal reader or a reader of every state then reads one row per key."""

    table: str
    dims: tuple[str, ...]
    parts: tuple[Part, ...]
    sums: tuple[str, ...] = ()
    totals: bool = False


def _ttc_bucket(days: str) -> str:
    """The lowest day of the ``TTC_BUCKET_DAYS`` bucket of ``days`` inside its bin."""
    branches = [f"WHEN {days} < {high} THEN {low} + (({days} - {low}) / {TTC_BUCKET_DAYS}) * {TTC_BUCKET_DAYS}"
                for low, high in zip(TTC_EDGES, TTC_EDGES[1:])]
    last = TTC_EDGES[-1]
    return (f"CASE {' '.join(branches)} ELSE {last} + (({days} - {last}) / {TTC_BUCKET_DAYS}) * "
            f"{TTC_BUCKET_DAYS} END")


def ttc_bucket_end(low: int) -> int:
    """The first day after the bucket that starts at ``low``."""
    following = [edge for edge in TTC_EDGES if edge > low]
    return min(low + TTC_BUCKET_DAYS, following[0]) if following else low + TTC_BUCKET_DAYS


ROLLUPS = (
    Rollup("stats_seizures", (), (Part(SEIZURE),)),
    Rollup("stats_seizure_places", ("municipality_code",), (Part(SEIZURE, ("COALESCE(s.municipality_code, '')",)),)),
    # With the firearms whose trace is not requested (``untraced``): each firearm counts one,
    # its request (one per firearm) takes it away once it is more than a draft.
    Rollup("stats_firearms", ("firearm_type",),
           (Part(FIREARM, ("f.firearm_type",), sums=("1",)),
            Part(TRACE, ("f.firearm_type",), "t.status <> 'draft'", sign=-1, sums=("1",), agency="f.agency_id",
                 counted=False)),
           sums=("untraced",)),
    Rollup("stats_calibers", ("caliber_id", "caliber_text"),
           (Part(FIREARM, ("COALESCE(f.caliber_id, 0)",
                           "CASE WHEN f.caliber_id IS NULL THEN COALESCE(f.caliber_text, '') ELSE '' END")),)),
    Rollup("stats_traces", ("status", "outcome"), (Part(TRACE, ("t.status", "COALESCE(t.outcome, '')")),)),
    Rollup("stats_sources", ("ffl_state", "ffl_city"),
           (Part(TRACE, ("COALESCE(t.ffl_state, '')", "COALESCE(t.ffl_city, '')"), US_SOURCED,
                 sums=("CASE WHEN t.origin_latitude IS NOT NULL THEN 1 ELSE 0 END",
                       "COALESCE(t.origin_latitude, 0)", "COALESCE(t.origin_longitude, 0)")),),
           sums=("placed", "latitude_sum", "longitude_sum"), totals=True),
    Rollup("stats_dealers", ("ffl_license", "ffl_name", "ffl_state", "ffl_city"),
           (Part(TRACE, ("t.ffl_license", "COALESCE(t.ffl_name, '')", "COALESCE(t.ffl_state, '')",
                         "COALESCE(t.ffl_city, '')"), f"{US_SOURCED} AND t.ffl_license IS NOT NULL"),),
           totals=True),
    Rollup("stats_corridors", ("ffl_state", "ffl_city", "to_state", "municipality_code"),
           (Part(TRACE, ("COALESCE(t.ffl_state, '')", "t.ffl_city", "s.state_code",
                         "COALESCE(s.municipality_code, '')"),
                 f"{US_SOURCED} AND t.origin_latitude IS NOT NULL AND t.ffl_city IS NOT NULL",
                 sums=("t.origin_latitude", "t.origin_longitude")),),
           sums=("latitude_sum", "longitude_sum"), totals=True),
    Rollup("stats_time_to_crime", ("bucket",),
           (Part(TRACE, (_ttc_bucket("t.time_to_crime_days"),),
                 "t.status = 'completed' AND t.purchase_date IS NOT NULL AND t.time_to_crime_days IS NOT NULL"),),
           totals=True),
)
BY_TABLE = {rollup.table: rollup for rollup in ROLLUPS}


# --- the SQL ----------------------------------------------------------------------------------------------


def _contribution(rollup: Rollup, part: Part, rows: dict[str, str], sign: int) -> str:
    """``SELECT`` of what ``part`` counts over its source, with ``rows`` standing for some registers."""
    names = {table: rows.get(table, table) for table in ("seizures", "firearms", "trace_requests")}
    sign *= part.sign
    columns = [f"{part.agency or part.source.agency} AS agency_id", "s.state_code AS state_code", "s.seized_on AS day"]
    columns += [f"{expression} AS {name}" for expression, name in zip(part.dims, rollup.dims)]
    columns.append(f"{sign if part.counted else 0} AS n")
    sums = part.sums or ("0",) * len(rollup.sums)
    columns += [f"{sign} * ({expression}) AS {name}" for expression, name in zip(sums, rollup.sums)]
    # Every name and expression is this module's constant; no value of a request reaches the SQL.
    return f"SELECT {', '.join(columns)} FROM {part.source.joined.format(**names)} WHERE {part.where}"  # nosec B608


def _period(dialect: str) -> str:
    if dialect == "postgresql":
        return ("CASE g.grain WHEN 'a' THEN DATE '1900-01-01' WHEN 'y' THEN date_trunc('year', x.day)::date "
                "WHEN 'm' THEN date_trunc('month', x.day)::date ELSE x.day END")
    return ("CASE g.grain WHEN 'a' THEN '1900-01-01' WHEN 'y' THEN date(x.day, 'start of year') "
            "WHEN 'm' THEN date(x.day, 'start of month') ELSE x.day END")


def _grains(dialect: str) -> str:
    if dialect == "postgresql":
        return "(VALUES ('a'), ('y'), ('m'), ('d')) AS g (grain)"
    return "(SELECT 'a' AS grain UNION ALL SELECT 'y' UNION ALL SELECT 'm' UNION ALL SELECT 'd') AS g"


def _totals(dialect: str) -> str:
    """Whether a counter keeps the agency (``v.agency``) and the state (``v.state``) or stands for all."""
    if dialect == "postgresql":
        return "(VALUES (1, 1), (0, 1), (1, 0), (0, 0)) AS v (agency, state)"
    return ("(SELECT 1 AS agency, 1 AS state UNION ALL SELECT 0, 1 UNION ALL SELECT 1, 0 "
            "UNION ALL SELECT 0, 0) AS v")


def _upsert(rollup: Rollup, contributions: list[str], dialect: str, fresh: bool = False, one_row: bool = False) -> str:
    """One statement adding ``contributions`` to ``rollup`` at every grain (``fresh``: into an empty
    table; ``one_row``: the contributions of one row, a SQLite row trigger's)."""
    keys = ["grain", "period", "agency_id", "state_code", *rollup.dims]
    values = ["n", *rollup.sums]
    agency, state, totals = "x.agency_id", "x.state_code", ""
    if rollup.totals:
        agency = "CASE WHEN v.agency = 1 THEN x.agency_id ELSE 0 END"
        state = "CASE WHEN v.state = 1 THEN x.state_code ELSE '' END"
        totals = f" CROSS JOIN {_totals(dialect)}"
    chosen = ["g.grain", f"{_period(dialect)} AS period", agency, state,
              *[f"x.{name}" for name in rollup.dims], *[f"sum(x.{name})" for name in values]]
    positions = ", ".join(str(index) for index in range(1, len(keys) + 1))
    rows = " UNION ALL ".join(contributions)
    if not one_row:
        # Many rows (a recount, a statement's rows, a bulk insert's) share a day: they are summed
        # per agency, state, day and key first, and only those sums are spread over the grains
        # (and totals), so the cross join, its sort and the upsert's grouping handle a fraction
        # of the rows. A SQLite row trigger sees one row, which has nothing to sum.
        grouped = ["agency_id", "state_code", "day", *rollup.dims]
        rows = (f"SELECT {', '.join(grouped)}, {', '.join(f'sum({name}) AS {name}' for name in values)} "  # nosec B608
                f"FROM ({rows}) AS u GROUP BY {', '.join(grouped)}")
    statement = (f"INSERT INTO {rollup.table} ({', '.join(keys + values)}) SELECT {', '.join(chosen)} "  # nosec B608
                 f"FROM ({rows}) AS x CROSS JOIN {_grains(dialect)}{totals} "
                 f"WHERE 1 = 1 GROUP BY {positions}")
    if fresh:
        return statement
    statement += " HAVING " + " OR ".join(f"sum(x.{name}) <> 0" for name in values)
    if dialect == "postgresql":
        statement += f" ORDER BY {positions}"  # every writer locks counters in the same order
    updates = ", ".join(f"{name} = {rollup.table}.{name} + excluded.{name}" for name in values)
    return f"{statement} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"  # nosec B608 (constants)


def _changes(table: str, event: str, new: str, old: str) -> list[tuple[Rollup, list[str]]]:
    """For each rollup that a statement of ``event`` on ``table`` moves: its contributions, with
    ``new`` and ``old`` standing for the rows after and before."""
    found = []
    for rollup in ROLLUPS:
        contributions = []
        for part in rollup.parts:
            if event in ("INSERT", "DELETE") and part.source.root != table:
                continue  # rows above the root: none of it yet (insert) or any more (foreign keys)
            if table not in part.source.tables:
                continue
            if event != "DELETE":
                contributions.append(_contribution(rollup, part, {table: new}, 1))
            if event != "INSERT":
                contributions.append(_contribution(rollup, part, {table: old}, -1))
        if contributions:
            found.append((rollup, contributions))
    return found


EVENTS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_row(table: str, which: str) -> str:
    return "(SELECT " + ", ".join(f"{which}.{column} AS {column}" for column in COLUMNS[table]) + ")"


def install(connection: Connection) -> None:
    """Create the triggers that keep every rollup (replacing any of the same name)."""
    dialect = connection.dialect.name
    uninstall(connection)
    for table in COLUMNS:
        for event in EVENTS:
            name = f"stats_{table}_{event.lower()}"
            if dialect == "postgresql":
                statements = [_upsert(rollup, contributions, dialect)
                              for rollup, contributions in _changes(table, event, "new_rows", "old_rows")]
                body = ";\n".join(statements)
                connection.execute(text(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$ "
                                        f"BEGIN {body}; RETURN NULL; END $body$"))
                referencing = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                               "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[event]
                connection.execute(text(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                                        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"))
            else:
                statements = [_upsert(rollup, contributions, dialect, one_row=True) for rollup, contributions in
                              _changes(table, event, _sqlite_row(table, "NEW"), _sqlite_row(table, "OLD"))]
                # A revision before the one that made ``bulk_writes`` installs triggers that never skip.
                when = (f"WHEN {unless_bulk_writing(table)} "
                        if event == "INSERT" and inspect(connection).has_table(BULK_WRITES.name) else "")
                connection.execute(text(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}BEGIN "
                                        + "".join(f"{statement}; " for statement in statements) + "END"))


@lru_cache(maxsize=None)
def _inserted_statements(table: str) -> tuple:
    rows = f"(SELECT {', '.join(COLUMNS[table])} FROM {table} WHERE id BETWEEN :first AND :last)"  # nosec B608
    return tuple(text(_upsert(rollup, contributions, "sqlite"))
                 for rollup, contributions in _changes(table, "INSERT", rows, rows))


def count_inserted(table: str, connection: Connection, first: int, last: int) -> None:
    """Count the rows ``first`` to ``last`` (ids) just inserted into ``table`` on SQLite, whose
    insert triggers skipped them (a bulk insert): what the triggers would have added, in one
    grouped upsert per rollup."""
    for statement in _inserted_statements(table):
        connection.execute(statement, {"first": first, "last": last})


for _table in COLUMNS:
    after_bulk_insert(_table)(partial(count_inserted, _table))


def uninstall(connection: Connection) -> None:
    """Drop the triggers (and on PostgreSQL their functions)."""
    for table in COLUMNS:
        for event in EVENTS:
            name = f"stats_{table}_{event.lower()}"
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
                connection.execute(text(f"DROP FUNCTION IF EXISTS {name}()"))
            else:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


def refill(connection: Connection) -> None:
    """Recount every rollup from the registers."""
    dialect = connection.dialect.name
    for rollup in ROLLUPS:
        connection.execute(text(f"DELETE FROM {rollup.table}"))  # nosec B608 (a table of ROLLUPS)
        contributions = [_contribution(rollup, part, {}, 1) for part in rollup.parts]
        connection.execute(text(_upsert(rollup, contributions, dialect, fresh=True)))
        # A part that takes away (the requests of the untraced firearms) may leave a counter at zero.
        connection.execute(text(f"DELETE FROM {rollup.table} WHERE n = 0"))  # nosec B608 (a table of ROLLUPS)


# --- reading ----------------------------------------------------------------------------------------------


def _month_end(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)


def _after(day: date) -> date | None:
    return None if day >= LAST_DAY else day + timedelta(days=1)


def periods(date_from: date | None, date_to: date | None, years: bool = True) -> list[tuple[str, date, date]]:
    """The grains and period ranges (first and last period, both included) that cover the
    seizure dates from ``date_from`` to ``date_to`` (None: no limit) exactly once. Without
    ``years``, whole years are read as their months (to count by month)."""
    if date_from is None and date_to is None and years:
        return [("a", ALL_TIME, ALL_TIME)]
    low, high = max(date_from or ALL_TIME, ALL_TIME), min(date_to or LAST_DAY, LAST_DAY)
    found: list[tuple[str, date, date]] = []
    current: date | None = low
    while current is not None and current <= high:
        if current.day == 1 and _month_end(current) <= high:
            if years and current.month == 1 and date(current.year, 12, 31) <= high:
                last = high.year if high == date(high.year, 12, 31) else high.year - 1
                found.append(("y", current, date(last, 1, 1)))
                current = _after(date(last, 12, 31))
                continue
            last_month = high.replace(day=1)
            if _month_end(high) != high:
                last_month = (last_month - timedelta(days=1)).replace(day=1)
            if years:
                last_month = min(last_month, date(current.year, 12, 1))
            found.append(("m", current, last_month))
            current = _after(_month_end(last_month))
            continue
        end = min(_month_end(current), high)
        found.append(("d", current, end))
        current = _after(end)
    return found
