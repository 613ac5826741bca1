"""The demo leaves cases in every status of the workflow, with a returned-and-resubmitted case."""
from __future__ import annotations

from sqlalchemy import select

from tracer.auth.demo import seed_accounts
from tracer.cases import workflow
from tracer.cases.demo import PREFIX, seed_review_cases
from tracer.cases.models import CASE_STATUSES, Case
from tracer.extensions import db


def test_the_demo_fills_the_review_workflow_once(ctx):
    seed_accounts()
    db.session.commit()
    seed_review_cases(0, 2026)
    cases = db.session.scalars(select(Case).where(Case.carpeta_number.like(f"{PREFIX}/%"))).all()
    assert {case.status for case in cases} == set(CASE_STATUSES)
    resubmitted = next(case for case in cases if case.carpeta_number.endswith("/04"))
    rounds = workflow.review_rounds(resubmitted)
    assert resubmitted.status == "in_review" and [r.decision for r in rounds] == [None, "returned"]
    assert {c.section for c in rounds[1].comments} == {"firearms", "summary"}
    returned = next(case for case in cases if case.carpeta_number.endswith("/05"))
    assert "firearms" in workflow.open_comments(returned)
    seed_review_cases(0, 2026)
    assert len(db.session.scalars(select(Case).where(Case.carpeta_number.like(f"{PREFIX}/%"))).all()) == len(cases)
