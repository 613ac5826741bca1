"""Trace requests on the web: the readiness panel, the one-click request, the list and the request page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.tracing.models import TraceRequest


@pytest.fixture
def sonora(login_as, reference_data):
    """An English-speaking analyst of the FGE-SON, a case of theirs, and the US office."""
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    case = factories.case("FGE-SON")
    db.session.commit()
    return analyst, case


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(TraceRequest))


def _panel(page) -> str:
    body = text(page)
    start = body.index('id="tracing"')
    return body[start:body.index("</section>", start)]


def _flashes(page) -> list[str]:
    return re.findall(r'<p class="flash flash--\w+"[^>]*>(.*?)</p>', text(page), re.S)


def _listed(page) -> list[str]:
    """The trace numbers in the rows of a list page."""
    return re.findall(r'<a href="/trace-requests/\d+">(RT-\d{4}-\d{6})</a>', text(page))


def _request(browser, firearm, **data):
    return browser.post(f"/firearms/{firearm.id}/trace-request", {"priority": "routine", **data},
                        token_from=f"/firearms/{firearm.id}")


def test_the_firearm_page_shows_each_identifier_and_links_to_fix_it(sonora):
    analyst, case = sonora
    firearm = not_ready_firearm(case, manufacturer="Armas Patito")
    db.session.commit()
    panel = _panel(analyst.get(f"/firearms/{firearm.id}"))
    assert "Not ready for a trace" in panel
    assert re.search(r'data-identifier="importer" data-state="missing".*?The importer is missing', panel, re.S)
    assert re.search(r'data-identifier="manufacturer" data-state="suspect".*?“Armas Patito” is not in the '
                     r'reference list', panel, re.S)
    assert re.search(r'data-identifier="model" data-state="present"', panel)
    assert f'href="/firearms/{firearm.id}/edit#importer"' in panel
    assert f'href="/firearms/{firearm.id}/edit#manufacturer"' in panel
    assert "Complete the missing identifiers" in panel and ">Request trace<" not in panel


def test_an_officer_sees_readiness_but_no_request_button(login_as, reference_data):
    factories.agency("ATF-MX")
    officer = login_as("officer", "FGE-SON", locale="en")
    firearm = ready_firearm(factories.case("FGE-SON"))
    db.session.commit()
    panel = _panel(officer.get(f"/firearms/{firearm.id}"))
    assert "Ready for a trace" in panel
    assert "trace-request" not in panel and "Request trace" not in panel


def test_one_click_requests_the_trace_of_a_ready_firearm(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    db.session.commit()
    panel = _panel(analyst.get(f"/firearms/{firearm.id}"))
    assert ">Request trace<" in panel and 'name="addressed_to"' not in panel  # one US office: no choice to make
    response = _request(analyst, firearm, priority="urgent", urgent_justification="Plazo de 48 horas.")
    assert response.status_code == 302 and response.headers["Location"] == f"/firearms/{firearm.id}#tracing"
    trace = db.session.scalar(select(TraceRequest).where(TraceRequest.firearm_id == firearm.id))
    assert (trace.status, trace.priority) == ("submitted", "urgent")
    page = analyst.get(response.headers["Location"])
    assert f"Trace request {trace.trace_number} sent to ATF-MX." in _flashes(page)
    panel = _panel(page)
    assert trace.trace_number in panel and f'href="/trace-requests/{trace.id}"' in panel and "Submitted" in panel
    assert ">Request trace<" not in panel


def test_a_firearm_that_is_not_ready_comes_back_with_what_is_missing(sonora):
    analyst, case = sonora
    firearm = not_ready_firearm(case, model="")
    db.session.commit()
    response = _request(analyst, firearm)
    assert response.status_code == 302
    messages = _flashes(analyst.get(response.headers["Location"]))
    assert messages == ["The trace request was not created: the firearm lacks identifiers a trace needs.",
                        "The model is missing.",
                        "The importer is missing: a firearm made outside the United States is traced through "
                        "its importer."]
    assert _count() == 0


def test_a_refusal_is_in_spanish_for_a_spanish_reader(login_as, reference_data):
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="es")
    firearm = not_ready_firearm(factories.case("FGE-SON"))
    db.session.commit()
    messages = _flashes(analyst.get(_request(analyst, firearm).headers["Location"]))
    assert messages[-1].startswith("Falta el importador")
    assert _count() == 0


def test_a_second_request_for_the_same_recovery_is_refused(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    db.session.commit()
    _request(analyst, firearm)
    trace = db.session.scalar(select(TraceRequest))
    response = _request(analyst, firearm)
    assert f"This recovery already has trace request {trace.trace_number}." in \
        _flashes(analyst.get(response.headers["Location"]))
    assert _count() == 1


def test_another_states_analyst_can_neither_request_nor_see_the_trace(sonora, login_as):
    analyst, case = sonora
    firearm = ready_firearm(case)
    db.session.commit()
    jalisco = login_as("analyst", "FGE-JAL", locale="en")
    assert _request(jalisco, firearm).status_code == 404
    assert _count() == 0
    _request(analyst, firearm)
    trace = db.session.scalar(select(TraceRequest))
    for path in (f"/trace-requests/{trace.id}", f"/trace-requests/{trace.id}/print"):
        assert jalisco.get(path).status_code == 404
    assert _listed(jalisco.get("/trace-requests")) == []


def test_the_request_page_shows_what_was_sent_and_links_mexican_readers_to_the_case(sonora):
    analyst, case = sonora
    firearm = ready_firearm(case)
    db.session.commit()
    _request(analyst, firearm)
    trace = db.session.scalar(select(TraceRequest))
    body = text(analyst.get(f"/trace-requests/{trace.id}"))
    assert trace.trace_number in body and "Submitted" in body
    for shown in ("Glock", "9mm Luger", "BXK123", "Glock Inc.", "Austria", "Sonora", "Hermosillo", case.reference,
                  "FGE-SON", "ATF-MX"):
        assert shown in body, shown
    assert f'href="/firearms/{firearm.id}"' in body and f'href="/cases/{case.id}"' in body


def test_the_liaison_of_the_office_sees_the_request_without_links_to_the_case(sonora, login_as):
    analyst, case = sonora
    firearm = ready_firearm(case)
    db.session.commit()
    _request(analyst, firearm)
    trace = db.session.scalar(select(TraceRequest))
    liaison = login_as("liaison", "ATF-MX", locale="en")
    page = liaison.get(f"/trace-requests/{trace.id}")
    assert page.status_code == 200
    body = text(page)
    assert "BXK123" in body and case.reference in body
    assert f'href="/firearms/{firearm.id}"' not in body and f'href="/cases/{case.id}"' not in body
    other = factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    db.session.commit()
    stranger = login_as("liaison", "CBP-MX", locale="en")
    assert other.id and stranger.get(f"/trace-requests/{trace.id}").status_code == 404
    assert stranger.get(f"/trace-requests/{trace.id}/print").status_code == 404


def test_the_liaison_work_queue_lists_submitted_requests_oldest_first(sonora, login_as):
    analyst, case = sonora
    older, newer, done = ready_firearm(case), ready_firearm(case), ready_firearm(case)
    db.session.commit()
    for firearm in (older, newer, done):
        _request(analyst, firearm)
    traces = {t.firearm_id: t for t in db.session.scalars(select(TraceRequest))}
    traces[done.id].status = "completed"
    db.session.commit()
    liaison = login_as("liaison", "ATF-MX", locale="en")
    assert _listed(liaison.get("/trace-requests")) == [traces[older.id].trace_number,
                                                       traces[newer.id].trace_number]
    assert len(_listed(liaison.get("/trace-requests?status="))) == 3


def test_the_list_filters_by_status_and_priority(sonora):
    analyst, case = sonora
    urgent, routine = ready_firearm(case), ready_firearm(case)
    draft_firearm = not_ready_firearm(case)
    db.session.commit()
    _request(analyst, urgent, priority="urgent", urgent_justification="Plazo de 48 horas.")
    _request(analyst, routine)
    _request(analyst, draft_firearm, draft="1")
    numbers = {t.firearm_id: t.trace_number for t in db.session.scalars(select(TraceRequest))}
    assert _listed(analyst.get("/trace-requests?priority=urgent")) == [numbers[urgent.id]]
    assert _listed(analyst.get("/trace-requests?status=draft")) == [numbers[draft_firearm.id]]
    assert len(_listed(analyst.get("/trace-requests"))) == 3
    bad = analyst.get("/trace-requests?status=lost")
    assert bad.status_code == 400 and "Not one of the allowed values" in text(bad)


def test_a_draft_is_saved_then_sent_from_its_page(sonora):
    analyst, case = sonora
    firearm = not_ready_firearm(case)
    db.session.commit()
    response = _request(analyst, firearm, draft="1")
    trace = db.session.scalar(select(TraceRequest))
    assert trace.status == "draft"
    assert f"Trace request {trace.trace_number} saved as a draft." in _flashes(analyst.get(response.headers["Location"]))
    page = text(analyst.get(f"/trace-requests/{trace.id}"))
    assert "Complete the missing identifiers to send the request." in page
    refused = analyst.post(f"/trace-requests/{trace.id}/submit", {"priority": "routine"},
                           token_from=f"/trace-requests/{trace.id}")
    assert refused.status_code == 422 and "The importer is missing" in " ".join(_flashes(refused))
    assert db.session.get(TraceRequest, trace.id).status == "draft"
    firearm.importer = "Glock Inc."
    db.session.commit()
    sent = analyst.post(f"/trace-requests/{trace.id}/submit", {"priority": "urgent",
                                                               "urgent_justification": "Plazo de 48 horas."},
                        token_from=f"/trace-requests/{trace.id}")
    assert f"Trace request {trace.trace_number} sent to ATF-MX." in _flashes(analyst.get(sent.headers["Location"]))
    db.session.refresh(trace)
    assert (trace.status, trace.priority, trace.identifiers["importer"]) == ("submitted", "urgent", "Glock Inc.")
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "trace_request",
                                                                 AuditEvent.object_id == str(trace.id))).all()
    assert actions == ["trace_request.create", "trace_request.submit"]


def test_the_menu_links_to_traces_and_to_the_backlog(sonora, login_as):
    analyst, _case = sonora
    menu = text(analyst.get("/trace-requests"))
    assert 'href="/trace-requests"' in menu and 'href="/trace-requests/backlog"' in menu
    officer = login_as("officer", "FGE-SON", locale="en")
    menu = text(officer.get("/trace-requests"))
    assert 'href="/trace-requests"' in menu and 'href="/trace-requests/backlog"' not in menu


def test_with_several_us_offices_the_analyst_chooses_one(sonora):
    analyst, case = sonora
    factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    firearm = ready_firearm(case)
    db.session.commit()
    panel = _panel(analyst.get(f"/firearms/{firearm.id}"))
    assert 'name="addressed_to"' in panel and 'value="CBP-MX"' in panel and 'value="ATF-MX"' in panel
    refused = _request(analyst, firearm)
    assert "Choose the US partner office the request goes to: ATF-MX, CBP-MX." in \
        _flashes(analyst.get(refused.headers["Location"]))
    forged = _request(analyst, firearm, addressed_to="FGE-SON")
    assert "“FGE-SON” is not a US partner office. Choose one of: ATF-MX, CBP-MX." in \
        _flashes(analyst.get(forged.headers["Location"]))
    assert _count() == 0
    _request(analyst, firearm, addressed_to="CBP-MX")
    assert db.session.scalar(select(TraceRequest)).addressed_to.acronym == "CBP-MX"
