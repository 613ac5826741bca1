"""Who may read personal data (SPEC §2), and the audit event every read leaves: the one rule.

Personal data — a person's name, date of birth, CURP or identification, address — is shown to
analysts and supervisors who may see the case (``cases.services.case_query``). A room that has a
further rule of its own (the tracing room: the liaison officer of the agency a trace request is
addressed to reads that trace's purchaser) passes it as ``also``: a function of the user that
says yes for its own readers. Everyone else learns only that people are recorded.

Every read that shows personal data calls ``audit_read`` in the caller's transaction: ids and
where, never a name, a CURP or a date of birth in the details.
"""
from __future__ import annotations

from typing import Callable, Iterable

from tracer.audit.services import record
from tracer.cases.models import Case
from tracer.cases.services import case_query
from tracer.extensions import db

# Mexican roles that read personal data in the cases they may see.
PERSONAL_DATA_ROLES = frozenset({"analyst", "supervisor"})
# Roles that may record a possessor or associate on a case they see, without reading people back.
RECORDERS = frozenset({"officer", "analyst", "supervisor"})
# Analysts decide likely duplicates.
MERGERS = frozenset({"analyst"})
READ_ACTION = "personal_data.read"


def may_read_personal_data(user, case_id: int | None, also: Callable[[object], bool] | None = None) -> bool:
    """The one rule: an active analyst or supervisor who may see case ``case_id``; or whoever
    ``also(user)`` admits (a higher room's own readers, such as a trace's liaison officer)."""
    if user is None or not getattr(user, "active", False) or not getattr(user, "is_authenticated", True):
        return False
    if also is not None and also(user):
        return True
    if user.role not in PERSONAL_DATA_ROLES or case_id is None:
        return False
    return db.session.scalar(case_query(user).with_only_columns(Case.id).where(Case.id == case_id)) is not None


def may_read_people(user) -> bool:
    """Whether ``user``'s role reads personal data at all (the cases they may see decide the rest)."""
    return bool(user is not None and getattr(user, "active", False) and user.role in PERSONAL_DATA_ROLES)


def audit_read(user, where: str, *, object_type: str, object_id: int, case_id: int | None = None,
               person_ids: Iterable[int] = ()) -> None:
    """Record ``personal_data.read`` in the current transaction: which records, where (the page or
    API operation); ids only. The caller commits it with the page or the answer."""
    details: dict = {"where": where}
    ids = sorted(set(person_ids))
    if ids:
        details["person_ids"] = ids
    record(READ_ACTION, object_type=object_type, object_id=object_id, case_id=case_id, actor=user, details=details)


def case_ids_query(user):
    """``SELECT Case.id`` of the cases ``user`` may see, for subqueries."""
    return case_query(user).with_only_columns(Case.id)

