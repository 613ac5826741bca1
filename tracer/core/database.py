"""Engine settings: SQLite made to behave like the production database, PostgreSQL
connections that keep their prepared statements between requests, and the optional read
replica of the figures pages."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from tracer.extensions import db


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
    # so that SAVEPOINT and transactional DDL work; enforce foreign keys.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN")


# Row ids are INTEGER columns (32-bit on PostgreSQL).
MAX_ROW_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regular expression of the whole numbers 0 to ``limit`` written without leading zeros."""
    digits = str(limit)
    choices = ["0"] + ([r"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else [])
    for place, digit in enumerate(digits):  # the same first digits as the limit, then a smaller one
        rest = len(digits) - place - 1
        low = "1" if place == 0 else "0"
        if int(digit) > int(low):
            choices.append(digits[:place] + f"[{low}-{int(digit) - 1}]" + (r"\d{%d}" % rest if rest else ""))
    choices.append(digits)
    return "|".join(dict.fromkeys(choices))


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in a route names a row: a number no id can reach matches no
    route (404) instead of overflowing the database driver (500). The bound is in
    the pattern itself: a number that matched the pattern and failed the bound
    would answer 405 when the same path takes another method."""

    regex = _at_most(MAX_ROW_ID)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


# psycopg prepares a statement the fifth time a connection runs it, and forgets all it prepared
# whenever a transaction ends with ROLLBACK (an object dropped in that transaction could come
# back different). Every request ended that way, so no statement stayed prepared: each was
# parsed and planned anew, and planning a statement that joins a firearm to its case, seizure
# and agencies costs the database more than running it. A transaction that ran nothing but
# SELECTs changed nothing, so a request that only read ends it with COMMIT instead, which
# keeps them. Anything else (a write, a savepoint, a view's uncommitted change) still ends
# with the rollback: what a view left uncommitted is never kept.
ONLY_READ = "tracer.only_read"


def _transaction_begins(connection) -> None:
    connection.info[ONLY_READ] = True


def _statement_runs(connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.info.get(ONLY_READ) and statement.lstrip()[:6].upper() != "SELECT":
        connection.info[ONLY_READ] = False


def commit_if_only_read(session) -> bool:
    """End ``session``'s transaction with COMMIT when, on PostgreSQL, it ran nothing but SELECTs
    and holds no unsaved change; says whether it did."""
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not connection.info.get(ONLY_READ):
        return False
    session.commit()
    return True


def end_reading_transaction(error: BaseException | None = None) -> None:
    """teardown_request: a request that only read commits (see ``ONLY_READ``). The answer is
    made by then: a database gone in the meantime leaves nothing undone (it only read), and
    must not turn that answer into a server error."""
    if error is None and db.session.registry.has():
        try:
            commit_if_only_read(db.session())
        except DBAPIError as failure:
            if not is_database_unreachable(failure):
                raise
            db.session.rollback()


# A server that does not answer must not hold a request: connecting gives up after this many
# seconds (a refused connection fails at once), and a request waiting for a free connection
# of its process's pool gives up after POOL_TIMEOUT. Either failure answers 503 "try again".
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 10

# Server answers that mean "not now" rather than "wrong request": the server shutting down,
# starting up, or out of connection slots (SQLSTATE 57P01-57P03, 53300; class 08 is the
# connection itself).
UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def postgres_engine_options(app: Flask) -> None:
    """Before the engines are made: bound the connect and pool waits on PostgreSQL (the
    options go to the driver, which SQLite's would refuse)."""
    if not str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT, **options.get("connect_args", {})}
    options.setdefault("pool_timeout", POOL_TIMEOUT)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def is_database_unreachable(error: DBAPIError) -> bool:
    """Whether ``error`` says the database server is gone or cannot be reached (restart,
    failover, stopped, network), as opposed to a statement that went wrong. A connection the
    server closed is marked invalidated; one that could not be made at all is not, and shows
    as the driver's connection error without a SQLSTATE (psycopg's own; SQLite's errors carry
    none, and a locked or missing SQLite table is not an outage)."""
    if error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    if not type(error.orig).__module__.startswith("psycopg"):
        return False
    state = getattr(error.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in UNAVAILABLE_STATES


def configure_engines(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)
            if engine.dialect.name == "postgresql" and not event.contains(engine, "begin", _transaction_begins):
                event.listen(engine, "begin", _transaction_begins)
                event.listen(engine, "before_cursor_execute", _statement_runs)
    app.teardown_request(end_reading_transaction)


# --- the read replica -------------------------------------------------------------------------------
# With TRACER_REPLICA_DATABASE_URL (a streaming replica of the primary), the figures pages (the
# dashboard, the map, GET /api/v1/stats/summary) run their reads there, through ``read_session``;
# everything else, and every write those pages make (their audit events), goes to the primary
# through ``db.session``. The replica's connections are read-only: PostgreSQL refuses a write
# there even when the URL names a server that would take one. A replica lags the primary by
# moments, so its readers see figures a moment old; no page that a user has just changed reads it.
REPLICA = "tracer.replica"
REPLICA_SESSION = "_tracer_replica_session"


def init_replica(app: Flask) -> None:
    """A second engine on ``REPLICA_DATABASE_URI`` when it is set; nothing otherwise."""
    url = app.config.get("REPLICA_DATABASE_URI")
    if not url:
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT, **options.get("connect_args", {}),
                                   "options": "-c default_transaction_read_only=on",
                                   "application_name": "tracer-replica-reads"}
        options.setdefault("pool_timeout", POOL_TIMEOUT)
    app.extensions[REPLICA] = create_engine(url, **options)
    app.teardown_request(end_replica_reads)
    app.teardown_appcontext(end_replica_reads)


def replica_engine():
    """The replica's engine, or None when every read goes to the primary."""
    return current_app.extensions.get(REPLICA)


def read_session() -> Session:
    """Where the figures pages read: a session on the replica (one per request, ended with
    it), or the primary's ``db.session`` when no replica is configured."""
    engine = replica_engine()
    if engine is None:
        return db.session
    session = g.get(REPLICA_SESSION)
    if session is None:
        session = Session(bind=engine, autoflush=False)
        setattr(g, REPLICA_SESSION, session)
    return session


def end_replica_reads(error: BaseException | None = None) -> None:
    """teardown: a read-only transaction ends with COMMIT (it keeps the prepared statements,
    see ``ONLY_READ``), or with ROLLBACK after an error."""
    session = g.pop(REPLICA_SESSION, None)
    if session is None:
        return
    try:
        if error is None and session.in_transaction():
            session.commit()
    finally:
        session.close()
