"""Every list walks an index, on SQLite and on PostgreSQL (SPEC §7, §10; STYLE rule 11).

A few thousand rows are written with Core (one executemany per table) and the tables
analysed; then each list's service runs as a page would run it — its first page, and the
page a cursor continues to — and every statement it sends is explained as sent. A list
walks an index when no big table is read whole (SQLite: no ``SCAN`` of it but along an
index; PostgreSQL, with sequential scans priced out: no ``Seq Scan``) and no whole table or
index is sorted (SQLite: no ``TEMP B-TREE FOR ORDER BY`` after a ``SCAN … USING INDEX``;
PostgreSQL: a ``Sort`` only of rows an ``Index Cond`` narrowed — a scope's share, whose
size does not grow with the other agencies' rows). The controls show that the check can fail.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import g
from sqlalchemy import event, func, insert, select, text

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.audit.reading import readable_events
from tracer.audit.views import EVENT_ORDER
from tracer.cases import case_lists, services as case_services
from tracer.cases.models import Case
from tracer.core.pagination import EXACT_TOTAL_UP_TO, by, keyset_page
from tracer.core.panels import CONTENTS, read_contents, read_record
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links import services as link_services
from tracer.links.models import FirearmLink
from tracer.seizures.models import Seizure
from tracer.tracing import request_lists
from tracer.tracing.backlog import BacklogFilters, backlog_counts, backlog_page
from tracer.tracing.models import TraceRequest

BIG_TABLES = ("cases", "seizures", "firearms", "trace_requests", "firearm_links", "audit_events")
CASES, FIREARMS = 2_000, 4_000
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _seed() -> dict:
    """Agencies of several states and, spread over them, cases, seizures, firearms, requests, links
    and events: one state holds a share of each table, as one of 32 does."""
    son, atf = factories.agency("FGE-SON"), factories.agency("ATF-MX")
    others = [factories.agency(acronym) for acronym in ("FGE-JAL", "FGE-CHIH", "FGR", "SEDENA")]
    others += [factories.agency(f"FGE-{n:02d}", name=f"Fiscalía {n}", level="state", state_code=f"{n:02d}")
               for n in (1, 2, 3, 4, 5)]
    officer = factories.user("officer", son)
    owners = [son.id] + [agency.id for agency in others]
    connection = db.session.connection()
    connection.execute(insert(Case.__table__), [
        {"reference": f"TR-2024-{n:06d}", "title": f"Caso {n}", "owner_agency_id": owners[n % len(owners)],
         "created_at": START + timedelta(minutes=n), "updated_at": START} for n in range(CASES)])
    case_ids = list(db.session.scalars(select(Case.id).where(Case.reference.like("TR-2024-%")).order_by(Case.id)))
    connection.execute(insert(Seizure.__table__), [
        {"case_id": case_id, "agency_id": owners[n % len(owners)], "recorded_by_agency_id": owners[n % len(owners)],
         "seized_on": date(2024, 1, 1) + timedelta(days=n % 700), "state_code": "26" if n % len(owners) == 0 else "14",
         "created_at": START, "updated_at": START} for n, case_id in enumerate(case_ids)])
    seizures = db.session.execute(select(Seizure.id, Seizure.case_id, Seizure.agency_id)
                                  .where(Seizure.case_id.in_(case_ids)).order_by(Seizure.id)).all()
    connection.execute(insert(Firearm.__table__), [
        {"seizure_id": s.id, "case_id": s.case_id, "agency_id": s.agency_id, "firearm_type": "pistol",
         "serial_status": "intact", "serial_number": f"PLN{n:06d}", "serial_normalized": f"PLN{n:06d}",
         "trace_ready": n % 3 == 0, "created_at": START, "updated_at": START}
        for n, s in enumerate(seizures[n % len(seizures)] for n in range(FIREARMS))])
    firearms = db.session.execute(select(Firearm.id, Firearm.case_id, Firearm.agency_id)
                                  .where(Firearm.serial_normalized.like("PLN%")).order_by(Firearm.id)).all()
    traced = firearms[: FIREARMS // 2]
    connection.execute(insert(TraceRequest.__table__), [
        {"trace_number": f"RT-2024-{n:06d}", "firearm_id": f.id, "case_id": f.case_id, "agency_id": f.agency_id,
         "requesting_agency_id": f.agency_id, "addressed_to_id": atf.id, "identifiers": {},
         "status": "submitted", "priority": "routine", "submitted_at": START + timedelta(minutes=n),
         "created_at": START + timedelta(minutes=n), "updated_at": START} for n, f in enumerate(traced)])
    connection.execute(insert(FirearmLink.__table__), [
        {"firearm_id": firearms[n + 1].id, "other_firearm_id": firearms[n].id, "score": 0.9,
         "match": ("exact", "lookalike", "edit", "letters_ignored")[n % 4], "status": "possible",
         "detected_at": START + timedelta(minutes=n)} for n in range(0, FIREARMS - 1, 2)])
    first_seq = (db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0) + 1
    connection.execute(insert(AuditEvent.__table__), [
        {"seq": first_seq + n, "occurred_at": START + timedelta(seconds=n), "action": "case.read",
         "outcome": "success", "agency_id": owners[n % len(owners)], "username": officer.username,
         "prev_hash": f"p{first_seq + n:063x}", "hash": f"h{first_seq + n:063x}"} for n in range(3_000)])
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ANALYZE")
    else:
        for table in BIG_TABLES:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return {"son": son, "atf": atf}


def cases_of_nine_agencies(created_at: datetime) -> list:
    """Nine agencies of several states with one case each (references TR-2025-…): the owners that
    other rooms' list checks spread their rows over. Rows of (id, owner_agency_id), by id."""
    agencies = [factories.agency(acronym) for acronym in ("FGE-SON", "FGE-JAL", "FGE-CHIH", "FGR")]
    agencies += [factories.agency(f"FGE-{n:02d}", name=f"Fiscalía {n}", level="state", state_code=f"{n:02d}")
                 for n in (1, 2, 3, 4, 5)]
    db.session.connection().execute(insert(Case.__table__), [
        {"reference": f"TR-2025-{n:06d}", "title": f"Caso {n}", "owner_agency_id": agency.id,
         "created_at": created_at, "updated_at": created_at} for n, agency in enumerate(agencies)])
    return db.session.execute(select(Case.id, Case.owner_agency_id).where(Case.reference.like("TR-2025-%"))
                              .order_by(Case.id)).all()


