"""The bench register's trace requests and results (an add-on to ``serial_data``).

The register of ``serial_data`` holds firearms but no traces; the dashboards, the map and
``stats/summary`` need them. ``ensure_traces`` writes, once (it does nothing when they are
there):

- the places of the seizures: an INEGI municipality of the seizure's state for each seizure
  that has none (most seizures in a few large municipalities, like real registers);
- a US partner office (``ATF-MX``) when the register has none;
- ``TRACES`` trace requests (three firearms in ten), drawn with the demo's published shape
  (``tracer.tracing.demo_data``): 5% drafts, 12% waiting for the partner, of the answered
  ones 22% without result; outcomes by country of manufacture; dealers from
  ``DEALERS`` FFL licences across the source states, in real cities (gazetteer) with their
  coordinates as origin points; purchase dates and time to crime; multiple-sale flags.

Rows are generated in Python with a seeded generator and written with COPY.
"""
from __future__ import annotations

import io
import json
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

TRACES = 300_000
DEALERS = 3_000
OFFICE = "ATF-MX"
DRAFT_SHARE = 0.05
COLUMNS = ("trace_number", "firearm_id", "case_id", "agency_id", "requesting_agency_id", "addressed_to_id", "status",
           "priority", "identifiers", "submitted_at", "outcome", "no_trace_reason", "ffl_name", "ffl_license",
           "ffl_street", "ffl_city", "ffl_state", "ffl_zip", "origin_latitude", "origin_longitude", "origin_source",
           "purchase_date", "multiple_sale", "time_to_crime_days", "result_at", "version", "created_at",
           "updated_at")


def traces_ready() -> bool:
    from tracer.extensions import db

    count = db.session.scalar(text("SELECT count(*) FROM trace_requests"))
    db.session.rollback()
    return count >= TRACES


def _dealers(rng: random.Random) -> list:
    """``DEALERS`` dealers spread over the source states by their share of traces."""
    from tracer.geo.catalog import us_city
    from tracer.tracing import demo_data as figures

    total = sum(share for _state, share in figures.SOURCE_STATES)
    pools = figures.dealers(2026)
    made = []
    for state, share in figures.SOURCE_STATES:
        shapes = pools[state]
        for number in range(max(3, round(DEALERS * share / total))):
            model = shapes[number % len(shapes)]
            city = rng.choice(figures.DEALER_CITIES[state])
            place = us_city(state, city)
            licence = f"{model.license[:-5]}{(number * 7919 + 10007) % 90000 + 10000:05d}"
            made.append((state, f"{model.name.split(' ')[0]} {number} {city}", licence, model.street, city,
                         model.zip, place.latitude, place.longitude))
    return made


