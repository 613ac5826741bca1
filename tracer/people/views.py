"""People pages: recording a person in a case, a person's page, correcting them, the analysts'
queue of likely duplicates and the merge decision. Every page that shows personal data audits
the read in the transaction it commits."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracer.cases.services import get_case
from tracer.core.access import roles
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.people import access, duplicates, services
from tracer.people.checks import editable_values
from tracer.people.forms import CasePersonForm, CaseRoleForm, DistinctForm, MergeForm, PersonForm
from tracer.people.labels import register_filters
from tracer.people.models import CASE_ROLES, Person

bp = Blueprint("people", __name__)
recorders = roles(*sorted(access.RECORDERS))
readers = roles(*sorted(access.PERSONAL_DATA_ROLES))
mergers = roles(*sorted(access.MERGERS))


@bp.record_once
def _register(state) -> None:
    register_filters(state.app)


def _firearm_choices(case) -> list[tuple[int, str]]:
    firearms = db.session.scalars(select(Firearm).where(Firearm.case_id == case.id).order_by(Firearm.id))
    return [(firearm.id, " ".join(part for part in (firearm.manufacturer_name, firearm.model,
                                                    firearm.serial_number and f"· {firearm.serial_number}") if part))
            for firearm in firearms]


def _case_person_page(form: CasePersonForm, case, status: int = 200):
    allowed = CASE_ROLES if current_user.role in access.PERSONAL_DATA_ROLES else services.OFFICER_ROLES
    form.set_choices(allowed, _firearm_choices(case))
    return render_template("people/case_person_form.html", form=form, case=case), status


@bp.route("/cases/<int:case_id>/people/new", methods=["GET", "POST"])
@recorders
def new_case_person(case_id: int):
    """Record a person (possessor, associate, or for analysts a purchaser) in a case."""
    case = get_case(current_user, case_id)
    if request.method == "GET":
        return _case_person_page(CasePersonForm(data={"role": request.args.get("role", "")[:20]}), case)
    form = CasePersonForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            form.last_names.errors = list(form.last_names.errors) + [
                _("The form has expired; reload the page and try again.")]
        return _case_person_page(form, case, status=400)
    try:
        case_person = services.record_person(case, form.role.data, form.values(), current_user)
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return _case_person_page(form, case, status=400)
    db.session.commit()
    flash(_("Person recorded in the case."), "success")
    if current_user.role in access.PERSONAL_DATA_ROLES:
        return redirect(url_for("people.detail", person_id=case_person.person_id))
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="people"))


@bp.get("/people/<int:person_id>")
@readers
def detail(person_id: int):
    """A person: their details, their roles across the cases the reader may see, the records that
    look like them and the merges that joined records into them."""
    person = services.get_person(current_user, person_id)
    roles_seen = services.roles_of(current_user, person)
    likely = duplicates.likely_duplicates(current_user, person)
    history = duplicates.merge_history(person)
    # Records of the family the reader may not read (another agency's) are named by number only.
    readable = services.readable_ids(current_user, {person.canonical_id, *(m.kept_id for m in history),
                                                    *(m.merged_id for m in history)})
    kept = db.session.get(Person, person.canonical_id) if person.merged else None
    shown = {person.id, *(item.other.id for item in likely), *readable}
    access.audit_read(current_user, "person_page", object_type="person", object_id=person.id, person_ids=shown)
    db.session.commit()
    return render_template("people/detail.html", person=person, roles=roles_seen, likely=likely, history=history,
                           kept=kept, readable=readable, may_merge=current_user.role in access.MERGERS)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@readers
def edit(person_id: int):
    """Correct a person; a save over someone else's newer version shows the values saved now."""
    person = services.get_person(current_user, person_id)
    if request.method == "GET":
        form = PersonForm(data={**editable_values(person), "version": str(person.version)})
        access.audit_read(current_user, "person_edit", object_type="person", object_id=person.id,
                          person_ids=[person.id])
        db.session.commit()
        return render_template("people/person_form.html", form=form, person=person)
    form = PersonForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.update_person(current_user, person, form.person_values(), form.version_number())
        except ValidationFailed as failure:
            db.session.rollback()
            show_errors(form, failure)
            status = 400
        except Conflict as conflict:
            db.session.rollback()
            flash(conflict.message, "warning")
            form.version.data = str(conflict.details.get("version"))
            status = 409
        else:
            db.session.commit()
            flash(_("Person saved."), "success")
            return redirect(url_for("people.detail", person_id=person.id))
    else:
        status = 400
    return render_template("people/person_form.html", form=form, person=person), status


