"""Ballistics pages: scenes, an item with its custody chain and photos, recording and correcting items."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracer.ballistics import leads, services
from tracer.ballistics import scenes as scene_services
from tracer.ballistics.disclosure import link_sides
from tracer.ballistics.forms import ItemForm, LeadForm, SceneForm
from tracer.ballistics.labels import register_filters
from tracer.ballistics.models import BallisticItem
from tracer.ballistics.scope import visible_items
from tracer.cases.services import get_case
from tracer.core.access import roles
from tracer.core.errors import Conflict, NotFound, ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms import services as firearm_services
from tracer.firearms.forms import CustodyForm, PhotoForm
from tracer.firearms.labels import CRIME_CATEGORIES
from tracer.firearms.models import Attachment, CustodyEvent, Firearm
from tracer.firearms.uploads import too_large
from tracer.geo.catalog import municipality_choices, municipality_name, state_choices, state_name
from tracer.seizures.models import Seizure
from tracer.seizures.views import reference_names

bp = Blueprint("ballistics", __name__, url_prefix="/ballistics")
readers = roles("officer", "analyst", "supervisor")
examiners = roles("analyst")
scene_writers = roles(*sorted(scene_services.SCENE_WRITERS))
bp.register_error_handler(413, too_large)


def _item_case_in_scope(user, item_id: int) -> int:
    return services.get_item(user, item_id).case_id


def _link_case_in_scope(user, link_id: int) -> int:
    link = services.get_link(user, link_id)
    if visible_items(user, (link.item_a, link.item_b)) != {link.item_a_id, link.item_b_id}:
        raise NotFound(_("Not found."))  # comparison photos show both items: both sides only
    return link.item_a.case_id


@bp.record_once
def _register(state) -> None:
    """Template filters, and the photos of items and decisions served like the firearms' files."""
    register_filters(state.app)
    files.register_owner("ballistic_item_id", _item_case_in_scope)
    files.register_owner("ballistic_link_id", _link_case_in_scope)


# --- scenes ----------------------------------------------------------------------------------------------


def _scene_form_page(form: SceneForm, case, scene=None, status: int = 200):
    form.set_place_choices(state_choices(), municipality_choices(form.state.data) if form.state.data else [])
    return render_template("ballistics/scene_form.html", form=form, case=case, scene=scene,
                           crime_categories=CRIME_CATEGORIES), status


def _flash_warnings(warnings: dict[str, list[str]]) -> None:
    for messages in warnings.values():
        for message in messages:
            flash(message, "warning")


@bp.route("/cases/<int:case_id>/scenes/new", methods=["GET", "POST"])
@scene_writers
def new_scene(case_id: int):
    """Record the scene of a shooting in a case."""
    case = get_case(current_user, case_id)
    scene_services.ensure_scene_writer(current_user)
    if request.method == "GET":
        form = SceneForm(data={"state": case.owner_agency.state_code or ""})
        return _scene_form_page(form, case)
    form = SceneForm()
    if not form.validate_on_submit():
        form.occurred_on.errors = [_("The form has expired; reload the page and try again.")]
        return _scene_form_page(form, case, status=400)
    if request.form.get("refresh_place"):
        return _scene_form_page(form, case)
    try:
        scene, warnings = scene_services.create_scene(current_user, case, form.values())
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return _scene_form_page(form, case, status=400)
    db.session.commit()
    flash(_("Scene recorded."), "success")
    _flash_warnings(warnings)
    return redirect(url_for("ballistics.scene", scene_id=scene.id))


@bp.route("/scenes/<int:scene_id>/edit", methods=["GET", "POST"])
@scene_writers
def edit_scene(scene_id: int):
    """Correct a scene; a save over someone else's shows the values saved now."""
    scene = scene_services.get_scene(current_user, scene_id)
    scene_services.ensure_scene_writer(current_user)
    if request.method == "GET":
        form = SceneForm(data={**scene_services.editable_values(scene), "version": str(scene.version)})
        return _scene_form_page(form, scene.case, scene)
    form = SceneForm()
    if not form.validate_on_submit():
        form.occurred_on.errors = [_("The form has expired; reload the page and try again.")]
        return _scene_form_page(form, scene.case, scene, status=400)
    if request.form.get("refresh_place"):
        return _scene_form_page(form, scene.case, scene)
    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    try:
        _saved, warnings = scene_services.update_scene(current_user, scene, form.values(), version)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return _scene_form_page(form, scene.case, scene, status=400)
    except Conflict as conflict:
        db.session.rollback()
        flash(conflict.message, "warning")
        form.version.data = str(scene.version)
        return _scene_form_page(form, scene.case, scene, status=409)
    db.session.commit()
    flash(_("Scene saved."), "success")
    _flash_warnings(warnings)
    return redirect(url_for("ballistics.scene", scene_id=scene.id))


