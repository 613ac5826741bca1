"""The busiest pages read what they show in a fixed, small number of statements, however many
rows they show: the case list, a case and a firearm (SPEC §10 sets them against a bare baseline
under load, where each statement counts)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from sqlalchemy import event
from werkzeug.datastructures import FileStorage

from tests import factories
from tracer.cases import assignments, documents, notes, sharing, workflow
from tracer.extensions import db
from tracer.firearms import services as firearm_services

# the session, the agency choices, the bounded count, the page of cases with their agencies' and lead
# officers' names (subqueries of its select list, so that it walks the index alone)
CASE_LIST_STATEMENTS = 4
# What a case page reads besides the session, the case, its seizures and its timeline, each once however
# many rows: its trace requests, people, scenes, ballistic items (and their leads), review rounds, notes,
# documents, shares and assigned analysts. Its linked cases are asked for once the page is shown
# (tests/networks/test_pages.py).
CASE_KINDS = ("trace_requests", "case_people", "scenes", "ballistic_items", "ballistic_links", "case_reviews",
              "case_notes", "attachments", "case_shares", "case_assignments")
# a case holding none of those kinds: the session, the case with what it holds, its seizures, its timeline
EMPTY_CASE_STATEMENTS = 4
# What a firearm page reads besides the session and the firearm with its seizure (and the US offices a trace
# request may be sent to, when there is more than one to choose), each once however many rows: its custody,
# files, trace request, links, test fires.
FIREARM_KINDS = ("custody_events", "attachments", "trace_requests", "firearm_links", "ballistic_items")
# a firearm just recorded, holding only the first entry of its custody: the session, the firearm with what
# it holds (and whether there are US offices to choose), its custody
NEW_FIREARM_STATEMENTS = 3


def _lists(read: list[str]) -> list[str]:
    """The statements of ``read`` but the one reading the page's record, with what it holds of each
    kind (``core.panels.read_record``: its columns ``holds_…``), which there must be."""
    lists = [statement for statement in read if " AS holds_" not in statement]
    assert len(lists) == len(read) - 1, read
    return lists


def statements_for(client, path: str) -> list[str]:
    """The statements a request for ``path`` sends (the test's savepoints left out), as in a new
    process: nothing read before is at hand."""
    sent: list[str] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            sent.append(" ".join(statement.split()))

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return sent


def _custody(firearm, entries: int) -> None:
    officer = factories.user("officer", firearm.case.owner_agency)
    for number in range(entries):
        firearm_services.record_custody_event(officer, firearm, {
            "event": "transferred", "occurred_at": datetime.now(timezone.utc) - timedelta(hours=entries - number),
            "handed_over_by_name": "Agente Pérez", "received_by_name": "Perito López", "place": "Hermosillo"})
    db.session.flush()


def test_the_case_list_reads_a_page_of_cases_in_a_fixed_number_of_statements(login_as):
    analyst = login_as("analyst", "FGR")
    factories.case("FGR")
    few = statements_for(analyst, "/cases")
    for _ in range(30):  # more than a page, with their lead officers and agencies
        factories.case("FGE-SON")
    many = statements_for(analyst, "/cases")
    assert len(few) == len(many) == CASE_LIST_STATEMENTS, many


def _full_case(rows: int):
    """A case holding ``rows`` of each kind its page shows."""
    seizure = factories.seizure()
    case, lead = seizure.case, seizure.case.lead_officer
    for number in range(rows):
        factories.trace_request(seizure.firearms[0] if number == 0 else factories.firearm(seizure))
        factories.person(case)
        factories.ballistic_item(factories.scene(case))
        notes.add_note(lead, case, f"Nota {number}")
        documents.add_document(lead, case, FileStorage(io.BytesIO(b"%PDF-1.4\n%test\n"), f"oficio{number}.pdf"))
        sharing.share_case(lead, case, factories.agency(("FGE-SON", "FGE-JAL", "FGE-CHIH")[number]).id)
        assignments.assign(lead, case, factories.user("analyst", case.owner_agency).id)
    supervisor = factories.user("supervisor", case.owner_agency)
    for who, action, comment in ((lead, "start", None), (lead, "submit", "Hallazgos."),
                                 (supervisor, "return", "Corregir."), (lead, "submit", "Corregido.")):
        workflow.transition(who, case, action, comment, {"firearms": "Falta el importador."})
    db.session.flush()
    return case


def test_a_case_reads_its_seizures_traces_people_and_ballistics_in_a_fixed_number_of_statements(login_as):
    analyst = login_as("analyst", "FGR")
    few, many = _full_case(1), _full_case(3)
    read_few, read_many = statements_for(analyst, f"/cases/{few.id}"), statements_for(analyst, f"/cases/{many.id}")
    assert len(read_few) == len(read_many), read_many
    lists = _lists(read_many)
    for table in CASE_KINDS:
        assert sum(f"FROM {table} " in statement for statement in lists) == 1, table


def test_a_case_holding_nothing_of_a_kind_does_not_read_it(login_as):
    analyst = login_as("analyst", "FGR")
    case = factories.case("FGR")
    read = statements_for(analyst, f"/cases/{case.id}")
    assert len(read) == EMPTY_CASE_STATEMENTS, read
    lists = _lists(read)  # every kind asked at once, with the record
    for table in CASE_KINDS:
        assert sum(f"FROM {table} " in statement for statement in lists) == 0, table


def _full_firearm(rows: int):
    """A firearm holding ``rows`` custody entries and photos, and a trace request, links and test fires."""
    firearm = factories.firearm()
    _custody(firearm, rows)
    factories.trace_request(firearm)
    scene = factories.scene(firearm.case)
    for _ in range(rows):
        factories.photo(firearm)
        factories.firearm_link(firearm, factories.firearm(factories.seizure()))
        factories.ballistic_item(scene, firearm_id=firearm.id)
    db.session.flush()
    return firearm


def test_a_firearm_page_reads_what_it_shows_in_a_fixed_number_of_statements(login_as):
    analyst = login_as("analyst", "FGR")
    few, many = _full_firearm(1), _full_firearm(4)
    read_few, read_many = (statements_for(analyst, f"/firearms/{few.id}"),
                           statements_for(analyst, f"/firearms/{many.id}"))
    assert len(read_few) == len(read_many), read_many
    lists = _lists(read_many)
    assert sum("FROM trace_requests" in statement for statement in lists) == 1  # once for both panels
    assert sum("FROM custody_events" in statement for statement in lists) == 1  # its documents come with it
    for table in FIREARM_KINDS:
        assert sum(f"FROM {table} " in statement for statement in lists) == 1, table


def test_a_firearm_holding_nothing_of_a_kind_does_not_read_it(login_as):
    analyst = login_as("analyst", "FGR")
    firearm = factories.firearm()
    read = statements_for(analyst, f"/firearms/{firearm.id}")
    assert len(read) == NEW_FIREARM_STATEMENTS, read
    lists = _lists(read)  # every kind asked at once, with the record
    for table in FIREARM_KINDS:
        assert sum(f"FROM {table} " in statement for statement in lists) == (table == "custody_events"), table
    assert not any("FROM agencies" in statement for statement in lists)  # one US office or none: no choice


def test_a_seizure_page_reads_its_photos_and_ballistic_items_only_when_it_holds_some(login_as):
    analyst = login_as("analyst", "FGR")
    seizure = factories.seizure()
    bare = statements_for(analyst, f"/seizures/{seizure.id}")
    assert not any("FROM attachments" in statement or "FROM ballistic_items" in statement
                   for statement in _lists(bare))
    assert 'href="/attachments/' not in analyst.get(f"/seizures/{seizure.id}").get_data(as_text=True)
    photo = factories.photo(seizure.firearms[0])  # a firearm's photo is shown on its seizure's page too
    factories.ballistic_item(factories.scene(seizure.case), seizure_id=seizure.id)
    held = statements_for(analyst, f"/seizures/{seizure.id}")
    assert len(held) == len(bare) + 2, held  # its photos and its items, once each
    for table in ("attachments", "ballistic_items"):
        assert sum(f"FROM {table} " in statement for statement in _lists(held)) == 1, table
    assert f'href="/attachments/{photo.id}' in analyst.get(f"/seizures/{seizure.id}").get_data(as_text=True)
