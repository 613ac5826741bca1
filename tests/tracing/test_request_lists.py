"""The trace request list as its readers work it: the partner office's queue urgent first with how long
each request has waited, the Mexican list with the result's columns, filters by serial and date, one
colour per status, and a saved result read as facts rather than a second open form."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.result_helpers import RETAIL, waiting_request
from tracer.core.i18n import format_days
from tracer.extensions import db
from tracer.tracing.models import TraceRequest

NOW = datetime.now(timezone.utc)


def mexico_day(moment: datetime):
    return moment.astimezone(ZoneInfo("America/Mexico_City")).date()


def _listed(page) -> list[str]:
    return re.findall(r'<a href="/trace-requests/\d+">(RT-\d{4}-\d{6})</a>', text(page))


def _row(page, number: str) -> str:
    body = text(page)
    start = body.rindex("<tr", 0, body.index(f">{number}</a>"))
    return body[start:body.index("</tr>", start)]


@pytest.fixture
def queue(login_as, reference_data):
    """Four requests sent to ATF-MX from Sonora: routine and urgent, old and recent, one answered."""
    case = factories.case("FGE-SON")
    made = {name: waiting_request(case, priority=priority, submitted_at=NOW - timedelta(days=age))
            for name, priority, age in (("old_routine", "routine", 400), ("new_urgent", "urgent", 2),
                                        ("old_urgent", "urgent", 40), ("new_routine", "routine", 1))}
    made["answered"] = waiting_request(case, priority="urgent", submitted_at=NOW - timedelta(days=900),
                                       status="completed", outcome="us_retail", ffl_state="TX",
                                       time_to_crime_days=429, result_at=NOW - timedelta(days=3))
    db.session.commit()
    return {name: trace.trace_number for name, trace in made.items()}


def test_the_partner_queue_lists_urgent_requests_first_then_the_oldest_with_their_wait(queue, login_as):
    liaison = login_as("liaison", "ATF-MX", locale="es")
    page = liaison.get("/trace-requests")
    assert _listed(page) == [queue["old_urgent"], queue["new_urgent"], queue["old_routine"], queue["new_routine"]]
    assert "row--urgent" in _row(page, queue["old_urgent"]) and "row--urgent" not in _row(page, queue["old_routine"])
    assert "1 año y 1 mes" in _row(page, queue["old_routine"])  # 400 days
    assert "1 mes" in _row(page, queue["old_urgent"])
    # Every status, still urgent first; walking on by cursor keeps the order.
    everything = _listed(liaison.get("/trace-requests?status="))
    assert everything == [queue["answered"], queue["old_urgent"], queue["new_urgent"], queue["old_routine"],
                          queue["new_routine"]]


def test_requests_the_office_has_opened_stay_at_the_top_of_its_queue(queue, login_as, api):
    """A liaison who opened a request and was called away finds it first when they come back:
    the queue holds what waits for a result, those in progress before those sent."""
    opened = db.session.scalar(select(TraceRequest).where(TraceRequest.trace_number == queue["old_routine"]))
    opened.status = "in_progress"
    db.session.commit()
    waiting = [queue["old_urgent"], queue["new_urgent"], queue["new_routine"]]
    liaison = login_as("liaison", "ATF-MX", locale="es")
    page = liaison.get("/trace-requests")
    assert _listed(page) == [queue["old_routine"], *waiting]
    assert "En proceso" in _row(page, queue["old_routine"]) and "1 año y 1 mes" in _row(page, queue["old_routine"])
    assert '<option selected value="open">Abiertas' in text(page)
    assert _listed(liaison.get("/trace-requests?status=submitted")) == waiting
    assert _listed(liaison.get("/trace-requests?status=in_progress")) == [queue["old_routine"]]
    assert _listed(liaison.get("/trace-requests?status=Open")) == [queue["old_routine"], *waiting]
    assert _listed(liaison.get("/trace-requests?status=OPEN&priority=Urgent")) == [queue["old_urgent"],
                                                                                  queue["new_urgent"]]
    # The API's open queue walks the same order, two at a time across its parts.
    assert _walked(api("liaison", "ATF-MX"), "status=open&per_page=2") == [queue["old_routine"], *waiting]
    analyst = login_as("analyst", "FGE-SON", locale="en")
    assert set(_listed(analyst.get("/trace-requests?status=open"))) == {queue["old_routine"], *waiting}


def _walked(call, query: str) -> list[str]:
    """The trace numbers of ``GET /api/v1/trace-requests?query``, every step followed by its cursor."""
    numbers, cursor = [], None
    while True:
        answer = call("GET", f"/trace-requests?{query}" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200
        numbers += [item["trace_number"] for item in answer.get_json()["items"]]
        cursor = answer.get_json()["next"]
        if not cursor:
            return numbers


def test_the_partner_api_walks_the_queue_in_the_same_order(queue, api):
    assert _walked(api("liaison", "ATF-MX"), "status=submitted&per_page=3") == [queue["old_urgent"], queue["new_urgent"], queue["old_routine"], queue["new_routine"]]


def test_the_liaison_menu_has_no_cases(queue, login_as):
    liaison = login_as("liaison", "ATF-MX", locale="es")
    menu = text(liaison.get("/trace-requests"))
    assert 'href="/cases"' not in menu and 'href="/trace-requests"' in menu
    analyst = login_as("analyst", "FGE-SON", locale="es")
    assert 'href="/cases"' in text(analyst.get("/trace-requests"))


def test_the_mexican_list_shows_the_result_columns_and_a_colour_per_status(queue, login_as):
    analyst = login_as("analyst", "FGE-SON", locale="es")
    page = analyst.get("/trace-requests")
    answered = _row(page, queue["answered"])
    assert "Venta al menudeo en EE. UU." in answered
    assert ">TX<" in answered
    assert "1 año y 2 meses" in answered and "corto" in answered  # 429 days: a short time to crime
    assert 'data-status="completed"' in answered
    assert 'data-status="submitted"' in _row(page, queue["old_routine"])
    assert "corto" not in _row(page, queue["old_routine"])


def test_the_list_filters_by_serial_and_by_the_day_it_was_sent(queue, login_as):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    trace = db.session.scalar(select(TraceRequest).where(TraceRequest.trace_number == queue["old_urgent"]))
    serial = trace.firearm.serial_number
    assert _listed(analyst.get(f"/trace-requests?serial={serial.lower()}")) == [queue["old_urgent"]]
    # The filter's days are Mexico City days, as the page shows them.
    sent_on = mexico_day(NOW - timedelta(days=40)).isoformat()
    around = mexico_day(NOW - timedelta(days=41)).isoformat(), mexico_day(NOW - timedelta(days=39)).isoformat()
    assert _listed(analyst.get(f"/trace-requests?submitted_from={around[0]}&submitted_to={around[1]}")) == \
        [queue["old_urgent"]]
    assert queue["old_urgent"] in _listed(analyst.get(f"/trace-requests?submitted_from={sent_on}"))
    assert queue["old_routine"] not in _listed(analyst.get(f"/trace-requests?submitted_from={sent_on}"))


def test_bad_filters_name_their_field_and_keep_the_others(queue, login_as, api):
    analyst = login_as("analyst", "FGE-SON", locale="es")
    bad = analyst.get("/trace-requests?submitted_from=31/02/2026&serial=ABC123")
    assert bad.status_code == 400
    assert "Use una fecha" in text(bad) or "AAAA-MM-DD" in text(bad)
    assert 'value="ABC123"' in text(bad)
    backwards = analyst.get("/trace-requests?submitted_from=2026-05-02&submitted_to=2026-05-01")
    assert backwards.status_code == 400 and "La fecha final no puede ser anterior a la inicial." in text(backwards)
    api_bad = api("analyst", "FGE-SON")("GET", "/trace-requests?submitted_to=tomorrow")
    assert api_bad.status_code == 422 and "submitted_to" in api_bad.get_json()["error"]["details"]


def test_a_saved_result_reads_as_facts_with_its_form_folded(login_as, reference_data):
    trace = waiting_request(factories.case("FGE-SON"))
    db.session.commit()
    liaison = login_as("liaison", "ATF-MX", locale="en")
    empty = text(liaison.get(f"/trace-requests/{trace.id}"))
    assert re.search(r'<details class="result-form" open>', empty)
    saved = liaison.post(f"/trace-requests/{trace.id}/result", {**RETAIL, "version": "1"},
                         token_from=f"/trace-requests/{trace.id}")
    assert saved.status_code == 302
    page = text(liaison.get(f"/trace-requests/{trace.id}"))
    assert '<details class="result-form">' in page and "Lone Star Guns" in page
    assert "Correct the result" in page


@pytest.mark.parametrize("days, spanish", [(0, "0 días"), (1, "1 día"), (30, "30 días"), (45, "1 mes"),
                                           (364, "11 meses"), (365, "1 año"), (429, "1 año y 2 meses"),
                                           (2607, "7 años y 1 mes")])
def test_spans_of_days_are_written_in_years_and_months(app, days, spanish):
    with app.test_request_context(), force_locale("es"):
        assert format_days(days) == spanish

