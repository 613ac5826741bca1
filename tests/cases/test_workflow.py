"""The case workflow through its service: every transition, who may take it, and bad input."""
from __future__ import annotations

import pytest

from tests import factories
from tests.cases.workflow_helpers import case_in_review
from tracer.audit.models import AuditEvent
from tracer.cases import workflow
from tracer.cases.models import CaseReview
from tracer.cases.signals import case_transitioned
from tracer.core.errors import Conflict, Forbidden, ValidationFailed
from tracer.extensions import db
from sqlalchemy import select


def test_a_case_goes_from_open_to_closed(ctx):
    case, officer = case_in_review()
    assert case.status == "in_review" and case.submitted_at is not None
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    version = case.version
    workflow.transition(supervisor, case, "approve", "Completo.")
    assert case.status == "approved" and case.version == version + 1
    workflow.transition(supervisor, case, "close", "Consignado ante el juez.")
    assert case.status == "closed" and case.closed_at is not None and case.closure_outcome == "Consignado ante el juez."
    workflow.transition(supervisor, case, "reopen", "Nueva evidencia balística.")
    assert case.status == "investigating" and case.closed_at is None


def test_every_transition_is_audited_and_announced(ctx):
    heard = []

    def listener(sender, **kw):
        heard.append((sender.username, kw["action"], kw["from_status"], kw["to_status"], kw["comment"]))

    case_transitioned.connect(listener)
    try:
        case, officer = case_in_review()
        supervisor = factories.user("supervisor", factories.agency("FGR"))
        workflow.transition(supervisor, case, "approve")
        db.session.commit()
    finally:
        case_transitioned.disconnect(listener)
    assert [h[1:4] for h in heard] == [("start", "open", "investigating"), ("submit", "investigating", "in_review"),
                                       ("approve", "in_review", "approved")]
    assert heard[0][0] == officer.username and heard[2][0] == supervisor.username
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                         AuditEvent.action == "case.transition")
                                .order_by(AuditEvent.id)).all()
    assert [e.details["action"] for e in events] == ["start", "submit", "approve"]
    assert events[2].user_id == supervisor.id and events[2].details["to"] == "approved"


def test_returning_keeps_the_comments_by_section_and_each_round(ctx):
    case, officer = case_in_review()
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    workflow.transition(supervisor, case, "return", "Faltan datos.",
                        {"firearms": "Falta el importador del AK-47.", "summary": "  "})
    assert case.status == "investigating"
    assert workflow.open_comments(case) == {"firearms": ["Falta el importador del AK-47."]}
    workflow.transition(officer, case, "submit", "Importador agregado.")
    assert workflow.open_comments(case) == {}
    workflow.transition(supervisor, case, "approve")
    rounds = workflow.review_rounds(case)
    assert [(r.round, r.decision) for r in rounds] == [(2, "approved"), (1, "returned")]
    assert rounds[1].decision_comment == "Faltan datos." and rounds[1].comments[0].section == "firearms"
    assert rounds[0].findings == "Importador agregado." and rounds[0].submitted_by_id == officer.id


def test_approving_a_case_not_in_review_is_a_conflict(ctx):
    case = factories.case("FGE-SON")
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    with pytest.raises(Conflict) as raised:
        workflow.transition(supervisor, case, "approve")
    assert raised.value.details["required_status"] == "in_review"
    assert case.status == "open"


def test_a_supervisor_never_reviews_their_own_case(ctx):
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    case = factories.case("FGE-SON", supervisor, lead_officer_id=supervisor.id)
    workflow.transition(supervisor, case, "start")
    workflow.transition(supervisor, case, "submit", "Hallazgos.")
    for action in ("approve", "return"):
        with pytest.raises(Forbidden):
            workflow.transition(supervisor, case, action, "x")
    assert "approve" not in workflow.allowed_actions(supervisor, case)


def test_a_supervisor_never_reviews_their_own_submission(ctx):
    case = factories.case("FGE-SON")
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    workflow.transition(supervisor, case, "start")
    workflow.transition(supervisor, case, "submit", "Hallazgos.")
    with pytest.raises(Forbidden):
        workflow.transition(supervisor, case, "approve")
    other = factories.user("supervisor", factories.agency("FGE-SON"))
    workflow.transition(other, case, "approve")
    assert case.status == "approved"


@pytest.mark.parametrize("role,agency", [("officer", "FGE-SON"), ("analyst", "FGE-SON"),
                                         ("supervisor", "SSP-SON")])
def test_only_a_supervisor_of_the_owning_agency_or_federal_reviews(agencies, role, agency):
    case, _officer = case_in_review()
    with pytest.raises(Forbidden):
        workflow.transition(factories.user(role, agencies[agency]), case, "approve")
    workflow.transition(factories.user("supervisor", agencies["FGR"]), case, "approve")
    assert case.status == "approved"


@pytest.mark.parametrize("action,status", [("submit", "investigating"), ("return", "in_review"),
                                           ("close", "approved"), ("reopen", "closed")])
def test_a_missing_comment_is_refused_naming_the_field(ctx, action, status):
    case = factories.case("FGE-SON", status=status)
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(supervisor, case, action, "   ")
    assert list(raised.value.fields) == ["comment"]
    assert case.status == status
    assert db.session.scalar(select(CaseReview).where(CaseReview.case_id == case.id)) is None


def test_bad_input_is_refused(ctx):
    case, _officer = case_in_review()
    supervisor = factories.user("supervisor", factories.agency("FGE-SON"))
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(supervisor, case, "archive")
    assert "action" in raised.value.fields
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(supervisor, case, "return", "x", {"weather": "sunny"})
    assert "sections" in raised.value.fields
    with pytest.raises(ValidationFailed) as raised:
        workflow.transition(supervisor, case, "return", "bad\u200bcomment")
    assert "comment" in raised.value.fields
    assert case.status == "in_review"


def test_the_lead_officer_closes_an_approved_case_but_an_officer_cannot_approve(ctx):
    case, officer = case_in_review()
    with pytest.raises(Forbidden):
        workflow.transition(officer, case, "approve")
    workflow.transition(factories.user("supervisor", factories.agency("FGE-SON")), case, "approve")
    assert workflow.allowed_actions(officer, case) == ["close"]
    workflow.transition(officer, case, "close", "Concluido.")
    assert case.status == "closed"
    assert workflow.allowed_actions(officer, case) == []