@pytest.fixture
def seeded(ctx):
    return _seed()


def _plan(sql: str, parameters) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
        return "\n".join(row[-1] for row in rows)
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    rows = connection.exec_driver_sql("EXPLAIN " + sql, parameters).all()
    return "\n".join(row[0] for row in rows)


def walks_an_index(found: str, dialect: str, rowid_walk: bool = False) -> bool:
    """Whether the plan reads no big table whole: every big table is reached through an index,
    and rows are sorted only when an index condition narrowed them first (a scope's or a
    filter's share of the table), never a whole table or a whole index. ``rowid_walk``: the
    statement has no filter and is ordered by the primary key, which SQLite walks as the table's
    own b-tree, stopping at the LIMIT (its plan says SCAN, as a whole-table read does)."""
    lines = found.splitlines()
    if dialect == "sqlite":
        tables = "|".join(BIG_TABLES)
        whole_table = not rowid_walk and any(re.search(rf"\bSCAN ({tables})\b(?! USING)", line)
                                             for line in lines)
        whole_index = any(re.search(rf"\bSCAN ({tables})\b USING", line) for line in lines)
        sorted_rows = any("USE TEMP B-TREE FOR ORDER BY" in line for line in lines)
        return not whole_table and not (whole_index and sorted_rows)
    if re.search(rf"Seq Scan on ({'|'.join(BIG_TABLES)})\b", found):
        return False
    sorts = any(re.search(r"(?<!Incremental )Sort\b", line) and "Sort Key" not in line for line in lines)
    return not sorts or all(narrowed for _table, narrowed in _pg_scans(lines))


def _pg_scans(lines: list[str]) -> list[tuple[str, bool]]:
    """Each scan of a big table in a PostgreSQL plan, and whether an index condition narrowed it."""
    scans, current = [], None
    for line in lines:
        node = re.search(rf"(Index Scan|Index Only Scan|Bitmap Heap Scan)( Backward)?( using \S+)? on "
                         rf"({'|'.join(BIG_TABLES)})\b", line)
        if node:
            current = [node.group(4), False]
            scans.append(current)
        elif "->" in line and not ("Bitmap Index Scan" in line and current is not None):
            current = None  # a Bitmap Index Scan's condition narrows the Bitmap Heap Scan above it
        elif current is not None and re.search(r"(Index|Recheck) Cond:", line):
            current[1] = True
    return [(table, narrowed) for table, narrowed in scans]