@bp.get("/scenes/<int:scene_id>")
@readers
def scene(scene_id: int):
    """A scene: when and where, and the items recovered there."""
    found = scene_services.get_scene(current_user, scene_id)
    items = list(db.session.scalars(select(BallisticItem).where(BallisticItem.scene_id == found.id)
                                    .order_by(BallisticItem.id)))
    return render_template("ballistics/scene.html", scene=found, items=items, state=state_name(found.state_code),
                           municipality=municipality_name(found.state_code, found.municipality_code),
                           may_write=current_user.role in scene_services.SCENE_WRITERS,
                           may_record=current_user.role in services.EXAMINERS)


# --- recording and correcting items ---------------------------------------------------------------------


def _item_choices(form: ItemForm, case) -> None:
    scenes = scene_services.case_scenes(case)
    seizures = list(db.session.scalars(select(Seizure).where(Seizure.case_id == case.id)
                                       .order_by(Seizure.seized_on, Seizure.id)))
    firearms = list(db.session.scalars(select(Firearm).where(Firearm.case_id == case.id).order_by(Firearm.id)))
    form.set_choices(scenes, seizures, firearms)


def _item_form_page(form: ItemForm, case, item=None, status: int = 200):
    _item_choices(form, case)
    return render_template("ballistics/item_form.html", form=form, case=case, item=item,
                           calibers=reference_names()["calibers"]), status


def _firearm_of(form: ItemForm, case):
    """The firearm the form names, through the user's scope and within ``case``; None when none is named."""
    text = (form.firearm_id.data or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 10:
        return None
    try:
        firearm = firearm_services.get_firearm(current_user, int(text))
    except NotFound:
        return None
    return firearm if firearm.case_id == case.id else None


@bp.route("/cases/<int:case_id>/items/new", methods=["GET", "POST"])
@examiners
def new_item(case_id: int):
    """Record a cartridge case or a bullet from a scene or a seizure of the case, or a test fire of one of its
    firearms (the links from the case, scene, seizure and firearm pages choose the kind and origin)."""
    case = get_case(current_user, case_id)
    services.ensure_examiner(current_user)
    if request.method == "GET":
        args = request.args
        kind = args.get("kind", "")[:20]
        origin = ""
        if args.get("scene_id", "").isdigit():
            origin = f"scene-{args['scene_id'][:10]}"
        elif args.get("seizure_id", "").isdigit():
            origin = f"seizure-{args['seizure_id'][:10]}"
        form = ItemForm(data={"kind": kind, "origin": origin, "firearm_id": args.get("firearm_id", "")[:10]})
        return _item_form_page(form, case)
    form = ItemForm()
    if not form.validate_on_submit():
        form.kind.errors = [_("The form has expired; reload the page and try again.")]
        return _item_form_page(form, case, status=400)
    values = form.values()
    firearm = _firearm_of(form, case)
    if form.firearm_id.data and firearm is None:
        form.firearm_id.errors = [_("Choose a firearm of this case.")]
        return _item_form_page(form, case, status=400)
    try:
        item = services.create_item(current_user, case, values, firearm=firearm)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure, {"scene_id": "origin", "seizure_id": "origin"})
        return _item_form_page(form, case, status=400)
    db.session.commit()
    flash(_("Ballistic item no. %(id)d recorded.", id=item.id), "success")
    return redirect(url_for("ballistics.item", item_id=item.id))


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@examiners
def edit_item(item_id: int):
    """Correct an item's class characteristics and references; its kind and origin stay."""
    item = services.get_item(current_user, item_id)
    services.ensure_examiner(current_user)
    if request.method == "GET":
        form = ItemForm(data={"version": str(item.version)})
        form.fill(services.editable_values(item))
        return _item_form_page(form, item.case, item)
    form = ItemForm()
    if not form.validate_on_submit():
        form.caliber.errors = [_("The form has expired; reload the page and try again.")]
        return _item_form_page(form, item.case, item, status=400)
    version = int(form.version.data) if (form.version.data or "").isdigit() else -1
    try:
        services.update_item(current_user, item, form.values(), version)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure, {"scene_id": "origin", "seizure_id": "origin"})
        return _item_form_page(form, item.case, item, status=400)
    except Conflict as conflict:
        db.session.rollback()
        flash(conflict.message, "warning")
        form.version.data = str(item.version)
        return _item_form_page(form, item.case, item, status=409)
    db.session.commit()
    flash(_("Ballistic item saved."), "success")
    return redirect(url_for("ballistics.item", item_id=item.id))


# --- an item's page -------------------------------------------------------------------------------------


def _item_files(item) -> list[Attachment]:
    custody_files = select(CustodyEvent.attachment_id).where(CustodyEvent.ballistic_item_id == item.id,
                                                             CustodyEvent.attachment_id.is_not(None))
    return list(db.session.scalars(select(Attachment).where(Attachment.ballistic_item_id == item.id,
                                                            Attachment.id.not_in(custody_files))
                                   .order_by(Attachment.id)))


