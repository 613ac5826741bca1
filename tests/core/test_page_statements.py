"""The busiest pages read what they show in a fixed, small number of statements, however many
rows they show: the case list, a case and a firearm (SPEC §10 sets them against a bare baseline
under load, where each statement counts)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from tests import factories
from tracer.cases import notes, workflow
from tracer.extensions import db
from tracer.firearms import services as firearm_services

# the session, the agency choices, the bounded count, the page of cases, then its cases' agencies and
# lead officers by id (read apart so that the page's own statement walks the index alone)
CASE_LIST_STATEMENTS = 6
# the session, the case, its seizures, its trace requests, its people, its scenes and ballistic items,
# its review rounds, notes, documents, shares, assigned analysts and timeline; its linked cases are
# asked for once the page is shown (tests/networks/test_pages.py)
CASE_STATEMENTS = 13
# the session, the firearm with its seizure, custody, files, trace request, US offices, links, test fires
FIREARM_STATEMENTS = 8


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


def test_a_case_reads_its_seizures_traces_people_and_ballistics_in_a_fixed_number_of_statements(login_as):
    analyst = login_as("analyst", "FGR")
    seizure = factories.seizure()
    factories.trace_request(seizure.firearms[0], status="completed", outcome="us_retail", ffl_city="Tucson",
                            ffl_state="AZ", origin_latitude=32.22, origin_longitude=-110.93, time_to_crime_days=400)
    few = statements_for(analyst, f"/cases/{seizure.case_id}")
    for _ in range(4):
        other = factories.firearm(seizure)
        factories.trace_request(other)
    lead, supervisor = seizure.case.lead_officer, factories.user("supervisor", factories.agency("FGR"))
    for who, action, comment in ((lead, "start", None), (lead, "submit", "Hallazgos."),
                                 (supervisor, "return", "Corregir."), (lead, "submit", "Corregido.")):
        workflow.transition(who, seizure.case, action, comment, {"firearms": "Falta el importador."})
    for number in range(3):
        notes.add_note(lead, seizure.case, f"Nota {number}")
    many = statements_for(analyst, f"/cases/{seizure.case_id}")
    assert len(few) == len(many) == CASE_STATEMENTS, many


def test_a_firearm_page_reads_what_it_shows_in_eight_statements(login_as):
    analyst = login_as("analyst", "FGR")
    firearm = factories.firearm()
    _custody(firearm, 1)
    few = statements_for(analyst, f"/firearms/{firearm.id}")
    _custody(firearm, 5)
    factories.photo(firearm)
    factories.photo(firearm)
    many = statements_for(analyst, f"/firearms/{firearm.id}")
    assert len(few) == len(many) == FIREARM_STATEMENTS, many
    assert sum("FROM trace_requests" in statement for statement in many) == 1  # once for both panels
    assert sum("FROM custody_events" in statement for statement in many) == 1  # its documents come with it
