"""Trace requests for several firearms at once: the backlog's bulk action.

Each firearm goes through ``requests.request_trace`` in its own savepoint: the
refused ones are reported with their reasons and leave nothing behind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


from tracer.auth.models import Agency, User
from tracer.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.services import firearm_query
from tracer.tracing.models import TraceRequest
from tracer.tracing.requests import AlreadyRequested, checked_priority, may_request, request_trace, resolve_addressee

# At most this many firearms in one bulk request: one page of the backlog.
BULK_MAX = 100


@dataclass
class Refusal:
    """A firearm of a bulk request that got no trace request, and why."""

    firearm_id: int
    firearm: Firearm | None
    reasons: list[str]
    trace_number: str | None = None


@dataclass
class BulkOutcome:
    created: list[TraceRequest] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _reasons(problem: DomainError) -> list[str]:
    if isinstance(problem, ValidationFailed) and problem.fields:
        return [message for messages in problem.fields.values() for message in messages]
    return [problem.message]


def _bulk_ids(firearm_ids: list[Any]) -> list[int]:
    """The firearm ids of a bulk request, each once; ``ValidationFailed`` on ``firearm_ids`` when the
    choice is empty, too long or not made of ids."""
    ids: list[int] = []
    bad: list[str] = []
    for value in firearm_ids:
        text = str(value).strip()
        if text.isascii() and text.isdigit() and 0 < int(text) < 2**31:
            ids.append(int(text))
        else:
            bad.append(text[:20])
    ids = list(dict.fromkeys(ids))
    if bad or not ids or len(ids) > BULK_MAX:
        message = (_("Choose firearms from the list.") if bad else
                   _("Choose at least one firearm.") if not ids else
                   _("Choose at most %(max)d firearms at a time.", max=BULK_MAX))
        raise ValidationFailed(_("Please correct the marked fields."), {"firearm_ids": [message]})
    return ids


def bulk_choice(user: User, firearm_ids: list[Any]) -> list[Firearm]:
    """The firearms of a bulk request that ``user`` may see, in the order chosen: what the
    confirmation step lists before anything is written."""
    if not may_request(user):
        raise Forbidden(_("Your role does not allow requesting traces."))
    ids = _bulk_ids(firearm_ids)
    found = {f.id: f for f in db.session.scalars(firearm_query(user).where(Firearm.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def request_traces(user: User, firearm_ids: list[Any], addressed_to: Agency | str | None = None,
                   priority: Any = "routine", submit: bool = True,
                   details: dict[str, Any] | None = None) -> BulkOutcome:
    """Request the traces of several firearms at once (the backlog's bulk action), sent or,
    with ``submit=False``, saved as drafts.

    Each firearm is requested like ``request_trace`` inside its own savepoint:
    those that are not ready, already requested or out of scope are reported
    with the reasons and leave nothing behind; the rest are created. The caller
    commits once, so an unexpected error leaves nothing half-done.
    """
    if not may_request(user):
        raise Forbidden(_("Your role does not allow requesting traces."))
    priority = checked_priority(priority)
    office = resolve_addressee(addressed_to)
    ids = _bulk_ids(firearm_ids)
    found = {f.id: f for f in db.session.scalars(firearm_query(user).where(Firearm.id.in_(ids)))}
    outcome = BulkOutcome()
    for firearm_id in ids:
        firearm = found.get(firearm_id)
        if firearm is None:
            outcome.refused.append(Refusal(firearm_id, None, [_("Firearm not found.")]))
            continue
        try:
            with db.session.begin_nested():
                outcome.created.append(request_trace(user, firearm, office, priority, submit=submit,
                                                     details=details))
        except (ValidationFailed, Conflict, NotFound, Forbidden) as problem:
            number = problem.existing.trace_number if isinstance(problem, AlreadyRequested) else None
            outcome.refused.append(Refusal(firearm_id, firearm, _reasons(problem), number))
    return outcome
