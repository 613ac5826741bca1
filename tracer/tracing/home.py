"""The tracing work on a home page: for analysts and supervisors the firearms waiting for a
trace request, their drafts and the results returned since their last visit; for officers what
their firearms still lack; for a US partner office the requests waiting, urgent first, with the
age of the oldest."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import func

from tracer.auth.models import User
from tracer.core.i18n import format_days
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.worklist import WorkItem, counted, work_card
from tracer.extensions import db
from tracer.tracing.backlog import BacklogFilters, backlog_counts
from tracer.tracing.models import TraceRequest
from tracer.tracing.requests import may_request, trace_request_query

# Without an earlier sign-in, "since your last visit" reads the last week.
FIRST_VISIT_WINDOW = timedelta(days=7)


def _waited(statement) -> str | None:
    oldest = db.session.scalar(statement.with_only_columns(func.min(TraceRequest.submitted_at)).order_by(None))
    if oldest is None:
        return None
    return _("the oldest has waited %(age)s", age=format_days((utcnow() - oldest).days))


def _partner_work(user: User) -> str:
    waiting = trace_request_query(user).where(TraceRequest.status == "submitted")
    items = []
    for priority, label in (("urgent", _("urgent requests waiting for a result")),
                            ("routine", _("normal-priority requests waiting for a result"))):
        part = waiting.where(TraceRequest.priority == priority)
        items.append(counted(label, url_for("tracing.index", status="submitted", priority=priority), part,
                             note=_waited(part), urgent=priority == "urgent"))
    # Opened by the office and still without a result: the partner's work in hand.
    items.append(counted(_("requests in progress"), url_for("tracing.index", status="in_progress"),
                         trace_request_query(user).where(TraceRequest.status == "in_progress")))
    return work_card(_("Trace requests to answer"), items)


def _case_worker_work(user: User) -> str:
    counts = backlog_counts(user, BacklogFilters())
    missing = WorkItem(_("firearms missing identifiers for a trace"),
                       url_for("tracing.backlog", readiness="not_ready"), counts.not_ready, counts.not_ready_estimated)
    if not may_request(user):
        return work_card(_("Firearms to complete"), [missing],
                         intro=_("Complete what a trace needs: each line of the list links to the field."))
    since = user.previous_login_at or (utcnow() - FIRST_VISIT_WINDOW)
    items = [
        WorkItem(_("firearms ready for a trace request"), url_for("tracing.backlog", readiness="ready"),
                 counts.ready, counts.ready_estimated),
        missing,
        counted(_("trace request drafts"), url_for("tracing.index", status="draft"),
                trace_request_query(user).where(TraceRequest.status == "draft")),
        counted(_("results returned since your last visit"), url_for("tracing.index", status="completed"),
                trace_request_query(user).where(TraceRequest.result_at > since)),
    ]
    return work_card(_("Tracing"), items)


def tracing_work(user: User) -> str | None:
    if user.agency.level == "us" and user.role == "liaison":
        return _partner_work(user)
    if user.role in ("officer", "analyst", "supervisor") and user.agency.level != "us":
        return _case_worker_work(user)
    return None