def _place_seizures(session) -> None:
    """An INEGI municipality for each seizure without one: the state's municipalities, the first
    (largest) ones most often."""
    from tracer.geo.catalog import municipalities, states

    rows = []
    for code in states():
        places = sorted(municipalities(code), key=lambda m: -(m.population or 0))[:40]
        rows += [(code, rank, m.code) for rank, m in enumerate(places)]
    session.execute(text("CREATE TEMP TABLE bench_places (state_code text, rank int, code text) ON COMMIT DROP"))
    cursor = session.connection().connection.cursor()
    with cursor.copy("COPY bench_places FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    session.execute(text("ANALYZE bench_places"))
    session.execute(text(
        "WITH counts AS (SELECT state_code, count(*) AS n FROM bench_places GROUP BY state_code), "
        "picks AS MATERIALIZED (SELECT id, state_code, floor(-ln(1 - random() * 0.999) * 6)::int AS r "
        "FROM seizures WHERE municipality_code IS NULL) "
        "UPDATE seizures s SET municipality_code = p.code FROM picks "
        "JOIN counts c ON c.state_code = picks.state_code "
        "JOIN bench_places p ON p.state_code = picks.state_code AND p.rank = least(picks.r, c.n - 1) "
        "WHERE s.id = picks.id"))


def _office(session) -> int:
    session.execute(text(
        "INSERT INTO agencies (name, acronym, level, state_code, contact_name, contact_phone, active, "
        "created_at, updated_at) SELECT 'ATF Mexico City Office', CAST(:acronym AS varchar), 'us', NULL, 'ATF Mexico', "
        "'+52 55 5080 2000', true, now(), now() WHERE NOT EXISTS (SELECT 1 FROM agencies WHERE acronym = :acronym)"),
        {"acronym": OFFICE})
    return session.scalar(text("SELECT id FROM agencies WHERE acronym = :acronym"), {"acronym": OFFICE})


def _value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _firearms(session) -> list:
    """Three firearms in ten, in id order, with their seizure's date and place (read whole
    first: the connection then carries the COPY)."""
    return session.execute(text(
        "SELECT f.id, f.case_id, f.agency_id, f.firearm_type, s.seized_on, s.state_code, s.municipality_code "
        "FROM firearms f JOIN seizures s ON s.id = f.seizure_id WHERE f.id % 10 IN (1, 4, 7) ORDER BY f.id "
        f"LIMIT {TRACES}")).all()


def _rows(firearms: list, office: int, rng: random.Random):
    """One COPY line per request."""
    from itertools import accumulate

    from tracer.tracing import demo_data as figures

    dealers = _dealers(rng)
    # A few busy dealers in each state, many small ones.
    cumulative = list(accumulate(1.0 / (1 + index % 40) for index in range(len(dealers))))
    now = datetime.now(timezone.utc)
    for number, (firearm_id, case_id, agency_id, kind, seized_on, state, municipality) in enumerate(firearms, 1):
        submitted = datetime.combine(seized_on, datetime.min.time(), timezone.utc) + timedelta(
            days=figures.request_delay(rng), hours=rng.randint(15, 23))
        identifiers = json.dumps({"firearm_type": kind, "seized_on": seized_on.isoformat(), "state": state,
                                  "municipality": municipality})
        values = dict.fromkeys(COLUMNS)
        values.update(trace_number=f"RB-{number:09d}", firearm_id=firearm_id, case_id=case_id, agency_id=agency_id,
                      requesting_agency_id=agency_id, addressed_to_id=office, identifiers=identifiers,
                      priority="urgent" if rng.random() < 0.1 else "routine", version=1, created_at=submitted,
                      updated_at=submitted)
        draw = rng.random()
        if draw < DRAFT_SHARE:
            values.update(status="draft")
        elif draw < DRAFT_SHARE + figures.PENDING_SHARE:
            values.update(status="submitted", submitted_at=submitted)
        else:
            result_at = min(submitted + timedelta(days=figures.result_delay(rng)), now)
            values.update(submitted_at=submitted, result_at=result_at, updated_at=result_at)
            if rng.random() < figures.NO_TRACE_SHARE:
                values.update(status="no_trace", outcome="no_trace",
                              no_trace_reason=figures.no_trace_reason(rng, "intact"))
            else:
                outcome = figures.outcome(rng, "US" if rng.random() < 0.8 else "CN")
                values.update(status="completed", outcome=outcome)
                if outcome == "us_retail" or (outcome == "us_other" and rng.random() < 0.5):
                    state_code, name, licence, street, city, zip_code, lat, lon = rng.choices(dealers, cum_weights=cumulative)[0]
                    values.update(ffl_name=name, ffl_license=licence, ffl_street=street, ffl_city=city,
                                  ffl_state=state_code, ffl_zip=zip_code, origin_latitude=lat, origin_longitude=lon,
                                  origin_source="gazetteer")
                    if outcome == "us_retail":
                        bought = figures.purchase_date(rng, seized_on)
                        values.update(purchase_date=bought, time_to_crime_days=(seized_on - bought).days,
                                      multiple_sale=figures.multiple_sale(rng, kind, state_code))
        yield "\t".join(_value(values[name]) for name in COLUMNS) + "\n"


def ensure_traces(seed: int = 2026) -> str:
    """Write the seizures' places and the trace requests when the register has none yet."""
    from tracer.extensions import db

    if traces_ready():
        return f"trace requests reused: {TRACES:,}"
    began = time.perf_counter()
    session = db.session
    rng = random.Random(f"BENCH-TRACES:{seed}")
    _place_seizures(session)
    office = _office(session)
    session.execute(text("DELETE FROM trace_requests"))
    firearms = _firearms(session)
    cursor = session.connection().connection.cursor()
    buffer = io.StringIO()
    with cursor.copy(f"COPY trace_requests ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for line in _rows(firearms, office, rng):
            buffer.write(line)
            if buffer.tell() > 1 << 20:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE seizures"))
        connection.execute(text("VACUUM ANALYZE trace_requests"))
    return f"trace requests written: {TRACES:,} in {time.perf_counter() - began:.1f} s"
