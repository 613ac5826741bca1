"""Seizure pages: recording a seizure with its firearms, and a seizure's page with its map."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import exists, select

from tracer.cases.models import Case
from tracer.cases.services import case_query, get_case, may_edit
from tracer.core.access import roles
from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import Forbidden, NotFound, ValidationFailed
from tracer.core.panels import add_contents, read_contents
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.translation import ngettext
from tracer.extensions import db
from tracer.firearms.forms import FIREARM_FORM_FIELDS, FirearmRowForm, PhotoForm
from tracer.firearms.labels import CRIME_CATEGORIES
from tracer.firearms.models import Attachment, Caliber, CustodyEvent, Firearm, Manufacturer
from tracer.geo.catalog import municipality_choices, resolve_municipality, state_choices, state_name
from tracer.seizures import services
from tracer.seizures.forms import SeizureForm
from tracer.seizures.maps import map_policy

bp = Blueprint("seizures", __name__, url_prefix="/seizures")
case_workers = roles("officer", "analyst", "supervisor")
RECENT_CASES = 50
ROW_KEY = re.compile(r"^firearms-(\d+)-(\w+)$")


def _register_contents(app) -> None:
    """Whether a seizure has photos (its own or its firearms'), asked with the panels' (``read_contents``)."""
    add_contents(app, "seizure", "photos", lambda seizure_id: exists().where(Attachment.seizure_id == seizure_id)
                 | exists().where(Attachment.firearm_id == Firearm.id, Firearm.seizure_id == seizure_id))


bp.record_once(lambda state: _register_contents(state.app))


# --- recording a seizure ---------------------------------------------------------------------


def _row_id(value: str | None) -> int | None:
    """A row id typed or sent in a form, or None when it cannot name a row."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ROW_ID else None


def _writable_cases(preselected: str | None) -> list[Case]:
    """Recent cases the user may add a seizure to, the preselected one first."""
    statement = case_query(current_user).order_by(Case.created_at.desc(), Case.id.desc()).limit(RECENT_CASES)
    if current_user.agency.level != "federal":
        statement = statement.where(Case.owner_agency_id == current_user.agency_id)
    cases = list(db.session.scalars(statement))
    chosen = _row_id(preselected)
    if preselected and all(c.id != chosen for c in cases):
        try:
            if chosen is None:
                raise NotFound(_("Case not found."))
            cases.insert(0, get_case(current_user, chosen))
        except NotFound:
            if request.method == "GET":
                raise  # a link to a case the user cannot see: 404, as for the case itself
    return cases


def _municipalities(state_code: str | None) -> list[tuple[str, str]]:
    return municipality_choices(state_code) if state_code else []


def _prepare(form: SeizureForm) -> None:
    form.set_choices(_writable_cases(form.case_id.data), services.seizing_agencies_for(current_user), state_choices(),
                     _municipalities(form.state.data))


def _render(form: SeizureForm, summary=None, status: int = 200):
    return render_template(
        "seizures/new.html", form=form, summary=summary or [], crime_categories=CRIME_CATEGORIES,
        row_template=_row_template(), **reference_names()), status


def reference_names() -> dict[str, list[str]]:
    """Canonical maker and caliber names offered while typing (aliases are resolved on saving)."""
    return {"manufacturers": list(db.session.scalars(select(Manufacturer.name).where(Manufacturer.active.is_(True))
                                                     .order_by(Manufacturer.name))),
            "calibers": list(db.session.scalars(select(Caliber.name).where(Caliber.active.is_(True))
                                                .order_by(Caliber.name)))}


def _row_template() -> FirearmRowForm:
    """An empty row named ``firearms-__index__-…`` that the page's script copies."""
    row = FirearmRowForm(prefix="firearms-__index__-")
    row.set_choices()
    return row


def _show_errors(form: SeizureForm, rows: list, fields: dict[str, list[str]]) -> list[tuple]:
    """Put each message next to its field; return the summary (anchor, label, messages)."""
    summary = []
    for key, messages in fields.items():
        target, label = None, None
        match = ROW_KEY.match(key)
        if match and int(match.group(1)) < len(rows) and match.group(2) in FIREARM_FORM_FIELDS:
            entry = rows[int(match.group(1))]
            target = entry.form[match.group(2)]
            shown_as = form.firearms.entries.index(entry) + 1  # the number on the page (empty rows count)
            label = _("Firearm %(n)d — %(field)s", n=shown_as, field=target.label.text)
        elif key in form._fields and key != "firearms" and key != "coordinate_source":
            target = form[key]
            label = target.label.text
        if target is not None:
            target.errors = list(target.errors or []) + list(messages)
        summary.append((target.id if target is not None else None, label or _("Seizure"), messages))
    return summary


def _warning_messages(warnings: dict[str, list[str]]) -> list[str]:
    """The warnings of a saved seizure; firearms are numbered as the seizure page lists them.
    A possible same firearm the user may open links to it."""
    shown = []
    for key, messages in warnings.items():
        match = ROW_KEY.match(key)
        prefix = _("Firearm %(n)d", n=int(match.group(1)) + 1) + ": " if match else ""
        for message in messages:
            other = getattr(message, "firearm_id", None)
            if other is None:
                shown.append(prefix + message)
            else:
                shown.append(escape(prefix + message) + Markup(' <a href="%s">%s</a>') % (
                    url_for("firearms.detail", firearm_id=other), _("Open the other firearm")))
    return shown


def _collect_errors(values: dict, rows: list[dict]) -> dict[str, list[str]]:
    """Every message about the seizure and its rows, for when the case cannot be used."""
    _clean, check = services.check_seizure(current_user, values)
    services.check_firearms(rows, check)
    return check.errors


@bp.route("/new", methods=["GET", "POST"])
@case_workers
def new():
    """Record a seizure and any number of firearms in one of the user's cases."""
    if request.method == "GET":
        form = SeizureForm(data={
            "case_id": request.args.get("case_id", "")[:12], "seized_on": local_today().isoformat(),
            "agency": current_user.agency.acronym, "state": current_user.agency.state_code or "",
        })
        _prepare(form)
        return _render(form)
    form = SeizureForm()
    _prepare(form)
    if not form.validate_on_submit():  # only the CSRF token is checked here
        return _render(form, [(None, _("Form"), [_("The form has expired; reload the page and try again.")])], 400)
    if request.form.get("add_row"):
        if len(form.firearms) < services.MAX_FIREARMS:
            form.firearms.append_entry()
            form.firearms[-1].form.set_choices()
        return _render(form)
    if request.form.get("remove_row", "").isdigit():
        index = int(request.form["remove_row"][:6])
        if len(form.firearms) > 1 and index < len(form.firearms):
            form.firearms.entries.pop(index)
            form.firearms._compact_indices()  # rows stay numbered 0…n-1
        return _render(form)
    if request.form.get("refresh_place"):
        return _render(form)
    rows = form.submitted_rows()
    values, firearm_values = form.values(), [row.form.values() for row in rows]
    try:
        case_id = _row_id(form.case_id.data)
        if case_id is None:
            raise NotFound(_("Case not found."))
        case = get_case(current_user, case_id)
        seizure, warnings = services.create_seizure(current_user, case, values, firearm_values)
    except ValidationFailed as failure:
        return _render(form, _show_errors(form, rows, failure.fields), 400)
    except (NotFound, Forbidden) as problem:
        message = problem.message if isinstance(problem, Forbidden) else _("Choose one of your cases.")
        fields = {"case_id": [message], **_collect_errors(values, firearm_values)}
        db.session.rollback()
        return _render(form, _show_errors(form, rows, fields), 400)
    db.session.commit()
    flash(ngettext("Seizure recorded with %(num)d firearm.", "Seizure recorded with %(num)d firearms.",
                   len(seizure.firearms)), "success")
    for message in _warning_messages(warnings):
        flash(message, "warning")
    return redirect(url_for("seizures.detail", seizure_id=seizure.id))


@bp.get("/municipalities")
@case_workers
def municipalities():
    """``<option>``s of a state's municipalities, for the form's state select (htmx)."""
    state = (request.args.get("state") or "").strip()[:2]
    options = ['<option value="">—</option>'] + [
        f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in _municipalities(state)]
    return "\n".join(options), 200, {"Content-Type": "text/html; charset=utf-8"}


# --- a seizure's page ------------------------------------------------------------------------


def seizure_photos(seizure) -> list[Attachment]:
    """Photos of the seizure and of its firearms (custody documents are shown on their entries)."""
    firearm_ids = [f.id for f in seizure.firearms]
    custody_files = select(CustodyEvent.attachment_id).where(CustodyEvent.attachment_id.is_not(None))
    statement = select(Attachment).where(
        (Attachment.seizure_id == seizure.id) | (Attachment.firearm_id.in_(firearm_ids) if firearm_ids else False),
        Attachment.id.not_in(custody_files), Attachment.content_type.like("image/%")).order_by(Attachment.id)
    return list(db.session.scalars(statement))


def render_seizure(seizure, photo_form=None, status: int = 200):
    """The seizure page, with the photo form holding its error when an upload was refused."""
    municipality = (resolve_municipality(seizure.state_code, seizure.municipality_code)
                    if seizure.municipality_code else None)
    response = current_app.make_response((render_template(
        "seizures/detail.html", seizure=seizure, state=state_name(seizure.state_code),
        municipality=municipality.name if municipality else "",
        photos=seizure_photos(seizure) if read_contents("seizure", seizure)["photos"] else [],
        photo_form=photo_form or PhotoForm(formdata=None), may_edit=may_edit(current_user, seizure.case),
        tile_url=current_app.config.get("MAP_TILE_URL") or "",
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or ""), status))
    policy = map_policy()
    if policy:
        response.headers["Content-Security-Policy"] = policy
    return response


@bp.get("/<int:seizure_id>")
@case_workers
def detail(seizure_id: int):
    """A seizure: when, where, by whom, its firearms, photos and map."""
    return render_seizure(services.get_seizure(current_user, seizure_id, page=True))

