"""Server-side sessions: logout, ends decided elsewhere, timeouts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.auth.helpers import cookie_value, location, path_of, query_of, session_value
from tracer.auth import sessions
from tracer.auth.models import User, UserSession
from tracer.core.models import utcnow
from tracer.extensions import db


def session_row(app, browser) -> UserSession:
    sid = session_value(browser, "sid")
    with app.app_context():
        return db.session.scalar(select(UserSession).where(UserSession.sid_hash == sessions._digest(sid)))


def shift(dbs, browser, **moved_back):
    """Move timestamps of the browser's session row back by the given timedeltas."""
    sid = session_value(browser, "sid")
    with dbs() as session:
        row = session.scalar(select(UserSession).where(UserSession.sid_hash == sessions._digest(sid)))
        for name, delta in moved_back.items():
            setattr(row, name, getattr(row, name) - delta)


def signed_out(response) -> bool:
    return response.status_code == 302 and path_of(response) == "/auth/login"


def test_logout_ends_the_session_and_the_old_cookie_is_worthless(sign_in, app, events):
    browser = sign_in()
    saved = cookie_value(browser)
    row = session_row(app, browser)

    response = browser.logout()
    assert response.status_code == 302
    assert path_of(response) == "/auth/notice"
    assert signed_out(browser.get("/"))

    replay = app.test_client()
    replay.set_cookie("tracer_session", saved)
    assert signed_out(replay.get("/"))
    assert signed_out(replay.get("/auth/profile"))

    with app.app_context():
        ended = db.session.get(UserSession, row.id)
    assert ended.ended_at is not None and ended.end_reason == "logout"
    assert [e.user_id for e in events("logout")] == [browser.user.id]


def test_the_session_cookie_is_http_only_and_same_site(make_user, new_browser):
    user = make_user()
    browser = new_browser()
    response = browser.login(user.username, user.password)
    header = response.headers["Set-Cookie"]
    assert header.startswith("tracer_session=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_session_row_records_where_it_came_from(sign_in, app):
    browser = sign_in()
    row = session_row(app, browser)
    assert row.user_id == browser.user.id
    assert row.ended_at is None
    assert row.source_address == "127.0.0.1"
    assert row.user_agent.startswith("Werkzeug")


def test_admin_end_sessions_takes_effect_at_the_next_request(sign_in, app, events):
    user = sign_in()
    admin = sign_in("admin")
    assert user.get("/").status_code == 200

    response = admin.post(f"/admin/users/{user.user.id}/end-sessions", {})
    assert response.status_code == 302
    assert signed_out(user.get("/"))
    [event] = events("user.sessions_end")
    assert event.details == {"ended": 1}
    assert event.object_id == str(user.user.id)
    # The administrator's own session is untouched.
    assert admin.get("/admin/users").status_code == 200


def test_admin_end_sessions_ends_every_session_of_the_user(make_user, new_browser, sign_in, app):
    user = make_user()
    browsers = [new_browser() for _ in range(3)]
    for browser in browsers:
        assert browser.login(user.username, user.password).status_code == 302
    admin = sign_in("admin")
    admin.post(f"/admin/users/{user.id}/end-sessions", {})
    assert all(signed_out(browser.get("/")) for browser in browsers)
    with app.app_context():
        assert sessions.live_sessions(db.session.get(User, user.id)) == []


def test_disabling_a_user_takes_effect_at_the_next_request(sign_in, new_browser, fetch):
    user = sign_in()
    admin = sign_in("admin")
    assert admin.post(f"/admin/users/{user.user.id}/disable", {}).status_code == 302
    assert signed_out(user.get("/"))
    assert new_browser().login(user.user.username, user.user.password).status_code == 401


def test_disabled_flag_alone_ends_a_live_session(sign_in, dbs, app):
    browser = sign_in()
    row = session_row(app, browser)
    with dbs() as session:
        session.get(User, browser.user.id).active = False
    assert signed_out(browser.get("/"))
    with app.app_context():
        assert db.session.get(UserSession, row.id).end_reason == "disabled"


def test_password_change_ends_other_sessions_and_keeps_this_one(make_user, new_browser, app, fetch):
    user = make_user()
    here, there = new_browser(), new_browser()
    here.login(user.username, user.password)
    there.login(user.username, user.password)
    old_sid = session_value(here, "sid")

    response = here.post("/auth/password", {"current_password": user.password,
                                            "new_password": "a brand new passphrase for tracing",
                                            "confirm": "a brand new passphrase for tracing"})
    assert response.status_code == 302
    assert path_of(response) == "/auth/profile"
    assert here.get("/").status_code == 200
    assert session_value(here, "sid") != old_sid
    assert signed_out(there.get("/"))

    assert new_browser().login(user.username, user.password).status_code == 401
    assert new_browser().login(user.username, "a brand new passphrase for tracing").status_code == 302


def test_idle_timeout_ends_the_session(sign_in, dbs, app):
    browser = sign_in()
    shift(dbs, browser, last_seen_at=timedelta(minutes=31))
    response = browser.get("/auth/profile")
    assert signed_out(response)
    assert query_of(response)["next"] == ["/auth/profile"]
    assert session_value(browser, "sid") is None  # the cookie was cleared with the session
    with app.app_context():
        [row] = db.session.scalars(select(UserSession).where(UserSession.user_id == browser.user.id)).all()
    assert row.end_reason == "idle_timeout"


def test_activity_within_the_idle_limit_keeps_the_session(sign_in, dbs, app):
    browser = sign_in()
    shift(dbs, browser, last_seen_at=timedelta(minutes=29))
    assert browser.get("/").status_code == 200
    # The visit counts as activity: the session is good for another 30 minutes.
    assert utcnow() - session_row(app, browser).last_seen_at < timedelta(minutes=1)


def test_absolute_timeout_ends_even_an_active_session(sign_in, dbs, app):
    browser = sign_in()
    shift(dbs, browser, created_at=timedelta(hours=12, minutes=1))
    assert signed_out(browser.get("/"))
    with app.app_context():
        [row] = db.session.scalars(select(UserSession).where(UserSession.user_id == browser.user.id)).all()
    assert row.end_reason == "absolute_timeout"


def test_a_session_younger_than_the_absolute_limit_lives(sign_in, dbs, app):
    browser = sign_in()
    shift(dbs, browser, created_at=timedelta(hours=11, minutes=58))
    assert browser.get("/").status_code == 200


def test_forged_session_id_gives_no_access(sign_in, app):
    browser = sign_in()
    with browser.client.session_transaction() as session:
        session["sid"] = "x" * 43
    assert signed_out(browser.get("/"))


def test_session_of_one_user_cannot_be_claimed_for_another(sign_in, make_user):
    browser = sign_in()
    other = make_user("admin")
    with browser.client.session_transaction() as session:
        session["_user_id"] = str(other.id)
    assert signed_out(browser.get("/admin/users"))


def test_signed_out_visitor_is_sent_to_login_with_the_page(new_browser):
    response = new_browser().get("/auth/profile?tab=tokens")
    assert signed_out(response)
    assert query_of(response)["next"] == ["/auth/profile?tab=tokens"]
    assert location(response).startswith("/auth/login?")
