"""What the page and throughput lines of the bench add to the register, each once: two
accounts that sign in through the form, 1,000,000 sealed audit events behind the audit page
and 100,000 deconfliction notices behind the deconfliction list.

- ``bench.web``: a federal analyst (FGR), who sees every case, firearm and backlog entry;
- ``bench.auditor``: a federal auditor, who reads the whole trail.

The audit events are written with COPY, already chained after the current head (the chain's
lock held, hashes computed by ``tracer.audit.chain.chain_hash``), so ``flask audit verify``
holds over them. They carry the request id ``bench-history``: a second run finds them and
adds nothing. The notices (state agencies' firearms disclosed to the federal analysts, one
in twenty withheld) are written only into an empty notice table.
"""
from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import text

WEB_USER, AUDITOR = "bench.web", "bench.auditor"
PASSWORD = "Banco-de-Pruebas-2026!"
HISTORY_MARK = "bench-history"
HISTORY_EVENTS = 1_000_000
_ACTIONS = (("search.serial", "firearm"), ("case.update", "case"), ("firearm.update", "firearm"),
            ("seizure.create", "seizure"), ("custody.create", "firearm"), ("trace_request.create", "trace_request"),
            ("audit.read", "audit_event"), ("personal_data.read", "trace_request"))


def ensure_accounts() -> None:
    """Create the two accounts with a known password, unless they are there."""
    from tracer.auth import services
    from tracer.extensions import db

    agency = services.agency_by_acronym("FGR")
    for username, role, name in ((WEB_USER, "analyst", "Analista de carga"), (AUDITOR, "auditor", "Auditor de carga")):
        if services.user_by_username(username) is None:
            services.create_user({"username": username, "full_name": name, "role": role, "agency": agency,
                                  "must_change_password": False}, PASSWORD)
    db.session.commit()


def ensure_audit_history(events: int = HISTORY_EVENTS) -> str:
    """Write ``events`` sealed audit events unless an earlier run did; says what it did."""
    from tracer.audit.chain import chain_hash, chain_head, lock_chain
    from tracer.audit.models import AuditEvent
    from tracer.extensions import db

    there = db.session.scalar(text("SELECT count(*) FROM audit_events WHERE request_id = :mark"),
                              {"mark": HISTORY_MARK})
    if there:
        db.session.rollback()
        return f"audit history reused: {there:,} sealed events"
    started = time.perf_counter()
    connection = db.session.connection()
    lock_chain(connection)  # until the commit, nobody else extends the chain
    seq, prev_hash = chain_head(connection)
    users = connection.execute(text("SELECT id, username, agency_id FROM users ORDER BY id")).all()
    low_case = connection.scalar(text("SELECT min(id) FROM cases")) or 1
    rng = random.Random(2026)
    moment = datetime.now(timezone.utc) - timedelta(days=365)
    step = timedelta(days=365) / events
    columns = ("seq", "occurred_at", "user_id", "username", "agency_id", "source_address", "action", "object_type",
               "object_id", "case_id", "request_id", "outcome", "details", "prev_hash", "hash")
    raw = connection.connection.driver_connection  # the psycopg connection, inside this transaction
    with raw.cursor() as cursor, cursor.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy:
        for number in range(events):
            seq += 1
            moment += step
            user = users[number % len(users)]
            action, object_type = _ACTIONS[number % len(_ACTIONS)]
            case_id = low_case + rng.randrange(100_000)
            details = {"q": f"ABC{number % 1000:03d}", "mode": "exact"} if action == "search.serial" else None
            fields = {"seq": seq, "occurred_at": moment, "user_id": user.id, "username": user.username,
                      "agency_id": user.agency_id, "source_address": "10.0.0.%d" % (number % 250 + 1),
                      "action": action, "object_type": object_type, "object_id": str(case_id),
                      "case_id": case_id, "request_id": HISTORY_MARK, "outcome": "success", "details": details}
            digest = chain_hash(prev_hash, fields)
            copy.write_row(tuple(fields[name] if name != "details" else (json.dumps(details) if details else None)
                                 for name in columns[:-2]) + (prev_hash, digest))
            prev_hash = digest
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text(f"ANALYZE {AuditEvent.__tablename__}"))
    return f"audit history written: {events:,} sealed events in {time.perf_counter() - started:.1f} s"


NOTICES = 100_000


def ensure_notices(count: int = NOTICES) -> str:
    """Write ``count`` deconfliction notices told to FGR's analysts, unless there are notices."""
    from tracer.extensions import db

    there = db.session.scalar(text("SELECT count(*) FROM deconfliction_notices"))
    if there:
        db.session.rollback()
        return f"deconfliction notices reused: {there:,}"
    started = time.perf_counter()
    db.session.execute(text(
        "INSERT INTO deconfliction_notices (created_at, channel, match, owner_agency_id, firearm_id, firearm_ids, "
        "told_user_id, told_agency_id, subject_key, withheld) "
        "SELECT now() - (n || ' minutes')::interval, 'search', 'exact', f.agency_id, f.id, "
        "  json_build_array(f.id), CASE WHEN n % 2 = 0 THEN web.id ELSE analyst.id END, web.agency_id, NULL, n % 20 = 0 "
        "FROM (SELECT id, agency_id, row_number() OVER (ORDER BY id DESC) AS n FROM firearms "
        "      WHERE agency_id <> (SELECT id FROM agencies WHERE acronym = 'FGR') AND id % 7 = 0 "
        "      ORDER BY id DESC LIMIT :count) f "
        "CROSS JOIN (SELECT id, agency_id FROM users WHERE username = :web) web "
        "CROSS JOIN (SELECT id FROM users WHERE username = :analyst) analyst "
        "ORDER BY f.n DESC"), {"count": count, "web": WEB_USER, "analyst": "bench.analyst"})
    db.session.commit()
    return f"deconfliction notices written: {count:,} in {time.perf_counter() - started:.1f} s"
