"""Exports of trace requests: the CSV of the list and the printable form, in Spanish or English."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.helpers import ready_firearm
from tracer.audit.models import AuditEvent
from tracer.core.csv_files import neutralise
from tracer.extensions import db
from tracer.tracing.requests import request_trace


@pytest.fixture
def traces(login_as, reference_data):
    """An English-speaking analyst of the FGE-SON and two requests of theirs, one urgent with a doubtful make."""
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    case = factories.case("FGE-SON")
    routine = request_trace(analyst.user, ready_firearm(case))
    urgent = request_trace(analyst.user, ready_firearm(case, manufacturer="=HYPERLINK(\"http://x\")",
                                                       model="-2+3", importer="@import"), priority="urgent",
                           details={"urgent_justification": "Detenido en flagrancia; plazo constitucional de 48 horas."})
    db.session.commit()
    return analyst, routine, urgent


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # spreadsheet programs read UTF-8 with the mark
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_holds_the_filtered_requests_in_the_users_language(traces):
    analyst, routine, urgent = traces
    response = analyst.get("/trace-requests/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(r'attachment; filename="?trace-requests-\d{8}\.csv', response.headers["Content-Disposition"])
    rows = _csv(response)
    header = rows[0]
    assert header[:3] == ["Trace number", "Status", "Priority"] and header[-3] == "Readiness notes"
    assert header[-2:] == ["Possessor and associates", "First retail purchaser"]
    by_number = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert set(by_number) == {routine.trace_number, urgent.trace_number}
    first = by_number[routine.trace_number]
    assert (first["Status"], first["Priority"], first["Type"], first["Manufacturer"], first["Serial number"]) == \
        ("Submitted", "Normal", "Pistol", "Glock", "BXK123")
    assert (first["Country of manufacture"], first["Seizure state"], first["Sent to"]) == ("Austria", "Sonora", "ATF-MX")
    assert first["Readiness notes"] == ""
    assert "not in the reference list of manufacturers" in by_number[urgent.trace_number]["Readiness notes"]
    only_urgent = _csv(analyst.get("/trace-requests/export.csv?priority=urgent"))
    assert [row[0] for row in only_urgent[1:]] == [urgent.trace_number]


def test_cells_a_spreadsheet_would_run_are_neutralised(traces):
    analyst, _routine, urgent = traces
    rows = _csv(analyst.get("/trace-requests/export.csv?priority=urgent"))
    row = dict(zip(rows[0], rows[1]))
    assert row["Manufacturer"] == "'=HYPERLINK(\"http://x\")"
    assert row["Model"] == "'-2+3" and row["Importer"] == "'@import"
    assert neutralise("+52 55") == "'+52 55" and neutralise("\t=1") == "'\t=1" and neutralise("RT-1") == "RT-1"
    assert neutralise(None) == ""


def test_the_csv_is_in_spanish_for_a_spanish_reader(login_as, reference_data):
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="es")
    request_trace(analyst.user, ready_firearm(factories.case("FGE-SON")))
    db.session.commit()
    rows = _csv(analyst.get("/trace-requests/export.csv"))
    row = dict(zip(rows[0], rows[1]))
    assert row["Tipo"] == "Pistola" and row["País de fabricación"] == "Austria" and row["Fabricante"] == "Glock"
    assert rows[0][0] == "Número de rastreo"


def test_exports_are_audited(traces):
    analyst, routine, _urgent = traces
    analyst.get("/trace-requests/export.csv?status=submitted").get_data()
    analyst.get(f"/trace-requests/{routine.id}/print?lang=es")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trace_request.export")
                                .order_by(AuditEvent.seq)).all()
    assert [(e.details["format"], e.user_id) for e in events] == [("csv", analyst.user.id), ("print", analyst.user.id)]
    assert events[0].details["rows"] == 2 and events[0].details["filters"] == {"status": "submitted"}
    assert events[1].object_id == str(routine.id) and events[1].case_id == routine.case_id
    assert events[1].details["language"] == "es"


def test_a_bad_filter_exports_nothing(traces):
    analyst, _routine, _urgent = traces
    response = analyst.get("/trace-requests/export.csv?status=lost")
    assert response.status_code == 422 and "text/html" in response.headers["Content-Type"]
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trace_request.export")).all()


def test_the_printable_form_in_english_and_in_spanish(traces):
    analyst, routine, _urgent = traces
    english = analyst.get(f"/trace-requests/{routine.id}/print")
    assert english.status_code == 200
    body = text(english)
    assert '<html lang="en">' in body and "1. Requesting agency" in body and "4. Firearm description" in body
    assert "5. Recovery information" in body
    for shown in (routine.trace_number, "Glock", "BXK123", "Glock Inc.", "Austria", "Sonora", "ATF-MX"):
        assert shown in body, shown
    assert "<script" not in body and "trace-print.css" in body
    spanish = text(analyst.get(f"/trace-requests/{routine.id}/print?lang=es"))
    assert '<html lang="es">' in spanish and "Pistola" in spanish and "Íntegro" in spanish
    fallback = text(analyst.get(f"/trace-requests/{routine.id}/print?lang=fr"))
    assert '<html lang="en">' in fallback


def test_a_liaison_exports_only_the_requests_sent_to_their_office(traces, login_as):
    _analyst, routine, urgent = traces
    factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    db.session.commit()
    atf = login_as("liaison", "ATF-MX", locale="en")
    assert {row[0] for row in _csv(atf.get("/trace-requests/export.csv"))[1:]} == {routine.trace_number,
                                                                                   urgent.trace_number}
    cbp = login_as("liaison", "CBP-MX", locale="en")
    assert _csv(cbp.get("/trace-requests/export.csv"))[1:] == []


def test_a_sent_request_keeps_the_readiness_notes_it_was_sent_with(traces, login_as):
    """The US office reads the notes taken when the request was sent, in its own language, and
    learns nothing of later changes to a firearm it may not see."""
    analyst, _routine, _urgent = traces
    firearm = ready_firearm(factories.case("FGE-SON"), manufacturer="Armas Patito")
    sent = request_trace(analyst.user, firearm)
    firearm.manufacturer_text = "Taller Secreto"
    db.session.commit()
    english = login_as("liaison", "ATF-MX", locale="en")
    rows = _csv(english.get("/trace-requests/export.csv"))
    row = next(dict(zip(rows[0], row)) for row in rows[1:] if row[0] == sent.trace_number)
    assert row["Readiness notes"] == "“Armas Patito” is not in the reference list of manufacturers: check the spelling."
    for page in (f"/trace-requests/{sent.id}", f"/trace-requests/{sent.id}/print"):
        body = text(english.get(page))
        assert "“Armas Patito” is not in the reference list" in body and "Taller Secreto" not in body, page
    spanish = login_as("liaison", "ATF-MX", locale="es")
    assert "«Armas Patito» no está en la lista de referencia de fabricantes" in text(
        spanish.get(f"/trace-requests/{sent.id}/print"))
