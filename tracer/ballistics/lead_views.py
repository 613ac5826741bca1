"""The examiners' queue, a lead's page and the examiner's decision."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracer.ballistics import leads, services
from tracer.ballistics.disclosure import link_sides
from tracer.ballistics.forms import DecisionForm
from tracer.ballistics.models import BallisticLink
from tracer.ballistics.views import bp, examiners, readers
from tracer.core.errors import Conflict, Forbidden, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.pagination import BadListRequest, KeysetPage, by, keyset_page
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms.models import Attachment

# Pending leads oldest first: ix_ballistic_links_status_created_at_id walked forward.
QUEUE_ORDER = (by(BallisticLink.created_at), by(BallisticLink.id))


def pending_leads(user, cursor=None, page=None, per_page=25) -> KeysetPage:
    """One step of the leads ``user`` may see (one side in scope at least), oldest first."""
    statement = services.link_query(user).where(BallisticLink.status == "lead")
    return keyset_page(statement, QUEUE_ORDER, cursor, per_page, page=page, list_name="ballistic-queue")


def decision_form(link: BallisticLink, in_queue: bool = False) -> DecisionForm:
    """An empty decision form for ``link``; in the queue each lead's form has its own field names."""
    return DecisionForm(formdata=None, data={"version": str(link.version)}, prefix=_prefix(link, in_queue))


def _prefix(link: BallisticLink, in_queue: bool) -> str:
    return f"lead{link.id}" if in_queue else ""


@bp.get("/queue")
@examiners
def queue():
    """The examiners' queue: pending leads, oldest first, each with its decision form."""
    try:
        page = pending_leads(current_user, request.args.get("cursor"), request.args.get("page"))
    except BadListRequest as failure:
        flash(failure.message, "error")
        page = KeysetPage([], 25, None, 0, False)
    sides = link_sides(current_user, page.items, "queue")
    if sides.disclosed:
        db.session.commit()  # what was disclosed is audited and noticed
    by_link = {side.link.id: side for side in sides}
    rows = [(link, by_link.get(link.id), leads.may_decide(current_user, link, sides.visible)) for link in page.items]
    return render_template("ballistics/queue.html", page=page, rows=rows, now=utcnow(),
                           forms={link.id: decision_form(link, True) for link in page.items},
                           limit_reached=sides.limit_reached)


def render_lead(link: BallisticLink, form: DecisionForm | None = None, status: int = 200):
    if form is not None and form._prefix:
        # Sent from the queue: shown again on the lead's own page, under its own field names.
        shown = DecisionForm(formdata=None, data={"conclusion": form.conclusion.data, "notes": form.notes.data,
                                                  "reason": form.reason.data, "version": form.version.data})
        for name in ("conclusion", "notes", "reason", "photo"):
            shown[name].errors = list(form[name].errors or [])
        form = shown
    sides = link_sides(current_user, [link], "lead_page")
    if sides.disclosed:
        db.session.commit()
    both = {link.item_a_id, link.item_b_id} <= sides.visible
    photos = list(db.session.scalars(select(Attachment).where(Attachment.ballistic_link_id == link.id)
                                     .order_by(Attachment.id))) if both else []
    return render_template("ballistics/lead.html", link=link, side=sides[0] if sides else None, both=both,
                           photos=photos, form=form or decision_form(link),
                           may_decide=leads.may_decide(current_user, link, sides.visible),
                           crosses_states=leads.crosses_states(link), limit_reached=sides.limit_reached), status


@bp.get("/leads/<int:link_id>")
@readers
def lead(link_id: int):
    """A lead or a hit: both items (or the restricted side), the decision and its comparison photos."""
    return render_lead(services.get_link(current_user, link_id))


@bp.post("/leads/<int:link_id>/decide")
@examiners
def decide(link_id: int):
    """Record the examiner's conclusion, with notes and an optional comparison photo."""
    link = services.get_link(current_user, link_id)
    back_to_queue = request.form.get("from") == "queue"
    form = DecisionForm(prefix=_prefix(link, back_to_queue))
    if not form.validate_on_submit():
        form.conclusion.errors = [_("The form has expired; reload the page and try again.")]
        return render_lead(link, form, 400)
    attachment = None
    has_photo = bool(getattr(form.photo.data, "filename", ""))
    values = form.values()
    try:
        leads.decide(current_user, link, values["conclusion"], values["notes"], values["reason"],
                        expected_version=form.version_number())
        if has_photo:
            checked = files.check_file(form.photo.data, "photo", images_only=True)
            attachment = files.store(checked, user=current_user, owner=("ballistic_link_id", link.id),
                                     case_id=link.item_a.case_id, purpose="comparison")
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        db.session.refresh(link)
        for name, messages in failure.fields.items():
            target = getattr(form, name, None)
            if target is not None and hasattr(target, "errors"):
                target.errors = list(target.errors or []) + list(messages)
            else:
                flash("; ".join(messages), "error")
        return render_lead(link, form, 400)
    except (Conflict, Forbidden) as problem:
        db.session.rollback()
        files.discard(attachment)
        db.session.refresh(link)
        flash(problem.message, "error")
        form.version.data = str(link.version)
        return render_lead(link, form, problem.status)
    except Exception:
        db.session.rollback()
        files.discard(attachment)
        raise
    flash(_("Decision recorded: %(status)s.", status=_status_word(link.status)), "success")
    if back_to_queue:
        return redirect(url_for("ballistics.queue"))
    return redirect(url_for("ballistics.lead", link_id=link.id))


def _status_word(status: str) -> str:
    from tracer.ballistics.labels import ballistic_status_label

    return ballistic_status_label(status)
