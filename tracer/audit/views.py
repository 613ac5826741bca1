"""The audit trail page: auditors read their scope's whole trail, administrators its
account, permission and reference events (see ``reading``); every read is itself audited."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracer.audit.models import AuditEvent
from tracer.audit.services import record
from tracer.audit.forms import AuditFilterForm
from tracer.audit.labels import action_label
from tracer.audit.reading import readable_events
from tracer.core.access import roles
from tracer.core.forms import show_errors
from tracer.core.pagination import BadListRequest, KeysetPage, by, keyset_page
from tracer.core.time import local_day_start
from tracer.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
# Newest first in the order events were appended (the primary key), unsealed ones too: a late
# page costs what the first does.
EVENT_ORDER = (by(AuditEvent.id, descending=True),)
bp.add_app_template_filter(action_label, "action_label")


@bp.get("")
@roles("admin", "auditor")
def events():
    form = AuditFilterForm(request.args)
    statement = select(AuditEvent).where(readable_events(current_user))
    filters = {}
    if form.validate():
        start, end = form.date_from.data, form.date_to.data
        if form.user.data:
            statement = statement.where(AuditEvent.username == form.user.data.strip().lower())
            filters["user"] = form.user.data
        if form.action.data:
            statement = statement.where(AuditEvent.action.startswith(form.action.data.strip(), autoescape=True))
            filters["action"] = form.action.data
        if form.object_type.data:
            statement = statement.where(AuditEvent.object_type == form.object_type.data.strip())
            filters["object_type"] = form.object_type.data
        if form.object_id.data:
            statement = statement.where(AuditEvent.object_id == form.object_id.data.strip())
            filters["object_id"] = form.object_id.data
        if start:
            statement = statement.where(AuditEvent.occurred_at >= local_day_start(start))
            filters["from"] = start.isoformat()
        if end:
            if end < date.max:  # the last representable day has no day after it
                statement = statement.where(AuditEvent.occurred_at < local_day_start(end + timedelta(days=1)))
            filters["to"] = end.isoformat()
    status = 200
    try:
        page = keyset_page(statement, EVENT_ORDER, request.args.get("cursor"), 50, list_name="audit.events",
                           page=request.args.get("page"))
    except BadListRequest as failure:
        show_errors(form, failure)
        page, status = KeysetPage([], 50, None, 0, False), 400
    details = {"filters": filters, "page": page.page}
    if page.page is None and page.items:  # reached by cursor: which events were read
        details["ids"] = [page.items[0].id, page.items[-1].id]
    record("audit.read", object_type="audit_event", details=details)
    db.session.commit()
    args = {k: v for k, v in request.args.items() if k not in ("page", "cursor")}
    return render_template("audit/events.html", form=form, page=page, args=args), 400 if form.errors else status
