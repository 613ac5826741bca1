"""Cases brought to a status through the workflow itself, for the workflow tests."""
from __future__ import annotations

from tests import factories
from tracer.cases import workflow
from tracer.extensions import db


def case_in_review(agency: str = "FGE-SON", **fields):
    """A case of ``agency`` started and submitted by its lead officer: (case, officer)."""
    officer = factories.user("officer", factories.agency(agency))
    case = factories.case(officer.agency, officer, **fields)
    workflow.transition(officer, case, "start")
    workflow.transition(officer, case, "submit", "Se aseguraron tres armas; dos rastreos pendientes.")
    db.session.commit()
    return case, officer
