"""Each role's home page is a work list: how many of each thing wait for the user, each a link
to the list where the work is done, drawn by the rooms that hold the work."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tests.tracing.result_helpers import waiting_request
from tracer.auth.models import LoginThrottle, User
from tracer.core.models import utcnow
from tracer.extensions import db


def work(page) -> dict[str, tuple[int, str]]:
    """The work list of a home page: each line's label → (count, link)."""
    body = text(page)
    assert page.status_code == 200
    return {label.strip(): (int(count), href) for href, count, label in re.findall(
        r'<a href="([^"]+)"><strong class="worklist__count" data-count="(\d+)">[^<]*</strong>\s*<span>([^<]+)</span>',
        body)}


def test_an_analyst_sees_what_waits_for_a_trace_and_what_came_back(login_as, reference_data):
    factories.agency("ATF-MX")
    case = factories.case("FGE-SON")
    ready_firearm(case)
    ready_firearm(case)
    not_ready_firearm(case)
    draft = factories.trace_request(ready_firearm(case), status="draft", submitted_at=None)
    answered = waiting_request(case, status="completed", outcome="us_retail", result_at=utcnow())
    factories.trace_request(ready_firearm(factories.case("FGE-CHIH")), status="completed", result_at=utcnow())
    db.session.commit()
    analyst = login_as("analyst", "FGE-SON", locale="en")
    lines = work(analyst.get("/"))
    # The firearm with a draft still waits for its request to be sent.
    assert lines["firearms ready for a trace request"] == (3, "/trace-requests/backlog?readiness=ready")
    assert lines["firearms missing identifiers for a trace"] == (1, "/trace-requests/backlog?readiness=not_ready")
    assert lines["trace request drafts"] == (1, "/trace-requests?status=draft")
    # Another state's result is not theirs to count.
    assert lines["results returned since your last visit"][0] == 1
    assert lines["possible matches to decide"][0] >= 0
    assert "notices about your agency's records in the last 7 days" in lines
    assert draft.id and answered.id


def test_results_count_from_the_sign_in_before_the_last(login_as, reference_data, app):
    factories.agency("ATF-MX")
    case = factories.case("FGE-SON")
    waiting_request(case, status="completed", outcome="us_retail", result_at=utcnow() - timedelta(days=2))
    db.session.commit()
    analyst = login_as("analyst", "FGE-SON", locale="en")
    assert work(analyst.get("/"))["results returned since your last visit"][0] == 1
    user = db.session.get(User, analyst.user.id)
    assert user.previous_login_at is None and user.last_login_at is not None
    # Signed in again a day later: the result came before the previous visit.
    user.last_login_at = utcnow() - timedelta(days=1)
    db.session.commit()
    again = app.test_client()
    from tests.conftest import Browser
    second = Browser(again)
    assert second.login(user.username).status_code == 302
    db.session.refresh(user)
    assert user.previous_login_at < user.last_login_at
    assert work(second.get("/"))["results returned since your last visit"][0] == 0


def test_the_partner_office_sees_urgent_requests_first_with_their_wait(login_as, reference_data):
    case = factories.case("FGE-SON")
    waiting_request(case, priority="urgent", submitted_at=utcnow() - timedelta(days=40))
    waiting_request(case, priority="routine", submitted_at=utcnow() - timedelta(days=3))
    waiting_request(case, priority="routine", submitted_at=utcnow() - timedelta(days=1))
    db.session.commit()
    liaison = login_as("liaison", "ATF-MX", locale="en")
    page = liaison.get("/")
    lines = work(page)
    assert lines["urgent requests waiting for a result"] == (1, "/trace-requests?status=submitted&priority=urgent")
    assert lines["normal-priority requests waiting for a result"][0] == 2
    assert "the oldest has waited 1 month" in text(page) and "worklist__item--urgent" in text(page)
    assert "firearms ready for a trace request" not in lines


def test_a_supervisor_sees_the_cases_waiting_for_review(login_as, reference_data):
    waiting = factories.case("FGE-SON")
    waiting.status = "in_review"
    factories.case("FGE-SON")
    other_state = factories.case("FGE-JAL")
    other_state.status = "in_review"
    db.session.commit()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    lines = work(supervisor.get("/"))
    assert lines["cases waiting for your review"] == (1, "/cases?status=in_review")
    assert "alerts of withheld matches in the last 7 days" in lines


def test_an_officer_sees_their_cases_and_what_their_firearms_lack(login_as, reference_data):
    officer = login_as("officer", "FGE-SON", locale="en")
    mine = factories.case("FGE-SON")
    mine.lead_officer_id = officer.user.id
    not_ready_firearm(mine)
    factories.case("FGE-SON")
    db.session.commit()
    lines = work(officer.get("/"))
    assert lines["open cases you lead"][0] == 1
    assert lines["firearms missing identifiers for a trace"] == (1, "/trace-requests/backlog?readiness=not_ready")
    assert "trace request drafts" not in lines
    # The backlog shows the officer what to complete, with no request to send.
    backlog = text(officer.get("/trace-requests/backlog?readiness=not_ready"))
    assert "/edit#importer" in backlog
    assert 'name="firearm_ids"' not in backlog and "tracing.backlog_request" not in backlog
    assert 'action="/trace-requests/backlog"' not in backlog


def test_an_administrator_sees_the_locked_accounts(login_as):
    locked = factories.user("officer", factories.agency("FGE-SON"))
    factories.user("officer", factories.agency("FGE-SON"))
    db.session.add(LoginThrottle(username_key=locked.username, failures=5, locked_until=utcnow() + timedelta(minutes=10)))
    db.session.add(LoginThrottle(username_key="nobody-at-all", failures=5, locked_until=utcnow() + timedelta(minutes=10)))
    db.session.commit()
    admin = login_as("admin", "FGR", locale="en")
    assert work(admin.get("/"))["accounts locked after failed sign-ins"] == (1, "/admin/users?locked=1")
    listed = text(admin.get("/admin/users?locked=1"))
    assert f">{locked.username}<" in listed and len(re.findall(r'href="/admin/users/\d+"', listed)) == 1


@pytest.mark.parametrize("role", ["auditor"])
def test_roles_with_no_work_list_keep_their_page(login_as, role):
    page = login_as(role, "FGR", locale="en").get("/")
    assert page.status_code == 200 and "data-worklist" not in text(page)


def test_home_cards_come_from_the_rooms(app):
    names = [render.__module__ for _order, _added, render in app.extensions["tracer.panels"]["home"]]
    assert names == ["tracer.cases.home", "tracer.tracing.home", "tracer.links.home", "tracer.people.panels",
                     "tracer.deconfliction.home", "tracer.auth.home"]
