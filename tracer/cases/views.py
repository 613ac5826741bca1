"""Case pages: the list, a case, opening and editing one."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracer.cases import case_lists, services
from tracer.cases.case_page import render_case
from tracer.cases.forms import CaseEditForm, CaseFilterForm, CaseForm, priority_labels, status_labels
from tracer.cases.list_rows import case_rows
from tracer.core.access import roles
from tracer.core.errors import Conflict, ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.i18n import date_filter, labels_filter
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.geo.catalog import state_name

bp = Blueprint("cases", __name__, url_prefix="/cases")
readers = roles("officer", "analyst", "supervisor", "liaison")
writers = roles(*sorted(services.CASE_WRITERS))


bp.add_app_template_filter(labels_filter(status_labels), "case_status_label")
bp.add_app_template_filter(labels_filter(priority_labels), "case_priority_label")
# The former name of the ``date`` filter, so that a page still using it writes the one format.
bp.add_app_template_filter(date_filter, "case_date")
bp.add_app_template_global(case_rows, "case_rows")


@bp.app_template_filter("case_state_name")
def _state_name(code: str | None) -> str:
    return state_name(code) or (code or "")


@bp.get("")
@readers
def index():
    """The cases the user may see, filtered and a page at a time, newest first."""
    form = CaseFilterForm(request.args, agencies=case_lists.agencies_in_scope(current_user))
    page, status = KeysetPage([], 25, None, 0, False), 200
    # Without a query string every filter keeps its default, which is valid: nothing to check.
    if not request.args or form.validate():
        try:
            page = case_lists.list_cases(current_user, form.filters(), request.args.get("page"), 25,
                                         request.args.get("cursor"), as_rows=True)
        except (ValidationFailed, BadListRequest) as failure:
            show_errors(form, failure)
            status = 400
    return render_template("cases/index.html", form=form, page=page, args=form.args()), 400 if form.errors else status


@bp.route("/new", methods=["GET", "POST"])
@writers
def new():
    """Open a case for the user's agency; officers lead their own cases unless they choose otherwise."""
    form = CaseForm(data={"lead_officer_id": current_user.id if current_user.role == "officer" else None})
    form.set_lead_choices(services.lead_candidates(current_user.agency_id))
    if form.validate_on_submit():
        try:
            case = services.create_case(current_user, form.values())
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Case %(reference)s opened.", reference=case.reference), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None), 400 if form.errors else 200


@bp.get("/<int:case_id>")
@readers
def detail(case_id: int):
    """A case and its seizures (a stable address other systems link to)."""
    return render_case(services.get_case(current_user, case_id, page=True))


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@writers
def edit(case_id: int):
    """Edit a case. A save over a version someone else saved since shows their values
    beside the user's, keeps what the user typed, and takes the next save as deliberate."""
    case = services.get_case(current_user, case_id)
    services.ensure_may_edit(current_user, case)
    form = CaseEditForm(obj=case)
    form.set_lead_choices(services.lead_candidates(case.owner_agency_id), case.lead_officer)
    conflict = False
    if form.validate_on_submit():
        try:
            services.update_case(current_user, case, form.values(), form.version_number())
        except ValidationFailed as failure:
            show_errors(form, failure)
        except Conflict as error:
            conflict = True
            flash(error.message, "warning")
            form.version.data = str(case.version)
            form.version.raw_data = [form.version.data]
        else:
            db.session.commit()
            flash(_("Case %(reference)s saved.", reference=case.reference), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    status = 409 if conflict else 400 if form.errors else 200
    return render_template("cases/form.html", form=form, case=case, conflict=conflict,
                           typed_lead=_chosen_label(form.lead_officer_id)), status


def _chosen_label(select) -> str | None:
    """The label of the option a select holds now, for showing it beside the saved value."""
    if select.data is None:
        return None
    return next((str(choice.label) for choice in select.choices if str(choice.value) == str(select.data)), None)
