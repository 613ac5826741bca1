"""Sign-in, second factor, sign-out, password and profile pages."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracer.auth import login as login_service
from tracer.auth import mfa, sessions, throttle, tokens
from tracer.auth import services as account_services
from tracer.auth.forms import (ConfirmForm, EnrolForm, LoginForm, NoticeForm, PasswordChangeForm, ReauthForm,
                               SecondFactorForm, TokenForm)
from tracer.auth.models import User
from tracer.core.access import any_account, any_role, public
from tracer.core.errors import ValidationFailed
from tracer.core.forms import LanguageForm, show_errors
from tracer.core.rate_limits import account_key, address_key
from tracer.core.security import safe_next
from tracer.core.translation import gettext as _
from tracer.core.views import bp as core_bp
from tracer.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_TTL = 300  # seconds between the password and the second factor


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _typed_name_key() -> str:
    """The name typed in the sign-in form, normalised as the lockout counts it and kept
    only as a keyed hash (a password typed in the name field must not reach the counters)."""
    typed = request.form.get("username") or ""
    return "name:" + throttle.hashed_name(throttle.username_key(typed))[:32]


def _signing_in_account_key() -> str:
    """The account between its password and its second factor (or enrolling from its profile)."""
    uid = (session.get("pending") or {}).get("uid")
    if uid is None and current_user.is_authenticated:
        uid = current_user.get_id()
    return account_key(uid) if uid is not None else address_key()


# Sign-in attempts count per account name, so the users of one office behind one address (a
# government NAT, TRACER_PROXY_HOPS) never spend each other's allowance; the lockout already
# stops guessing one name. One per-address allowance remains for the sign-in forms together,
# because guessing one common password across many names from one place never trips a per-name
# count; it is ten times the per-name one, room for a whole office signing in at once.
per_name_limit = limiter.limit(_login_limit, key_func=_typed_name_key, methods=["POST"])
per_account_limit = limiter.limit(_login_limit, key_func=_signing_in_account_key, methods=["POST"])
per_address_limit = limiter.shared_limit(_login_address_limit, scope="sign-in-address", key_func=address_key,
                                         methods=["POST"])


def _open_session(user: User, method: str) -> None:
    """A new session id for every sign-in: nothing of the session before it survives."""
    lang = session.get("lang")
    session.clear()
    session["sid"] = login_service.complete_login(user, method)
    if lang:
        session["lang"] = lang
    login_user(user)


def _after_sign_in(user: User, next_url: str | None):
    if user.must_change_password:
        flash(_("Choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(next_url) or url_for("core.home"))


def _pending_user() -> User | None:
    pending = session.get("pending")
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL:
        session.pop("pending", None)
        return None
    user = db.session.get(User, pending.get("uid"))
    return user if user is not None and user.active and user.agency.active else None


def _back_to_login_locked():
    session.pop("pending", None)
    flash(throttle.locked_message(), "error")
    return redirect(url_for("auth.login"))


def _keep_refusal(failure: ValidationFailed) -> None:
    """A wrong password typed again is a failed sign-in: its count and audit are kept
    though the action is refused; nothing else of the request is."""
    if isinstance(failure, throttle.PasswordRefused):
        db.session.commit()


@bp.route("/notice", methods=["GET", "POST"])
@public
def notice():
    """The use-of-system notice, acknowledged before the sign-in form."""
    form = NoticeForm(next=request.args.get("next"))
    if form.validate_on_submit():
        session["notice_ack"] = True
        return redirect(url_for("auth.login", next=safe_next(form.next.data)))
    return render_template("auth/notice.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@per_name_limit
@per_address_limit
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    next_url = safe_next(request.values.get("next"))
    if not session.get("notice_ack"):
        return redirect(url_for("auth.notice", next=next_url))
    form = LoginForm(next=next_url)
    error = None
    if form.validate_on_submit():
        result = login_service.attempt_password(form.username.data, form.password.data)
        if result.status == login_service.OK:
            _open_session(result.user, "password")
            db.session.commit()
            return _after_sign_in(result.user, next_url)
        db.session.commit()
        if result.status in (login_service.NEEDS_MFA, login_service.NEEDS_ENROLMENT):
            session["pending"] = {"uid": result.user.id, "at": time.time(), "next": next_url}
            target = "auth.mfa_verify" if result.status == login_service.NEEDS_MFA else "auth.mfa_setup"
            return redirect(url_for(target))
        locked = result.status == login_service.LOCKED
        error = throttle.locked_message() if locked else _("Incorrect username or password.")
        form.password.data = ""
    status = 401 if error else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/mfa", methods=["GET", "POST"])
@public
@per_account_limit
@per_address_limit
def mfa_verify():
    """Second step of sign-in: a code from the authenticator or a recovery code."""
    user = _pending_user()
    if user is None or not user.mfa_enabled:
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    error = None
    if form.validate_on_submit():
        result = login_service.verify_second_factor(user, form.code.data)
        if result.status == login_service.OK:
            next_url = session.get("pending", {}).get("next")
            _open_session(user, result.method)
            db.session.commit()
            return _after_sign_in(user, next_url)
        db.session.commit()
        if result.status == login_service.LOCKED:
            return _back_to_login_locked()
        error = _("The code is not valid or has already been used.")
    return render_template("auth/mfa_verify.html", form=form, error=error), 401 if error else 200


@bp.route("/mfa/setup", methods=["GET", "POST"])
@public
@per_account_limit
@per_address_limit
def mfa_setup():
    """Enrol an authenticator app: during a sign-in that requires it, or from the profile.
    The secret being enrolled stays on the server until a first code confirms it."""
    pending = _pending_user() if not current_user.is_authenticated else None
    user = current_user._get_current_object() if current_user.is_authenticated else pending
    if user is None:
        return redirect(url_for("auth.login"))
    if user.mfa_enabled:
        return redirect(url_for("auth.profile"))
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        result, codes = login_service.confirm_enrolment(user, form.code.data, during_sign_in=pending is not None)
        if result.status == login_service.OK:
            if pending is not None:
                next_url = session.get("pending", {}).get("next")
                _open_session(user, "password+totp_enrolment")
                session["after_codes"] = next_url
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
        db.session.commit()
        if result.status == login_service.LOCKED:
            return _back_to_login_locked()
        error = _("The code is not valid. Check the time on your phone and try again.")
    secret = mfa.pending_secret(user)
    db.session.commit()
    return render_template("auth/mfa_setup.html", form=form, error=error, secret=secret,
                           qr=mfa.qr_svg_data_uri(mfa.provisioning_uri(user, secret)),
                           required=pending is not None), 400 if error else 200


@bp.get("/continue")
@any_account
def after_enrolment():
    """Where the recovery-code page leads: the page asked for before sign-in."""
    return _after_sign_in(current_user, session.pop("after_codes", None))


@bp.post("/mfa/recovery-codes")
@any_account
def regenerate_recovery_codes():
    form = ReauthForm()
    if form.validate_on_submit() and current_user.mfa_enabled:
        try:
            codes = account_services.regenerate_recovery_codes(current_user, form.password.data)
        except ValidationFailed as failure:
            _keep_refusal(failure)
            show_errors(form, failure)
        else:
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
    return _render_profile(reauth_form=form, status=400)


@bp.post("/logout")
@any_account
def logout():
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("core.home"))
    login_service.logout(current_user, session.get("sid"))
    db.session.commit()
    lang = session.get("lang") or current_user.locale
    logout_user()
    session.clear()
    session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.notice"))


@bp.route("/password", methods=["GET", "POST"])
@any_account
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            account_services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as failure:
            _keep_refusal(failure)
            show_errors(form, failure)
        else:
            _open_session(user, "password_change")  # every other session has ended; this one starts anew
            db.session.commit()
            flash(_("Your password has been changed. Your other sessions have been closed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.get("/profile")
@any_account
def profile():
    return _render_profile()


def _render_profile(new_token: str | None = None, token_form: TokenForm | None = None,
                    reauth_form: ReauthForm | None = None, status: int = 200):
    return render_template(
        "auth/profile.html",
        tokens=tokens.tokens_of(current_user),
        sessions=sessions.live_sessions(current_user),
        token_form=token_form or TokenForm(formdata=None),
        reauth_form=reauth_form or ReauthForm(formdata=None),
        confirm=ConfirmForm(),
        new_token=new_token,
        recovery_left=mfa.remaining_recovery_codes(current_user) if current_user.mfa_enabled else 0,
    ), status


@bp.post("/tokens")
@any_role
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            _, raw = account_services.create_personal_token(current_user, form.name.data, form.password.data)
        except ValidationFailed as failure:
            _keep_refusal(failure)
            show_errors(form, failure)
        else:
            db.session.commit()
            return _render_profile(new_token=raw)
    return _render_profile(token_form=form, status=400)


@bp.post("/tokens/<int:token_id>/revoke")
@any_role
def revoke_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        tokens.revoke_token(current_user, token_id)
        db.session.commit()
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.profile"))


@core_bp.post("/language")
@public
def set_language():
    """The language switch of every page (``core.set_language``): kept in the session, and
    in the account of a signed-in user."""
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            account_services.set_locale(current_user, form.lang.data)
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("core.home"))
