"""The bench's synthetic register: agencies of every state, 100,000 cases, 300,000 seizures,
1,000,000 firearms with serials of the shapes makers stamp, written by set-based SQL.

Serial shapes (share of firearms): three letters and three digits (Glock-like, 20%),
three letters and four digits (Smith & Wesson-like, 15%), three digits, a hyphen and
five digits (Ruger-like, 15%), two letters and six digits (12%), six to eight digits
(18%), three letters and six digits (Taurus-like, 10%), a year, two letters and four
digits (Norinco/AK-like, 10%). One firearm in a hundred has an obliterated serial
restored by the lab. The search keys are computed by the same SQL as the migration's
backfill (and, in the application, by ``serial_search_keys``).
"""
from __future__ import annotations

import time

from flask_migrate import upgrade
from sqlalchemy import text

SIZES = {"cases": 100_000, "seizures": 300_000, "firearms": 1_000_000}
BENCH_ANALYST = "bench.analyst"
LOOKALIKES_FROM, LOOKALIKES_TO = "ODQIL7ZSGBV", "0001112568U"

_LETTER = "chr(65 + floor(random() * 26)::int)"
# The position grams of a normalised serial (``serials.position_grams``), as the migration writes them.
_PREFIX = "length(norm)::text || 'x' || i::text || 'x' || lower(substr(norm, i + 1, 1))"
POSITIONS = (f"(SELECT string_agg('u' || {_PREFIX} "
             f"|| CASE WHEN i + 1 < length(norm) THEN ' a' || {_PREFIX} || lower(substr(norm, i + 2, 1)) ELSE '' END "
             f"|| CASE WHEN i + 2 < length(norm) THEN ' g' || {_PREFIX} || lower(substr(norm, i + 3, 1)) ELSE '' END, "
             f"' ' ORDER BY i) FROM generate_series(0, length(norm) - 1) AS i)::tsvector")


def _digits(count: int) -> str:
    return f"lpad(floor(random() * {10 ** count})::bigint::text, {count}, '0')"


def _letters(count: int) -> str:
    return " || ".join([_LETTER] * count)


SERIAL = f"""CASE
    WHEN shape < 0.20 THEN {_letters(3)} || {_digits(3)}
    WHEN shape < 0.35 THEN {_letters(3)} || {_digits(4)}
    WHEN shape < 0.50 THEN {_digits(3)} || '-' || {_digits(5)}
    WHEN shape < 0.62 THEN {_letters(2)} || {_digits(6)}
    WHEN shape < 0.80 THEN {_digits(6)} || CASE WHEN random() < 0.5 THEN {_digits(2)} ELSE '' END
    WHEN shape < 0.90 THEN {_letters(3)} || {_digits(6)}
    ELSE (1960 + floor(random() * 60)::int)::text || {_letters(2)} || {_digits(4)}
END"""


def _count(table: str) -> int:
    from tracer.extensions import db

    return db.session.scalar(text(f"SELECT count(*) FROM {table}"))


def dataset_ready() -> bool:
    """Whether the database holds the register at the head revision and the right size."""
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from tracer import ROOT
    from tracer.extensions import db

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    from alembic.autogenerate import compare_metadata

    from tracer.core.models import autogenerate_filter

    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_object": autogenerate_filter(connection.dialect.name)})
    # The same revision and the same schema as the models (an index changed in place counts too).
    if context.get_current_revision() != head or compare_metadata(context, db.metadata):
        db.session.rollback()
        return False
    ready = all(_count(table) == size for table, size in SIZES.items())
    db.session.rollback()
    return ready


def _step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {label}: {now - started:.1f} s", flush=True)
    return now