def statements_of(run) -> list[tuple[str, object]]:
    """The statements ``run()`` sends that read a big table (the list's page and its count)."""
    connection = db.session.connection()
    sent = []

    def capture(_connection, _cursor, statement, parameters, _context, _many):
        if any(re.search(rf"\b{table}\b", statement) for table in BIG_TABLES) and statement.lstrip().upper() \
                .startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        result = run()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    return sent, result


def assert_walks(run, minimum: int = 2, dense_counts: bool = False, rowid_walk: bool = False):
    """Every statement ``run()`` sends to a big table walks an index; the result for a follow-up step.
    ``dense_counts``: every row of the table is in the list, so SQLite may rightly count by reading
    the table, which stops at the bound (``OFFSET 10000``, ``LIMIT 10000``) however large it grows."""
    dialect = db.session.get_bind().dialect.name
    sent, result = statements_of(run)
    assert len(sent) >= minimum
    for sql, parameters in sent:
        if dense_counts and dialect == "sqlite" and sql.startswith("SELECT CASE WHEN (EXISTS"):
            assert "OFFSET" in sql and "LIMIT" in sql and EXACT_TOTAL_UP_TO in parameters
            continue
        found = _plan(sql, parameters)
        assert walks_an_index(found, dialect, rowid_walk and "WHERE 1 = 1 ORDER BY" in sql), \
            f"{sql}\n{parameters}\n---\n{found}"
    return result


def _walk_twice(step, **options):
    """The first page, the one its ``next`` cursor names and back: each walks an index."""
    first = assert_walks(lambda: step(None), **options)
    assert first.next is not None and len(first.items) == first.per_page
    following = assert_walks(lambda: step(first.next), **options)
    assert following.items and following.items[0] != first.items[-1]
    back = assert_walks(lambda: step(following.prev), **options)
    assert [getattr(item, "id", item) for item in back.items] == [getattr(item, "id", item) for item in first.items]


@pytest.mark.parametrize("who", ["federal analyst", "state analyst"])
def test_the_case_list_walks_an_index(seeded, who):
    user = factories.user("analyst", factories.agency("FGR" if who.startswith("federal") else "FGE-SON"))
    for as_rows in (False, True):  # the API's cases, the page's rows (with their agencies' and leads' names)
        _walk_twice(lambda cursor: case_lists.list_cases(user, {}, 1, 25, cursor, as_rows=as_rows))
        _walk_twice(lambda cursor: case_lists.list_cases(user, {"status": "open"}, 1, 25, cursor,
                                                            as_rows=as_rows))


@pytest.mark.parametrize("page,model", [("case", Case), ("firearm", Firearm)])
def test_what_a_case_or_firearm_holds_is_asked_along_indexes(seeded, page, model):
    record = db.session.scalar(select(model).join(TraceRequest).order_by(model.id).limit(1))
    held = assert_walks(lambda: read_contents(page, record), minimum=1)
    assert held["traces"] is True
    g.pop(CONTENTS)  # asked again, in the statement that reads the record for its page
    assert assert_walks(lambda: read_record(page, select(model).where(model.id == record.id), model.id),
                        minimum=1) is record
    assert read_contents(page, record) == held


def test_what_a_seizure_holds_is_asked_along_indexes(seeded):
    seizure = db.session.scalar(select(Seizure).order_by(Seizure.id).limit(1))
    held = assert_walks(lambda: read_contents("seizure", seizure), minimum=1)
    assert set(held) == {"photos", "ballistic_items"}


@pytest.mark.parametrize("who", ["federal analyst", "state analyst", "liaison"])
def test_the_trace_request_lists_walk_an_index(seeded, who):
    agency = {"federal analyst": "FGR", "state analyst": "FGE-SON", "liaison": "ATF-MX"}[who]
    user = factories.user("liaison" if who == "liaison" else "analyst", factories.agency(agency))
    filters = request_lists.RequestFilters()
    # Every seeded request is addressed to the one partner office: its queue is the whole table.
    assert db.session.scalar(select(func.count()).select_from(TraceRequest).where(
        TraceRequest.addressed_to_id != seeded["atf"].id)) == 0
    _walk_twice(lambda cursor: request_lists.list_requests(user, filters, 1, 25, cursor),
                dense_counts=who == "liaison")
    if who == "liaison":  # its default queue: the open requests, in progress then sent, each part on its index
        opened = request_lists.RequestFilters(status="open")
        _walk_twice(lambda cursor: request_lists.list_requests(user, opened, 1, 25, cursor), dense_counts=True)


