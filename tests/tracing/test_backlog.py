"""The trace backlog: untraced firearms in scope, its filters and counts, and the bulk request."""
from __future__ import annotations

import html
import re
from datetime import timedelta
from unittest import mock

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.core.test_page_statements import statements_for
from tests.seizures.helpers import text
from tests.tracing.helpers import READY
from tracer.audit.models import AuditEvent
from tracer.core import pagination
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.tracing.models import TraceRequest
from tracer.tracing.requests import request_trace

CHIHUAHUA = {"state": "08", "municipality": "037", "locality": "Ciudad Juárez", "latitude": "31.69",
             "longitude": "-106.42"}


def _firearm(case, days_ago: int = 10, place: dict | None = None, **fields):
    seized_on = (local_today() - timedelta(days=days_ago)).isoformat()
    return factories.seizure(case, firearms=[{**READY, **fields}], seized_on=seized_on, **(place or {})).firearms[0]


@pytest.fixture
def world(login_as, reference_data):
    """A federal analyst (English) and firearms of Sonora and Chihuahua in every backlog state."""
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGR", locale="en")
    son, chih = factories.case("FGE-SON"), factories.case("FGE-CHIH")
    firearms = {
        "son_ready_new": _firearm(son, 5),
        "son_not_ready_old": _firearm(son, 400, importer=""),
        "son_ready_mid": _firearm(son, 100, manufacturer="Armas Patito"),
        "chih_ready_year": _firearm(chih, 200, CHIHUAHUA),
        "chih_not_ready_new": _firearm(chih, 2, CHIHUAHUA, model=""),
        "son_requested": _firearm(son, 50),
        "son_draft": _firearm(son, 60, importer=""),
    }
    requester = factories.user("analyst", factories.agency("FGR"))
    request_trace(requester, firearms["son_requested"])
    request_trace(requester, firearms["son_draft"], submit=False)
    db.session.commit()
    return analyst, firearms


def _rows(page) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-firearm="(\d+)">', text(page))]


def _counts(page) -> tuple[int, int]:
    body = text(page)
    ready = re.search(r"data-ready-count>(\d+)<", body).group(1)
    not_ready = re.search(r"data-not-ready-count>(\d+)<", body).group(1)
    return int(ready), int(not_ready)


def _ids(firearms, *names) -> list[int]:
    return [firearms[name].id for name in names]


def test_the_backlog_lists_untraced_firearms_longest_waiting_first_with_counts(world):
    analyst, firearms = world
    page = analyst.get("/trace-requests/backlog")
    assert page.status_code == 200
    assert _rows(page) == _ids(firearms, "son_not_ready_old", "chih_ready_year", "son_ready_mid", "son_draft",
                               "son_ready_new", "chih_not_ready_new")
    assert _counts(page) == (3, 3)
    body = text(page)
    draft = db.session.scalar(select(TraceRequest).where(TraceRequest.status == "draft"))
    assert f"Draft {draft.trace_number}" in body
    # Each row says what is missing or suspect; only ready firearms can be selected.
    # A row names what is missing or to check, each a link to its field; the reasons are on the firearm page.
    row = body[body.index(f'data-firearm="{firearms["son_not_ready_old"].id}"'):]
    row = row[:row.index("</tr>")]
    importer = firearms["son_not_ready_old"].id
    assert re.search(rf'Missing</span> <a href="/firearms/{importer}/edit#importer">Importer</a>', row)
    assert "The importer is missing" not in row
    row = body[body.index(f'data-firearm="{firearms["son_ready_mid"].id}"'):]
    row = row[:row.index("</tr>")]
    assert re.search(r'Check</span> <a href="/firearms/\d+/edit#manufacturer">Manufacturer</a>', row)
    boxes = [int(i) for i in re.findall(r'name="firearm_ids" value="(\d+)"', body)]
    assert sorted(boxes) == sorted(_ids(firearms, "son_ready_new", "son_ready_mid", "chih_ready_year"))