def build_dataset(seed: int) -> None:
    """Drop everything, migrate, and write the register (timed, step by step)."""
    from tracer.extensions import db
    from tracer.firearms.reference import load_reference_data

    print(f"generating {SIZES['cases']:,} cases, {SIZES['seizures']:,} seizures, {SIZES['firearms']:,} firearms")
    began = started = time.perf_counter()
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade()
    load_reference_data()
    db.session.commit()
    started = _step("schema (migrations) and reference lists", started)

    session = db.session
    session.execute(text("SET maintenance_work_mem = '1GB'"))
    session.execute(text("SET session_replication_role = replica"))  # rows are consistent by construction
    session.execute(text("SELECT setseed(:seed)"), {"seed": (seed % 1000) / 1000})
    session.execute(text(
        "INSERT INTO agencies (name, acronym, level, state_code, contact_name, contact_phone, active, "
        "created_at, updated_at) "
        "SELECT 'Fiscalía General de la República', 'FGR', 'federal', NULL, 'Mesa de deconflicción FGR', "
        "'+52 55 5346 0000', true, now(), now() "
        "UNION ALL SELECT 'Fiscalía del Estado ' || lpad(s::text, 2, '0'), 'FGE-' || lpad(s::text, 2, '0'), "
        "'state', lpad(s::text, 2, '0'), 'Enlace FGE-' || lpad(s::text, 2, '0'), '+52 55 0000 00' || "
        "lpad(s::text, 2, '0'), true, now(), now() FROM generate_series(1, 32) s"))
    session.execute(text(
        "INSERT INTO cases (reference, title, status, priority, owner_agency_id, version, created_at, updated_at) "
        "SELECT 'BN-' || lpad(i::text, 7, '0'), 'Caso ' || i, 'open', 'normal', "
        "(SELECT min(id) FROM agencies) + i % 33, 1, now(), now() FROM generate_series(1, :n) i"),
        {"n": SIZES["cases"]})
    started = _step("agencies and cases", started)
    session.execute(text(
        "INSERT INTO seizures (case_id, agency_id, recorded_by_agency_id, seized_on, state_code, "
        "coordinates_outside_state, magazines_count, cartridges_count, version, created_at, updated_at) "
        "SELECT c.id, c.owner_agency_id, c.owner_agency_id, date '2015-01-01' + floor(random() * 3900)::int, "
        "coalesce(a.state_code, lpad((1 + floor(random() * 32)::int)::text, 2, '0')), false, 0, 0, 1, now(), now() "
        "FROM generate_series(0, :n - 1) i "
        "JOIN cases c ON c.id = (SELECT min(id) FROM cases) + i % :cases "
        "JOIN agencies a ON a.id = c.owner_agency_id"), {"n": SIZES["seizures"], "cases": SIZES["cases"]})
    started = _step("seizures", started)
    _insert_firearms(session)
    started = _step("firearms, serials and their search keys", started)
    session.execute(text("RESET session_replication_role"))
    session.commit()
    _rebuild_indexes()
    started = _step("indexes on firearms (btree and pg_trgm GIN)", started)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    _step("vacuum and statistics", started)
    bench_analyst()
    db.session.commit()
    print(f"dataset generated in {time.perf_counter() - began:.1f} s", flush=True)


_FIREARM_INDEXES: list[str] = []


def _insert_firearms(session) -> None:
    """One INSERT … SELECT; the firearms indexes are dropped first and built once at the end."""
    _FIREARM_INDEXES[:] = list(session.scalars(text(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'firearms' AND indexname NOT LIKE 'pk_%' "
        "AND indexname NOT LIKE 'uq_%'")))
    for name in session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'firearms' "
                                     "AND indexname NOT LIKE 'pk_%' AND indexname NOT LIKE 'uq_%'")).all():
        session.execute(text(f'DROP INDEX "{name}"'))
    makers = list(session.scalars(text("SELECT id FROM manufacturers ORDER BY id LIMIT 40")))
    maker_array = "(ARRAY[" + ",".join(map(str, makers)) + "])"
    skeleton = f"translate(norm, '{LOOKALIKES_FROM}', '{LOOKALIKES_TO}')"
    session.execute(text(f"""
        INSERT INTO firearms (seizure_id, case_id, agency_id, firearm_type, manufacturer_id, model,
            serial_number, serial_normalized, serial_status, restored_serial, restored_serial_normalized,
            converted_to_automatic, custody_status, version, created_at, updated_at,
            serial_skeleton, serial_skeleton_reversed, serial_digits, serial_positions)
        WITH raw AS MATERIALIZED (
            SELECT i, s.id AS seizure_id, s.case_id, s.agency_id, random() AS shape, random() AS kind,
                   {maker_array}[1 + floor(random() * {len(makers)})::int] AS maker
            FROM generate_series(0, :n - 1) i
            JOIN seizures s ON s.id = (SELECT min(id) FROM seizures) + i % :seizures
        ), written AS MATERIALIZED (
            SELECT *, {SERIAL} AS serial FROM raw
        ), normalised AS MATERIALIZED (
            SELECT *, translate(upper(replace(serial, '-', '')), 'O', '0') AS norm, i % 100 = 0 AS restored
            FROM written
        )
        SELECT seizure_id, case_id, agency_id, CASE WHEN kind < 0.7 THEN 'pistol' ELSE 'rifle' END, maker,
               'M' || (i % 40), CASE WHEN restored THEN NULL ELSE serial END,
               CASE WHEN restored THEN NULL ELSE norm END, CASE WHEN restored THEN 'restored' ELSE 'intact' END,
               CASE WHEN restored THEN serial END, CASE WHEN restored THEN norm END,
               false, 'seized', 1, now(), now(),
               {skeleton}, reverse({skeleton}), nullif(regexp_replace(norm, '[^0-9]', '', 'g'), ''), {POSITIONS}
        FROM normalised"""), {"n": SIZES["firearms"], "seizures": SIZES["seizures"]})


def _rebuild_indexes() -> None:
    from tracer.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SET maintenance_work_mem = '1GB'"))
        connection.execute(text("SET max_parallel_maintenance_workers = 2"))
        for definition in _FIREARM_INDEXES:
            connection.execute(text(definition))


def bench_analyst():
    """The federal analyst the scoped searches run as (created once)."""
    from tracer.auth import services
    from tracer.auth.models import User
    from tracer.extensions import db

    user = db.session.scalar(db.select(User).where(User.username == BENCH_ANALYST))
    if user is None:
        agency = services.agency_by_acronym("FGR")
        user, _password = services.create_user({"username": BENCH_ANALYST, "full_name": "Analista de pruebas",
                                                 "role": "analyst", "agency": agency})
    return user
