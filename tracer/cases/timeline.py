"""A case's timeline: what happened to it, read from the audit trail (SPEC §3, Audit).

Every event recorded with the case's id is a candidate; a case worker sees those
of the actions listed in ``TIMELINE_ACTIONS`` — the case's own changes, its
seizures, firearms, custody, files, traces and ballistic work — newest first, a
page at a time along ``ix_audit_events_case_id_id``. Searches, deconfliction
notices and reads of personal data are never shown here (the audit page is for
those), and of an event's details only what ``describe`` picks is shown: status
codes, review comments, agencies and analysts, labelled in the reader's language.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tracer.audit.labels import action_label
from tracer.audit.models import AuditEvent
from tracer.cases.models import Case
from tracer.core.pagination import KeysetPage, keyset_page
from tracer.core.value_lists import among

TIMELINE_ACTIONS = (
    "case.create", "case.update", "case.transition", "case.note_add", "case.share", "case.share_revoke",
    "case.assign", "case.unassign", "seizure.create", "seizure.update", "firearm.create", "firearm.update",
    "custody.create", "attachment.upload", "import.seizures", "trace_request.create", "trace_request.submit",
    "trace_request.result", "firearm_link.decide", "scene.create", "scene.update", "ballistic_item.create",
    "ballistic_item.update", "ballistic_link.create", "ballistic_link.decide",
)
EVENTS_PER_PAGE = 20


@dataclass
class TimelineEntry:
    id: int
    occurred_at: datetime
    username: str | None
    label: str
    action: str
    # What the page shows beside the label: a status change, comments, an agency, an analyst.
    facts: dict[str, Any] = field(default_factory=dict)


def describe(event) -> TimelineEntry:
    """The timeline line of ``event`` (an event, or a row of its ``SHOWN`` columns): its label in
    the reader's language and the details safe to show."""
    details = event.details or {}
    facts: dict[str, Any] = {}
    if event.action == "case.transition":
        facts = {"transition": details.get("action"), "from": details.get("from"), "to": details.get("to"),
                 "comment": details.get("comment"), "sections": details.get("sections") or {},
                 "round": details.get("round")}
    elif event.action in ("case.share", "case.share_revoke"):
        facts = {"agency": details.get("agency")}
    elif event.action in ("case.assign", "case.unassign"):
        facts = {"analyst": details.get("analyst")}
    elif event.action == "case.update":
        facts = {"fields": sorted((details.get("new") or {}).keys())}
    return TimelineEntry(event.id, event.occurred_at, event.username, action_label(event.action), event.action,
                         facts)


# The columns a line shows, not the whole event (its chain, address and browser are the audit page's).
SHOWN = (AuditEvent.id, AuditEvent.occurred_at, AuditEvent.username, AuditEvent.action, AuditEvent.details)


def case_timeline(case: Case, cursor: Any = None, per_page: Any = EVENTS_PER_PAGE) -> KeysetPage:
    """The timeline of ``case`` (which the caller may see), newest first."""
    # The actions as one list parameter: an IN of 25 placeholders is written out again at every run.
    statement = select(*SHOWN).where(AuditEvent.case_id == case.id, among(AuditEvent.action, TIMELINE_ACTIONS),
                                     AuditEvent.outcome == "success")
    page = keyset_page(statement, AuditEvent.id, cursor, per_page, list_name=f"case-timeline-{case.id}",
                       count=False, as_rows=True)
    page.items = [describe(event) for event in page.items]
    return page