@pytest.mark.parametrize("query, expected, counts", [
    ("readiness=ready", ("chih_ready_year", "son_ready_mid", "son_ready_new"), (3, 3)),
    ("readiness=not_ready", ("son_not_ready_old", "son_draft", "chih_not_ready_new"), (3, 3)),
    ("state=08", ("chih_ready_year", "chih_not_ready_new"), (1, 1)),
    ("state=8&readiness=ready", ("chih_ready_year",), (1, 1)),
    ("agency=FGE-SON", ("son_not_ready_old", "son_ready_mid", "son_draft", "son_ready_new"), (2, 2)),
    ("age=under_30", ("son_ready_new", "chih_not_ready_new"), (1, 1)),
    ("age=30_180", ("son_ready_mid", "son_draft"), (1, 1)),
    ("age=180_365", ("chih_ready_year",), (1, 0)),
    ("age=over_365", ("son_not_ready_old",), (0, 1)),
])
def test_the_backlog_filters(world, query, expected, counts):
    analyst, firearms = world
    page = analyst.get(f"/trace-requests/backlog?{query}")
    assert _rows(page) == _ids(firearms, *expected)
    assert _counts(page) == counts


def _pager_count(page) -> str:
    return re.sub(r"\s+", " ", re.search(r'class="pager__count">(.*?)</span>', text(page), re.S).group(1)).strip()


@pytest.mark.parametrize("query, records", [("", "6 records"), ("readiness=ready", "3 records"),
                                            ("state=08&readiness=not_ready", "1 record")])
def test_the_backlog_counts_each_readiness_once_and_totals_the_list_from_them(world, query, records):
    analyst, _firearms = world
    sent = statements_for(analyst, f"/trace-requests/backlog?{query}")
    counts = [statement for statement in sent if " OFFSET " in statement and "count(" in statement]
    assert len(counts) == 2
    # A federal reader's count walks the firearms alone; the seizure is joined for its state only.
    assert all(("JOIN seizures" in statement) == ("state" in query) and "JOIN cases" not in statement
               for statement in counts)
    assert _pager_count(analyst.get(f"/trace-requests/backlog?{query}")) == records


def test_the_backlog_total_beyond_the_bound_says_more(world, monkeypatch):
    """Three ready and three not ready, each under a bound of four, make more than four."""
    analyst, _firearms = world
    monkeypatch.setattr(pagination, "EXACT_TOTAL_UP_TO", 4)
    page = analyst.get("/trace-requests/backlog")
    assert _counts(page) == (3, 3) and _pager_count(page) == "More than 10,000 records"


def test_a_bad_filter_names_the_field(world):
    analyst, _firearms = world
    page = analyst.get("/trace-requests/backlog?age=forever&state=99")
    assert page.status_code == 400
    body = text(page)
    assert "Use the INEGI code of a state, 01 to 32." in body and "Not one of the allowed values" in body


def test_an_agency_filter_with_a_control_character_matches_nothing(world):
    """PostgreSQL refuses a NUL byte in a query parameter: the filter must not reach it."""
    analyst, _firearms = world
    page = analyst.get("/trace-requests/backlog?agency=FGE-SON%00")
    assert page.status_code == 200
    assert _rows(page) == [] and "No firearm waiting for a trace request matches." in text(page)


def test_the_backlog_is_scoped(world, login_as):
    _analyst, firearms = world
    jalisco = login_as("analyst", "FGE-JAL", locale="en")
    assert _rows(jalisco.get("/trace-requests/backlog")) == []
    sonora = login_as("supervisor", "FGE-SON", locale="en")
    assert set(_rows(sonora.get("/trace-requests/backlog"))) == set(
        _ids(firearms, "son_not_ready_old", "son_ready_mid", "son_draft", "son_ready_new"))


def test_the_backlog_pages(login_as, reference_data):
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    case = factories.case("FGE-SON")
    seizure = factories.seizure(case, firearms=[{**READY, "serial_number": f"BXK{n:03d}"} for n in range(27)])
    db.session.commit()
    first, second = analyst.get("/trace-requests/backlog"), analyst.get("/trace-requests/backlog?page=2")
    assert len(_rows(first)) == 25 and len(_rows(second)) == 2
    assert set(_rows(first)) | set(_rows(second)) == {f.id for f in seizure.firearms}
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', text(first)).group(1))
    assert following.startswith("/trace-requests/backlog?cursor=")
    walked = analyst.get(following)
    assert _rows(walked) == _rows(second) and 'rel="next"' not in text(walked) and 'rel="prev"' in text(walked)


