"""Two supervisors approving the same case at once: exactly one transition (PostgreSQL).

The guarded UPDATE (``WHERE status = 'in_review'``) is what decides: both supervisors
have read the case in review before either acts. This test commits on connections of
its own, so it runs in a blank database of its own, dropped afterwards: what it commits
(audit events, the approved report version) may never be deleted.
"""
from __future__ import annotations

import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from config import TestConfig
from tests import factories
from tests.processes import blank_postgres, real_commits  # noqa: F401  (a fixture)
from tracer import create_app
from tracer.audit.models import AuditEvent
from tracer.auth.models import User
from tracer.cases import workflow
from tracer.cases.models import Case, CaseReview
from tracer.core.errors import Conflict
from tracer.extensions import db


@pytest.fixture
def race_app(blank_postgres):  # noqa: F811  (the imported fixture)
    """An application on a blank PostgreSQL database of its own, at the schema's head."""
    config = type("RaceConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": blank_postgres})
    application = create_app(config)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def real_sessions(race_app):
    """Sessions of new application contexts commit for real, each on its own connection."""
    with real_commits():
        yield


def test_two_supervisors_approving_at_once_make_one_transition(race_app, real_sessions):
    app = race_app
    with app.app_context():
        owner = factories.agency("RACE-SON", name="Fiscalía de prueba de concurrencia", level="state",
                                 state_code="26")
        officer = factories.user("officer", owner, username="race-officer")
        supervisors = [factories.user("supervisor", owner, username=f"race-supervisor-{n}") for n in (1, 2)]
        case = factories.case(owner, officer)
        workflow.transition(officer, case, "start")
        workflow.transition(officer, case, "submit", "Hallazgos.")
        db.session.commit()
        case_id, supervisor_ids = case.id, [s.id for s in supervisors]
        version = case.version
        db.session.remove()

    both_read = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(supervisor_id: int) -> None:
        with app.app_context():
            try:
                supervisor = db.session.get(User, supervisor_id)
                case_read = db.session.get(Case, case_id)
                assert case_read.status == "in_review"
                both_read.wait(timeout=30)
                workflow.transition(supervisor, case_read, "approve")
                db.session.commit()
                outcomes.append("approved")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except BaseException as error:  # noqa: BLE001  (reported by the main thread)
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(sid,)) for sid in supervisor_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval hung"
    assert sorted(outcomes) == ["approved", "conflict"]
    with app.app_context():
        stored = db.session.get(Case, case_id)
        assert (stored.status, stored.version) == ("approved", version + 1)
        transitions = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "case.transition"))
        assert transitions == 3  # start, submit, one approval
        review = db.session.scalar(select(CaseReview).where(CaseReview.case_id == case_id))
        assert review.decision == "approved" and review.decided_by_id in supervisor_ids
        db.session.remove()
