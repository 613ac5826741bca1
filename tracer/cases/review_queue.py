"""The supervisors' review queue: cases in review within their scope, oldest submission first."""
from __future__ import annotations

from typing import Any


from tracer.auth.models import User
from tracer.cases.models import Case
from tracer.cases.services import case_query
from tracer.core.errors import Forbidden
from tracer.core.pagination import KeysetPage, by, keyset_page
from tracer.core.translation import gettext as _

# Walked along ix_cases_status_submitted_at_id.
QUEUE_ORDER = (by(Case.submitted_at), by(Case.id))


def queue_query(user: User):
    """The scoped ``SELECT`` of the cases waiting for review that ``user`` may see."""
    return case_query(user).where(Case.status == "in_review")


def review_queue(user: User, cursor: Any = None, page: Any = 1, per_page: Any = 25) -> KeysetPage:
    """One step of the review queue of ``user`` (a supervisor), oldest submission first."""
    if user.role != "supervisor":
        raise Forbidden(_("Only supervisors review cases."))
    return keyset_page(queue_query(user), QUEUE_ORDER, cursor, per_page, list_name="cases.review", page=page)
