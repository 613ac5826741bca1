"""Reference makers and calibers: the administrators' pages (``/admin/reference``) and
the suggestions the seizure form's typeahead asks for (``/reference/.../suggest``)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from tracer.auth.scope import ensure_keeps_national_lists, keeps_national_lists
from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.pagination import paginate
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import reference
from tracer.firearms.labels import FIREARM_TYPE_LABELS
from tracer.firearms.models import Caliber, Manufacturer
from tracer.firearms.reference_forms import (
    AliasForm, CaliberAliasForm, CaliberForm, ManufacturerForm, ReferenceSearchForm,
)
from tracer.geo.countries import country_name

bp = Blueprint("reference", __name__, url_prefix="/admin/reference")
lookup_bp = Blueprint("reference_lookup", __name__, url_prefix="/reference")
admin_only = roles("admin")
# Whoever records or reviews firearms; US liaisons enter trace results, not seizures.
lookup_roles = roles("officer", "analyst", "supervisor", "admin")
SUGGESTIONS = 10


@bp.app_template_filter("country_label")
def country_label(code: str | None) -> str:
    """``{{ firearm.country_code|country_label }}``: the country's name in the user's language."""
    return country_name(code, str(get_locale() or "es"))


@bp.app_template_filter("firearm_types_label")
def firearm_types_label(values) -> str:
    """``{{ caliber.firearm_types|firearm_types_label }}``: "Pistol, Rifle" in the user's language."""
    return ", ".join(str(FIREARM_TYPE_LABELS.get(v, v)) for v in values or ())


def _listing(statement, template: str, endpoint: str):
    form = ReferenceSearchForm(request.args)
    query = form.q.data.strip() if form.validate() and form.q.data else ""
    page = paginate(statement(query), request.args.get("page"), 50)
    return render_template(template, form=form, page=page, q=query, endpoint=endpoint), 400 if form.errors else 200


@bp.get("/manufacturers")
@admin_only
def manufacturers():
    """Makers, their country and aliases; searchable by name or alias."""
    return _listing(reference.manufacturer_listing, "reference/manufacturers.html", "reference.manufacturers")


@bp.route("/manufacturers/new", methods=["GET", "POST"])
@admin_only
def manufacturer_new():
    ensure_keeps_national_lists(current_user)
    form = ManufacturerForm()
    if form.validate_on_submit():
        try:
            maker = reference.create_manufacturer(form.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Manufacturer %(name)s added.", name=maker.name), "success")
            return redirect(url_for("reference.manufacturer", manufacturer_id=maker.id))
    return render_template("reference/manufacturer_form.html", form=form), 400 if form.errors else 200


@bp.route("/manufacturers/<int:manufacturer_id>", methods=["GET", "POST"])
@admin_only
def manufacturer(manufacturer_id: int):
    """A maker with its aliases; the form adds one more."""
    maker = db.session.get(Manufacturer, manufacturer_id) or abort(404)
    if request.method == "POST":
        ensure_keeps_national_lists(current_user)
    form = AliasForm()
    if form.validate_on_submit():
        try:
            added = reference.add_manufacturer_alias(maker, form.alias.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Alias “%(alias)s” added to %(name)s.", alias=added.alias, name=maker.name), "success")
            return redirect(url_for("reference.manufacturer", manufacturer_id=maker.id))
    return render_template("reference/aliases.html", form=form, item=maker, kind="manufacturer",
                           back=url_for("reference.manufacturers")), 400 if form.errors else 200


@bp.get("/calibers")
@admin_only
def calibers():
    """Calibers, the types chambered in them and their aliases; searchable."""
    return _listing(reference.caliber_listing, "reference/calibers.html", "reference.calibers")


@bp.route("/calibers/new", methods=["GET", "POST"])
@admin_only
def caliber_new():
    ensure_keeps_national_lists(current_user)
    form = CaliberForm()
    if form.validate_on_submit():
        try:
            caliber = reference.create_caliber(form.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Caliber %(name)s added.", name=caliber.name), "success")
            return redirect(url_for("reference.caliber", caliber_id=caliber.id))
    return render_template("reference/caliber_form.html", form=form), 400 if form.errors else 200


@bp.route("/calibers/<int:caliber_id>", methods=["GET", "POST"])
@admin_only
def caliber(caliber_id: int):
    """A caliber with its aliases; the form adds one more."""
    row = db.session.get(Caliber, caliber_id) or abort(404)
    if request.method == "POST":
        ensure_keeps_national_lists(current_user)
    form = CaliberAliasForm()
    if form.validate_on_submit():
        try:
            added = reference.add_caliber_alias(row, form.alias.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            db.session.commit()
            flash(_("Alias “%(alias)s” added to %(name)s.", alias=added.alias, name=row.name), "success")
            return redirect(url_for("reference.caliber", caliber_id=row.id))
    return render_template("reference/aliases.html", form=form, item=row, kind="caliber",
                           back=url_for("reference.calibers")), 400 if form.errors else 200


def _suggestions(find):
    query = (request.args.get("q") or "")[:64]
    rows = find(query, SUGGESTIONS) if query.strip() else []
    return jsonify({"items": [{"id": row.id, "name": row.name} for row in rows]})


@lookup_bp.get("/manufacturers/suggest")
@lookup_roles
def suggest_manufacturers():
    """``{"items": [{"id", "name"}]}``: makers matching ``q`` (name or alias)."""
    return _suggestions(reference.suggest_manufacturers)


@lookup_bp.get("/calibers/suggest")
@lookup_roles
def suggest_calibers():
    """``{"items": [{"id", "name"}]}``: calibers matching ``q`` (name or alias)."""
    return _suggestions(reference.suggest_calibers)


def init_app(app: Flask) -> None:
    """Register the reference pages, the suggestions and ``flask reference``."""
    from tracer.firearms.cli import register

    app.register_blueprint(bp)
    app.register_blueprint(lookup_bp)
    # The reference pages offer their forms only to whoever may use them.
    app.add_template_global(lambda: keeps_national_lists(current_user), "keeps_national_lists")
    register(app)
