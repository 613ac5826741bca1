"""Administration of agencies and accounts (role ``admin``; no case content)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import false, or_, select
from wtforms.fields import SelectChoice

from tracer.auth import services
from tracer.auth.admin_forms import AgencyForm, UserEditForm, UserForm
from tracer.auth.forms import ConfirmForm
from tracer.auth.models import Agency, LoginThrottle, User
from tracer.auth.scope import managed_agency_scope
from tracer.auth.sessions import live_sessions
from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.forms import show_errors
from tracer.core.models import utcnow
from tracer.core.pagination import paginate
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.core.translation import ngettext
from tracer.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles("admin")


def _managed_agency(agency_id: int) -> Agency:
    """An agency within the administrator's reach, or 404."""
    return db.session.scalar(select(Agency).where(Agency.id == agency_id,
                                                  managed_agency_scope(current_user, Agency.id))) or abort(404)


def _managed_user(user_id: int) -> User:
    """An account of an agency within the administrator's reach, or 404."""
    return db.session.scalar(select(User).where(User.id == user_id,
                                                managed_agency_scope(current_user, User.agency_id))) or abort(404)


def _agency_choices() -> list[SelectChoice]:
    agencies = db.session.scalars(select(Agency).where(managed_agency_scope(current_user, Agency.id))
                                  .order_by(Agency.acronym))
    return [SelectChoice("", _("— choose an agency —"))] + [
        SelectChoice(a.id, f"{a.acronym} — {a.name}") for a in agencies]


@bp.get("/agencies")
@admin_only
def agencies():
    rows = db.session.scalars(select(Agency).where(managed_agency_scope(current_user, Agency.id))
                              .order_by(Agency.level, Agency.acronym)).all()
    return render_template("admin/agencies.html", agencies=rows)


@bp.route("/agencies/new", methods=["GET", "POST"])
@admin_only
def agency_new():
    return _agency_form(None)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@admin_only
def agency_edit(agency_id: int):
    return _agency_form(_managed_agency(agency_id))


def _agency_form(agency: Agency | None):
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            saved = services.save_agency(form.data, agency, actor=current_user)
        except ValidationFailed as failure:
            show_errors(form, failure, aliases={"agency": "agency_id"})
        else:
            db.session.commit()
            flash(_("Agency %(acronym)s saved.", acronym=saved.acronym), "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency), 400 if form.errors else 200


@bp.get("/users")
@admin_only
def users():
    query = (request.args.get("q") or "").strip()[:64]
    statement = (select(User).join(User.agency).where(managed_agency_scope(current_user, User.agency_id))
                 .order_by(User.username))
    if query and forbidden_character(query) is not None:
        # No stored name holds control or invisible characters (and PostgreSQL text cannot hold NUL).
        statement = statement.where(false())
    elif query:
        statement = statement.where(or_(User.username.icontains(query, autoescape=True),
                                        User.full_name.icontains(query, autoescape=True),
                                        Agency.acronym.icontains(query, autoescape=True)))
    locked = request.args.get("locked") == "1"
    if locked:
        statement = statement.where(User.username.in_(select(LoginThrottle.username_key).where(
            LoginThrottle.locked_until > utcnow())))
    page = paginate(statement, request.args.get("page"), 50)
    args = {name: value for name, value in (("q", query), ("locked", "1" if locked else "")) if value}
    return render_template("admin/users.html", page=page, q=query, locked=locked, args=args)


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    form = UserForm()
    form.agency_id.choices = _agency_choices()
    if form.validate_on_submit():
        values = dict(form.data, agency=db.session.get(Agency, form.agency_id.data), must_change_password=True)
        try:
            user, generated = services.create_user(values, form.password.data or None)
        except ValidationFailed as failure:
            show_errors(form, failure, aliases={"agency": "agency_id"})
        else:
            db.session.commit()
            return render_template("admin/user_created.html", user=user, password=generated)
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int):
    user = _managed_user(user_id)
    form = UserEditForm(obj=user)
    form.agency_id.choices = _agency_choices()
    if form.validate_on_submit():
        values = dict(form.data, agency=db.session.get(Agency, form.agency_id.data))
        try:
            services.update_user(user, values, actor=current_user)
        except ValidationFailed as failure:
            show_errors(form, failure, aliases={"agency": "agency_id"})
        else:
            db.session.commit()
            flash(_("User %(username)s saved.", username=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm(),
                           sessions=live_sessions(user)), 400 if form.errors else 200


def _confirmed_user(user_id: int) -> User:
    """The user an action button names, once its CSRF token has been checked."""
    user = _managed_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/users/<int:user_id>/disable")
@admin_only
def user_disable(user_id: int):
    user = _confirmed_user(user_id)
    try:
        services.set_active(user, False, actor=current_user)
    except ValidationFailed as failure:
        flash(" ".join([failure.message] + [m for ms in failure.fields.values() for m in ms]), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    db.session.commit()
    flash(_("User %(username)s disabled; their sessions and tokens no longer work.", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/enable")
@admin_only
def user_enable(user_id: int):
    user = _confirmed_user(user_id)
    services.set_active(user, True)
    db.session.commit()
    flash(_("User %(username)s enabled.", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/reset-mfa")
@admin_only
def user_reset_mfa(user_id: int):
    user = _confirmed_user(user_id)
    services.reset_mfa(user)
    db.session.commit()
    flash(_("Second factor of %(username)s reset; they will need to enrol again.", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/end-sessions")
@admin_only
def user_end_sessions(user_id: int):
    user = _confirmed_user(user_id)
    count = services.end_sessions(user)
    db.session.commit()
    flash(ngettext("%(num)d session of %(username)s ended.", "%(num)d sessions of %(username)s ended.",
                   count, username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/reset-password")
@admin_only
def user_reset_password(user_id: int):
    user = _confirmed_user(user_id)
    password = services.generate_password()
    services.change_password(user, None, password)
    db.session.commit()
    return render_template("admin/user_created.html", user=user, password=password, reset=True)
