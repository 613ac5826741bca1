"""Firearm pages: identity, photos, the chain of custody and its printable record."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import exists, select

from tracer.audit.services import record
from tracer.cases.services import may_edit
from tracer.core.access import roles
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.panels import add_contents, read_contents
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import files, services
from tracer.firearms.forms import CustodyForm, FirearmEditForm, PhotoForm
from tracer.firearms.labels import register_filters
from tracer.firearms.models import Attachment, CustodyEvent
from tracer.geo import countries
from tracer.geo.catalog import state_name

bp = Blueprint("firearms", __name__, url_prefix="/firearms")
case_workers = roles("officer", "analyst", "supervisor")
bp.record_once(lambda state: register_filters(state.app))


def _register_contents(app) -> None:
    """What a firearm holds of the page's own sections, asked with the panels' (``read_contents``)."""
    add_contents(app, "firearm", "custody", lambda firearm_id: exists().where(CustodyEvent.firearm_id == firearm_id))
    add_contents(app, "firearm", "files", lambda firearm_id: exists().where(Attachment.firearm_id == firearm_id))


bp.record_once(lambda state: _register_contents(state.app))


def country_name(code: str | None) -> str:
    """A country's name in the user's language (ISO 3166-1 code kept when unknown)."""
    return countries.country_name(code, str(get_locale() or "es"))


def firearm_files(firearm, chain: list[CustodyEvent]) -> tuple[list[Attachment], dict[int, Attachment]]:
    """The firearm's photos, and the documents attached to its custody entries (``chain``, the
    whole chain as read for the page) by id."""
    rows = list(db.session.scalars(select(Attachment).where(Attachment.firearm_id == firearm.id)
                                   .order_by(Attachment.id)))
    custody_ids = {entry.attachment_id for entry in chain if entry.attachment_id is not None}
    photos = [a for a in rows if a.id not in custody_ids]
    return photos, {a.id: a for a in rows if a.id in custody_ids}


def _chain_view(firearm):
    """The chain in the order things happened, each entry's number within this firearm's chain
    (1, 2, 3 in the order they were recorded, so a number never changes) and the entries
    correcting each one, by number."""
    chain = services.custody_chain(firearm)
    numbers = services.custody_numbers(chain)
    corrected_by: dict[int, list[int]] = {}
    for entry in chain:
        if entry.corrects_id:
            corrected_by.setdefault(entry.corrects_id, []).append(numbers[entry.id])
    return chain, corrected_by, numbers


def render_firearm(firearm, custody_form=None, photo_form=None, custody_summary=None, status: int = 200):
    """The firearm page, with forms holding what the user typed when they come back with errors."""
    held = read_contents("firearm", firearm)
    chain, corrected_by, numbers = _chain_view(firearm) if held["custody"] else ([], {}, {})
    photos = firearm_files(firearm, chain)[0] if held["files"] else []
    if custody_form is None:
        custody_form = CustodyForm(formdata=None)
    custody_form.set_entries(chain, numbers)
    return render_template(
        "firearms/detail.html", firearm=firearm, seizure=firearm.seizure, case=firearm.case,
        country=country_name(firearm.country_code), state=state_name(firearm.seizure.state_code),
        chain=chain, corrected_by=corrected_by, numbers=numbers, photos=photos,
        custody_form=custody_form, photo_form=photo_form or PhotoForm(formdata=None),
        custody_summary=custody_summary or [], may_edit=may_edit(current_user, firearm.case)), status


@bp.get("/<int:firearm_id>")
@case_workers
def detail(firearm_id: int):
    """A firearm: its identity, photos and chain of custody."""
    return render_firearm(services.get_firearm(current_user, firearm_id, page=True))


def _summary(form, failure: ValidationFailed) -> list[tuple]:
    summary = []
    for name, messages in failure.fields.items():
        target = form[name] if name in form._fields and name != "csrf_token" else None
        if target is not None:
            target.errors = list(target.errors or []) + list(messages)
        summary.append((target.id if target is not None else None,
                        target.label.text if target is not None else _("Form"), messages))
    return summary


@bp.post("/<int:firearm_id>/custody")
@case_workers
def add_custody(firearm_id: int):
    """Append an entry (or a correction) to the chain of custody, with an optional document."""
    firearm = services.get_firearm(current_user, firearm_id)
    services.ensure_may_write(current_user, firearm)
    form = CustodyForm()
    if not form.validate_on_submit():
        return render_firearm(firearm, form, status=400,
                              custody_summary=[(None, _("Form"), [_("The form has expired; reload the page and try again.")])])
    attachment = None
    has_file = bool(getattr(form.document.data, "filename", ""))
    try:
        if has_file:
            checked = files.check_file(form.document.data, "document")
            attachment = files.store(checked, user=current_user, firearm=firearm,
                                     strip_location=bool(form.remove_location.data), purpose="custody")
        entry = services.record_custody_event(current_user, firearm, form.values(), attachment=attachment)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        if has_file and "document" not in failure.fields:
            failure.fields["document"] = [_("Files are not kept when the form has errors: choose the file again.")]
        return render_firearm(firearm, form, custody_summary=_summary(form, failure), status=400)
    except Exception:
        db.session.rollback()
        files.discard(attachment)
        raise
    flash(_("Custody entry no. %(id)d recorded.", id=entry.id), "success")
    return redirect(url_for("firearms.detail", firearm_id=firearm.id, _anchor="custody"))


@bp.get("/<int:firearm_id>/custody/print")
@case_workers
def print_custody(firearm_id: int):
    """The chain of custody laid out as the Registro de Cadena de Custodia, for printing."""
    firearm = services.get_firearm(current_user, firearm_id)
    chain, corrected_by, numbers = _chain_view(firearm)
    photos, documents = firearm_files(firearm, chain)
    record("custody.print", object_type="firearm", object_id=firearm.id, case_id=firearm.case_id,
           details={"entries": len(chain), "attachments": [a.sha256 for a in photos + list(documents.values())]})
    db.session.commit()
    return render_template("firearms/custody_print.html", firearm=firearm, seizure=firearm.seizure,
                           case=firearm.case, chain=chain, corrected_by=corrected_by, numbers=numbers, photos=photos,
                           documents=documents, country=country_name(firearm.country_code),
                           state=state_name(firearm.seizure.state_code), now=utcnow())


@bp.route("/<int:firearm_id>/edit", methods=["GET", "POST"])
@case_workers
def edit(firearm_id: int):
    """Correct a firearm's identity. A save over a version someone else saved since
    shows the saved values, keeps what the user typed and takes the next save as deliberate."""
    firearm = services.get_firearm(current_user, firearm_id)
    services.ensure_may_write(current_user, firearm)
    if request.method == "POST":
        form = FirearmEditForm()
    else:
        form = FirearmEditForm(data={**services.editable_values(firearm), "version": str(firearm.version)})
    form.set_choices()
    summary, conflict, status = [], None, 200
    if form.is_submitted():
        if not form.validate():
            summary, status = [(None, _("Form"), [_("The form has expired; reload the page and try again.")])], 400
        else:
            try:
                version = int(form.version.data) if (form.version.data or "").isdigit() else -1
                _saved, warnings = services.update_firearm(current_user, firearm, form.values(), version)
            except ValidationFailed as failure:
                summary, status = _summary(form, failure), 400
            except Conflict as error:
                conflict, status = error, 409
                form.version.data = str(firearm.version)
                form.version.raw_data = [form.version.data]
            else:
                db.session.commit()
                flash(_("Firearm saved."), "success")
                for messages in warnings.values():
                    for message in messages:
                        flash(message, "warning")
                return redirect(url_for("firearms.detail", firearm_id=firearm.id))
    return render_template("firearms/edit.html", form=form, firearm=firearm, summary=summary, conflict=conflict,
                           saved=services.editable_values(firearm), country=country_name), status


def too_large(error):
    """A body over MAX_CONTENT_LENGTH: back to the page with a message instead of a bare error."""
    flash(files.too_large_message(), "error")
    args = request.view_args or {}
    if "firearm_id" in args:
        return redirect(url_for("firearms.detail", firearm_id=args["firearm_id"]), 303)
    if "seizure_id" in args:
        return redirect(url_for("seizures.detail", seizure_id=args["seizure_id"]), 303)
    return redirect(url_for("core.home"), 303)


bp.register_error_handler(413, too_large)  # an oversized custody document