@pytest.mark.parametrize("who", ["federal analyst", "state analyst"])
def test_the_backlog_and_its_counts_walk_an_index(seeded, who):
    user = factories.user("analyst", factories.agency("FGR" if who.startswith("federal") else "FGE-SON"))
    for readiness in (None, "ready"):
        filters = BacklogFilters(readiness=readiness)
        _walk_twice(lambda cursor: backlog_page(user, filters, 1, 25, cursor)[0])
        assert_walks(lambda: backlog_counts(user, filters), minimum=2)


@pytest.mark.parametrize("match", [None, "edit"])
def test_the_open_links_list_walks_an_index(seeded, match):
    user = factories.user("analyst", factories.agency("FGR"))
    _walk_twice(lambda cursor: link_services.list_open_links(user, match, 1, 25, cursor))


@pytest.mark.parametrize("role,agency", [("auditor", "FGR"), ("admin", "FGR")])
def test_the_audit_trail_walks_an_index(seeded, role, agency):
    reader = factories.user(role, factories.agency(agency))
    statement = select(AuditEvent).where(readable_events(reader))
    if role == "admin":  # account events only: few, and a filter, not a walk, finds them
        assert_walks(lambda: keyset_page(statement, EVENT_ORDER, None, 50, list_name="audit.events"), minimum=1)
        return
    # A federal auditor reads every event: newest first along the primary key, unsealed ones too.
    _walk_twice(lambda cursor: keyset_page(statement, EVENT_ORDER, cursor, 50, list_name="audit.events"),
                rowid_walk=True)


def test_the_check_can_fail(seeded):
    """A list ordered by an unindexed column sorts the whole table, and is seen to."""
    user = factories.user("analyst", factories.agency("FGR"))
    by_title = (by(Case.title, descending=True), by(Case.id, descending=True))
    with pytest.raises(AssertionError):
        assert_walks(lambda: keyset_page(case_services.case_query(user), by_title, None, 25, list_name="x"))
    unindexed = select(Firearm).where(Firearm.model == "17")  # no index holds the model
    with pytest.raises(AssertionError):
        assert_walks(lambda: keyset_page(unindexed, Firearm.id, None, 25, list_name="y"), minimum=1)


def test_a_case_list_page_reads_only_its_own_rows_when_cases_share_their_creation_time(ctx):
    """Cases written in one transaction (an import, a migration from an older register) share
    their creation time. The planner then expects almost no case past a cursor; were the page's
    agency and lead officer joined into the same statement, it would join and sort every case
    behind the cursor (half a second a page on the bench's 100,000 cases, seen under load).
    The page is read along the index alone, its agencies and lead officers by id afterwards."""
    agencies = [factories.agency(acronym) for acronym in ("FGR", "FGE-SON", "FGE-JAL")]
    lead = factories.user("officer", agencies[1])
    db.session.connection().execute(insert(Case.__table__), [
        {"reference": f"TR-2024-{n:06d}", "title": f"Caso {n}", "owner_agency_id": agencies[n % 3].id,
         "lead_officer_id": lead.id if n % 3 == 1 else None, "created_at": START, "updated_at": START}
        for n in range(3_000)])
    connection = db.session.connection()
    dialect = connection.dialect.name
    connection.exec_driver_sql("ANALYZE cases" if dialect == "postgresql" else "ANALYZE")
    for user in (factories.user("analyst", agencies[0]), factories.user("analyst", agencies[1])):
        first = case_lists.list_cases(user, {}, 1, 25, None)
        sent, following = statements_of(lambda: case_lists.list_cases(user, {}, 1, 25, first.next))
        pages = [(sql, parameters) for sql, parameters in sent if "ORDER BY" in sql and "count(" not in sql]
        assert len(pages) == 1
        sql, parameters = pages[0]
        assert "OUTER JOIN" not in sql  # neither the agency nor the lead officer joined into the page
        if dialect == "postgresql":
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql, parameters))
            assert "Sort" not in plan, plan
        else:
            assert "TEMP B-TREE" not in _plan(sql, parameters)
        # The page is whole all the same: the next 25 cases, with their agency and lead officer.
        assert len(following.items) == 25 and not {case.id for case in following.items} & {c.id for c in first.items}
        shown = following.items[0]
        assert shown.owner_agency.acronym in {"FGR", "FGE-SON", "FGE-JAL"}
        assert (shown.lead_officer.username if shown.lead_officer else None) == \
            (lead.username if shown.owner_agency.acronym == "FGE-SON" else None)