def _bulk(browser, ids, **data):
    """The bulk form's second step (``step`` "send" by default; "" for the confirmation step)."""
    return browser.post("/trace-requests/backlog", {"firearm_ids": [str(i) for i in ids], "priority": "routine",
                                                    "step": "send", **data}, token_from="/trace-requests/backlog")


def test_bulk_request_first_lists_the_choice_to_confirm_and_writes_nothing(world):
    analyst, firearms = world
    before = db.session.scalar(select(func.count()).select_from(TraceRequest))
    chosen = _ids(firearms, "son_ready_new", "chih_ready_year")
    page = _bulk(analyst, chosen, priority="urgent", readiness="ready", step="")
    assert page.status_code == 200
    body = text(page)
    panel = body[body.index('id="bulk-confirm"'):body.index("</section>", body.index('id="bulk-confirm"'))]
    assert "Confirm the trace requests of 2 firearms" in panel and "Urgent" in panel
    assert sorted(int(i) for i in re.findall(r'type="hidden" name="firearm_ids" value="(\d+)"', panel)) == sorted(chosen)
    assert 'name="step" value="send"' in panel and 'name="step" value="draft"' in panel
    assert 'name="readiness" type="hidden" value="ready"' in panel or 'value="ready"' in panel
    assert db.session.scalar(select(func.count()).select_from(TraceRequest)) == before


def test_bulk_request_saves_drafts_when_asked(world):
    analyst, firearms = world
    chosen = _ids(firearms, "son_ready_new", "chih_ready_year")
    page = _bulk(analyst, chosen, step="draft")
    assert page.status_code == 200 and "2 drafts saved." in text(page)
    created = db.session.scalars(select(TraceRequest).where(TraceRequest.firearm_id.in_(chosen))).all()
    assert {t.status for t in created} == {"draft"} and len(created) == 2


def test_bulk_request_creates_the_selected_ready_firearms_and_reports_the_refusals(world):
    analyst, firearms = world
    chosen = _ids(firearms, "son_ready_new", "chih_ready_year", "son_not_ready_old", "son_requested")
    page = _bulk(analyst, chosen, priority="urgent", readiness="ready",
                 urgent_justification="Plazo de 48 horas.")
    assert page.status_code == 200
    body = text(page)
    report = body[body.index('id="bulk-report"'):body.index("</section>", body.index('id="bulk-report"'))]
    assert "2 trace requests created." in report and "2 firearms refused:" in report
    refused = report[report.index("data-refused"):]
    assert "The importer is missing" in refused
    existing = db.session.scalar(select(TraceRequest).where(TraceRequest.firearm_id == firearms["son_requested"].id))
    assert f"This recovery already has trace request {existing.trace_number}." in refused
    created = db.session.scalars(select(TraceRequest).where(TraceRequest.firearm_id.in_(chosen[:2]))).all()
    assert {(t.status, t.priority) for t in created} == {("submitted", "urgent")}
    assert all(t.trace_number in report for t in created)
    # The page comes back to the same filter, without the firearms just requested.
    assert _rows(page) == _ids(firearms, "son_ready_mid")
    events = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "trace_request.submit")).all()
    assert {str(t.id) for t in created} <= set(events)


def test_bulk_request_without_a_selection_says_so(world):
    analyst, _firearms = world
    page = _bulk(analyst, [])
    assert page.status_code == 400 and "Choose at least one firearm." in text(page)


def test_bulk_request_is_all_or_nothing_on_an_unexpected_error(world):
    analyst, firearms = world
    before = db.session.scalar(select(func.count()).select_from(TraceRequest))
    real = request_trace
    calls = []

    def failing(user, firearm, *args, **kwargs):
        calls.append(firearm.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(user, firearm, *args, **kwargs)

    with mock.patch("tracer.tracing.bulk_requests.request_trace", side_effect=failing):
        page = _bulk(analyst, _ids(firearms, "son_ready_new", "chih_ready_year", "son_ready_mid"))
    assert page.status_code == 500
    assert len(calls) == 2
    assert db.session.scalar(select(func.count()).select_from(TraceRequest)) == before
