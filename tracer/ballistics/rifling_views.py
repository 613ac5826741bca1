"""Rifling pages: the examiners' candidate search (``/ballistics/rifling``) and the
administrators' pages that keep the table (``/admin/reference/rifling``)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracer.ballistics import rifling, rifling_admin
from tracer.ballistics.rifling_forms import RiflingSearchForm, RiflingSpecForm
from tracer.auth.scope import ensure_keeps_national_lists
from tracer.ballistics.rifling_models import RiflingSpec
from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.pagination import BadListRequest, KeysetPage, keyset_page
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.reference_forms import ReferenceSearchForm

bp = Blueprint("rifling", __name__, url_prefix="/ballistics/rifling")
admin_bp = Blueprint("rifling_admin", __name__, url_prefix="/admin/reference/rifling")
# Ballistics is analysts' work (SPEC §2); supervisors review it.
examiners = roles("analyst", "supervisor")
admin_only = roles("admin")
SEARCH_FIELDS = ("caliber", "lands", "twist", "land_width_mm", "groove_width_mm", "tolerance_mm")


@bp.get("")
@examiners
def search():
    """The search form; with a caliber, the makes and models whose rifling fits."""
    form = RiflingSearchForm(request.args)
    candidates, query = None, None
    if any(request.args.get(name) for name in SEARCH_FIELDS):
        try:
            query = rifling.parse_query(request.args)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            candidates = rifling.rifling_candidates(query)
    return render_template("ballistics/rifling.html", form=form, candidates=candidates, query=query,
                           default_tolerance=rifling.DEFAULT_TOLERANCE_MM), 400 if form.errors else 200


@admin_bp.get("")
@admin_only
def index():
    """The rifling table, walked by maker and model; searchable by maker or model."""
    form = ReferenceSearchForm(request.args)
    query = form.q.data.strip() if form.validate() and form.q.data else ""
    status = 400 if form.errors else 200
    try:
        page = keyset_page(rifling_admin.spec_listing(query), rifling_admin.LISTING_KEYS, request.args.get("cursor"),
                           50, list_name="rifling_specs", page=request.args.get("page"))
    except BadListRequest as failure:
        show_errors(form, failure)  # names cursor or page: shown as a message above the list
        page, status = KeysetPage([], 50, None, 0, False), 400
    return render_template("ballistics/rifling_admin.html", form=form, page=page, q=query), status


def _spec_form(spec: RiflingSpec | None):
    ensure_keeps_national_lists(current_user)
    if spec is not None and request.method == "GET":
        form = RiflingSpecForm(data={
            "manufacturer": spec.manufacturer_name, "model": spec.model, "caliber": spec.caliber.name,
            "lands": rifling.POLYGONAL if spec.polygonal else spec.lands, "twist": spec.twist,
            "land_width_mm": spec.land_width_mm, "groove_width_mm": spec.groove_width_mm, "source": spec.source})
    else:
        form = RiflingSpecForm()
    if form.validate_on_submit():
        try:
            if spec is None:
                spec = rifling_admin.create_spec(form.data)
                message = _("Rifling of %(maker)s %(model)s added.", maker=spec.manufacturer_name, model=spec.model)
            else:
                rifling_admin.update_spec(spec, form.data)
                message = _("Rifling of %(maker)s %(model)s saved.", maker=spec.manufacturer_name, model=spec.model)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("rifling_admin.edit", spec_id=spec.id))
    return render_template("ballistics/rifling_form.html", form=form, spec=spec), 400 if form.errors else 200


@admin_bp.route("/new", methods=["GET", "POST"])
@admin_only
def new():
    """Add a row to the rifling table."""
    return _spec_form(None)


@admin_bp.route("/<int:spec_id>", methods=["GET", "POST"])
@admin_only
def edit(spec_id: int):
    """Correct a row of the rifling table."""
    return _spec_form(db.session.get(RiflingSpec, spec_id) or abort(404))


@admin_bp.post("/<int:spec_id>/active")
@admin_only
def set_active(spec_id: int):
    """Retire a row (``active=0``) or bring it back (``active=1``)."""
    spec = db.session.get(RiflingSpec, spec_id) or abort(404)
    ensure_keeps_national_lists(current_user)
    active = request.values.get("active") == "1"
    rifling_admin.set_spec_active(spec, active)
    db.session.commit()
    flash(_("Rifling of %(maker)s %(model)s offered again as a candidate.", maker=spec.manufacturer_name,
            model=spec.model) if active else
          _("Rifling of %(maker)s %(model)s retired: no longer offered as a candidate.",
            maker=spec.manufacturer_name, model=spec.model), "success")
    return redirect(url_for("rifling_admin.edit", spec_id=spec.id))


def init_app(app: Flask) -> None:
    """Register the rifling pages, the IBIS import page, ``flask reference load-rifling`` and
    ``flask import ibis-leads`` (the API route is
    added to the API blueprint when ``rifling_api`` is imported, before that is registered)."""
    from tracer.ballistics import ibis_cli as _ibis_cli  # noqa: F401  (adds import ibis-leads to the import group)
    from tracer.ballistics import rifling_cli as _rifling_cli  # noqa: F401  (adds load-rifling to the reference group)
    from tracer.ballistics.ibis_views import bp as ibis_import_bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ibis_import_bp)