@bp.route("/people/roles/<int:case_person_id>/edit", methods=["GET", "POST"])
@readers
def edit_role(case_person_id: int):
    """Change a person's role in a case, the firearm of the case it concerns, or its notes."""
    row = services.get_case_person(current_user, case_person_id)
    if request.method == "GET":
        form = CaseRoleForm(data={"role": row.role, "firearm_id": str(row.firearm_id or ""), "notes": row.notes})
    else:
        form = CaseRoleForm()
    form.set_choices(_firearm_choices(row.case))
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                services.update_case_person(current_user, row, form.values())
            except ValidationFailed as failure:
                db.session.rollback()
                show_errors(form, failure)
            else:
                db.session.commit()
                flash(_("Role saved."), "success")
                return redirect(url_for("people.detail", person_id=row.person_id))
    access.audit_read(current_user, "role_edit", object_type="case_person", object_id=row.id, case_id=row.case_id,
                      person_ids=[row.person_id])
    db.session.commit()
    return render_template("people/role_form.html", form=form, row=row), status


@bp.get("/people/duplicates")
@readers
def duplicates_queue():
    """Likely duplicates waiting for an analyst, oldest first."""
    page = duplicates.duplicate_queue(current_user, request.args.get("cursor"), request.args.get("page"))
    shown = {pid for pair in page.items for pid in (pair.person_a_id, pair.person_b_id)}
    if shown:
        access.audit_read(current_user, "duplicates_queue", object_type="person_duplicate",
                          object_id=page.items[0].id, person_ids=shown)
    db.session.commit()
    return render_template("people/duplicates.html", page=page, may_merge=current_user.role in access.MERGERS,
                           distinct_form=DistinctForm())


@bp.route("/people/<int:person_id>/merge/<int:other_id>", methods=["GET", "POST"])
@mergers
def merge(person_id: int, other_id: int):
    """Confirm that two records are one person, choosing the record kept, with a reason. A reader who
    may compare the records but not merge them (another agency's record) is told why."""
    first = services.get_person(current_user, person_id)
    second = services.get_person(current_user, other_id)
    refusal = duplicates.merge_refusal(current_user, first, second)
    form = MergeForm()
    form.keep.choices = [(str(p.id), _("Record no. %(id)d", id=p.id)) for p in (first, second)]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            keep, gone = (first, second) if form.keep.data != str(second.id) else (second, first)
            try:
                duplicates.merge_people(current_user, keep, gone, form.reason.data)
            except ValidationFailed as failure:
                db.session.rollback()
                show_errors(form, failure, {"into": "keep"})
                status = 400
            else:
                db.session.commit()
                flash(_("The two records are now one person; both originals are kept."), "success")
                return redirect(url_for("people.detail", person_id=keep.id))
        else:
            status = 400
    else:
        form.keep.data = str(min(first.id, second.id))
    access.audit_read(current_user, "merge_page", object_type="person", object_id=first.id,
                      person_ids=[first.id, second.id])
    db.session.commit()
    return render_template("people/merge.html", form=form, first=first, second=second, refusal=refusal), status


@bp.post("/people/duplicates/<int:pair_id>/distinct")
@mergers
def distinct(pair_id: int):
    """Record that a pair are different people: it leaves the queue."""
    pair = duplicates.get_pair(current_user, pair_id)
    form = DistinctForm()
    if not form.validate_on_submit():
        flash(_("The form has expired; reload the page and try again."), "error")
        return redirect(url_for("people.duplicates_queue"))
    try:
        duplicates.mark_distinct(current_user, pair)
    except ValidationFailed as failure:
        db.session.rollback()
        flash("; ".join(message for messages in failure.fields.values() for message in messages), "warning")
        return redirect(url_for("people.duplicates_queue"))
    db.session.commit()
    flash(_("Recorded: they are not the same person."), "success")
    return redirect(request.form.get("next_url") if request.form.get("next_url", "").startswith("/people/")
                    else url_for("people.duplicates_queue"))