def render_item(item, custody_form=None, photo_form=None, lead_form=None, custody_summary=None, status: int = 200):
    """The item page, with forms holding what the user typed when they come back with errors."""
    chain = firearm_services.custody_chain(item)
    numbers = firearm_services.custody_numbers(chain)
    corrected_by: dict[int, list[int]] = {}
    for entry in chain:
        if entry.corrects_id:
            corrected_by.setdefault(entry.corrects_id, []).append(numbers[entry.id])
    custody_form = custody_form or CustodyForm(formdata=None)
    custody_form.set_entries(chain, numbers)
    links = list(db.session.scalars(services.item_links(item)))
    sides = link_sides(current_user, links, "item_page", focus_ids={item.id})
    if sides.disclosed:
        db.session.commit()  # what was disclosed is audited and noticed
    return render_template(
        "ballistics/item.html", item=item, case=item.case, chain=chain, numbers=numbers, corrected_by=corrected_by,
        custody_form=custody_form, photo_form=photo_form or PhotoForm(formdata=None),
        lead_form=lead_form or LeadForm(formdata=None), custody_summary=custody_summary or [],
        photos=_item_files(item), sides=sides, may_examine=current_user.role in services.EXAMINERS,
        state=state_name(item.state_code)), status


@bp.get("/items/<int:item_id>")
@readers
def item(item_id: int):
    """A ballistic item (a stable address): class characteristics, custody chain, photos, leads and hits."""
    return render_item(services.get_item(current_user, item_id))


@bp.post("/items/<int:item_id>/custody")
@examiners
def add_custody(item_id: int):
    """Append an entry (or a correction) to the item's chain of custody, with an optional document."""
    found = services.get_item(current_user, item_id)
    form = CustodyForm()
    if not form.validate_on_submit():
        return render_item(found, custody_form=form, status=400,
                           custody_summary=[(None, _("Form"), [_("The form has expired; reload the page and try again.")])])
    attachment = None
    has_file = bool(getattr(form.document.data, "filename", ""))
    try:
        if has_file:
            checked = files.check_file(form.document.data, "document")
            attachment = files.store(checked, user=current_user, owner=("ballistic_item_id", found.id),
                                     case_id=found.case_id, strip_location=bool(form.remove_location.data),
                                     purpose="custody")
        entry = firearm_services.record_custody_event(current_user, found, form.values(), attachment=attachment,
                                                      ensure_writer=lambda user, _item: services.ensure_examiner(user))
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        summary = []
        for name, messages in failure.fields.items():
            target = form[name] if name in form._fields and name != "csrf_token" else None
            if target is not None:
                target.errors = list(target.errors or []) + list(messages)
            summary.append((target.id if target is not None else None,
                            target.label.text if target is not None else _("Form"), messages))
        return render_item(found, custody_form=form, custody_summary=summary, status=400)
    except Exception:
        db.session.rollback()
        files.discard(attachment)
        raise
    flash(_("Custody entry no. %(id)d recorded.", id=entry.id), "success")
    return redirect(url_for("ballistics.item", item_id=found.id, _anchor="custody"))


@bp.post("/items/<int:item_id>/photos")
@examiners
def add_photo(item_id: int):
    """Add a photo of an item; its SHA-256 is kept with it."""
    found = services.get_item(current_user, item_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        form.photo.errors = [_("The form has expired; reload the page and try again.")]
        return render_item(found, photo_form=form, status=400)
    attachment = None
    try:
        checked = files.check_file(form.photo.data, "photo", images_only=True)
        attachment = files.store(checked, user=current_user, owner=("ballistic_item_id", found.id),
                                 case_id=found.case_id, strip_location=bool(form.remove_location.data))
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        form.photo.errors = list(failure.fields.get("photo") or [failure.message])
        return render_item(found, photo_form=form, status=400)
    flash(_("Photo added. SHA-256: %(hash)s", hash=attachment.sha256), "success")
    return redirect(url_for("ballistics.item", item_id=found.id, _anchor="photos"))


def find_item(user, text: str | None) -> BallisticItem | None:
    """The item in ``user``'s scope named by its number or its IBIS reference; None otherwise
    (absent and out of scope alike)."""
    text = (text or "").strip()
    if not text or len(text) > 80 or forbidden_character(text) is not None:  # no reference holds one
        return None
    statement = services.item_query(user)
    if text.isdigit() and len(text) < 10:
        found = db.session.scalar(statement.where(BallisticItem.id == int(text)))
        if found is not None:
            return found
    return db.session.scalar(statement.where(BallisticItem.ibis_ref == text))


@bp.post("/items/<int:item_id>/leads")
@examiners
def add_lead(item_id: int):
    """Record by hand a lead between this item and another one."""
    found = services.get_item(current_user, item_id)
    form = LeadForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            form.item_b.errors = [_("The form has expired; reload the page and try again.")]
        return render_item(found, lead_form=form, status=400)
    other = find_item(current_user, form.item_b.data)
    if other is None:
        form.item_b.errors = [_("No item you may see has this number or IBIS reference.")]
        return render_item(found, lead_form=form, status=400)
    try:
        link = leads.create_lead(current_user, found, other, "manual", form.notes.data)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return render_item(found, lead_form=form, status=400)
    db.session.commit()
    flash(_("Lead recorded."), "success")
    if link.caliber_mismatch:
        flash(_("The two items are of different calibers: the lead is flagged."), "warning")
    return redirect(url_for("ballistics.lead", link_id=link.id))
