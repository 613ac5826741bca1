"""Sign-in, second factor, sign-out, password and profile pages."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from tracer.audit.services import record
from tracer.auth import login as login_service
from tracer.auth import mfa, sessions, tokens
from tracer.auth import services as account_services
from tracer.auth.forms import ConfirmForm, EnrolForm, LoginForm, NoticeForm, PasswordChangeForm, SecondFactorForm, TokenForm
from tracer.auth.models import User
from tracer.core.access import any_role, public
from tracer.core.errors import ValidationFailed
from tracer.core.security import safe_next
from tracer.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/auth")

PENDING_TTL = 300  # seconds between the password and the second factor
LOCKED_MESSAGE = "locked"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user: User) -> None:
    """A new session id for every sign-in: nothing from before it survives."""
    lang = session.get("lang")
    session.clear()
    session["sid"] = sessions.start_session(user)
    if lang:
        session["lang"] = lang
    login_user(user)


def _finish_login(user: User, method: str, next_url: str | None):
    _start_session(user)
    login_service.complete_login(user, method)
    db.session.commit()
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
    return user if user is not None and user.active else None


def _locked_message() -> str:
    minutes = int(current_app.config["LOGIN_LOCKOUT"].total_seconds() // 60)
    return _("Too many failed attempts. Sign-in is blocked for %(minutes)d minutes.", minutes=minutes)


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
@limiter.limit(_login_limit, methods=["POST"])
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
        db.session.commit()
        if result.status == login_service.OK:
            return _finish_login(result.user, "password", next_url)
        if result.status in (login_service.NEEDS_MFA, login_service.NEEDS_ENROLMENT):
            session["pending"] = {"uid": result.user.id, "at": time.time(), "next": next_url,
                                  "enrol": result.status == login_service.NEEDS_ENROLMENT}
            target = "auth.mfa_verify" if result.status == login_service.NEEDS_MFA else "auth.mfa_setup"
            return redirect(url_for(target))
        error = _locked_message() if result.status == login_service.LOCKED else _("Incorrect username or password.")
        form.password.data = ""
    status = 401 if error else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/mfa", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def mfa_verify():
    """Second step of sign-in: a code from the authenticator or a recovery code."""
    user = _pending_user()
    if user is None or not user.mfa_enabled:
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    error = None
    if form.validate_on_submit():
        code = form.code.data.strip()
        if login_service.is_locked(user.username):
            error = _locked_message()
        elif mfa.check_totp(user, code):
            return _finish_login(user, "password+totp", session.get("pending", {}).get("next"))
        elif mfa.use_recovery_code(user, code):
            record("user.recovery_code_used", object_type="user", object_id=user.id, actor=user)
            return _finish_login(user, "password+recovery_code", session.get("pending", {}).get("next"))
        else:
            status = login_service.register_failure(user.username, "bad_second_factor", user)
            db.session.commit()
            if status == login_service.LOCKED:
                session.pop("pending", None)
                flash(_locked_message(), "error")
                return redirect(url_for("auth.login"))
            error = _("The code is not valid or has already been used.")
    return render_template("auth/mfa_verify.html", form=form, error=error), 401 if error else 200


@bp.route("/mfa/setup", methods=["GET", "POST"])
@public
def mfa_setup():
    """Enrol an authenticator app: during a sign-in that requires it, or from the profile."""
    pending = _pending_user()
    user = current_user if current_user.is_authenticated else pending
    if user is None:
        return redirect(url_for("auth.login"))
    if user.mfa_enabled:
        return redirect(url_for("auth.profile"))
    secret = session.get("mfa_secret") or mfa.new_secret()
    session["mfa_secret"] = secret
    form = EnrolForm()
    error = None
    if form.validate_on_submit():
        if mfa.check_totp(user, form.code.data, secret=secret):
            codes = mfa.enable(user, secret)
            session.pop("mfa_secret", None)
            record("user.mfa_enable", object_type="user", object_id=user.id, actor=user)
            if not current_user.is_authenticated:
                next_url = session.get("pending", {}).get("next")
                _start_session(user)
                login_service.complete_login(user, "password+totp_enrolment")
                session["after_codes"] = next_url
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes)
        error = _("The code is not valid. Check the time on your phone and try again.")
    uri = mfa.provisioning_uri(user, secret)
    return render_template("auth/mfa_setup.html", form=form, error=error, qr=mfa.qr_svg_data_uri(uri),
                           secret=secret, required=pending is not None), 400 if error else 200


@bp.get("/continue")
@any_role
def after_enrolment():
    """Where the recovery-code page leads: the page asked for before sign-in."""
    target = safe_next(session.pop("after_codes", None))
    if current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(target or url_for("core.home"))


@bp.post("/mfa/recovery-codes")
@any_role
def regenerate_recovery_codes():
    form = ConfirmForm()
    if not form.validate_on_submit() or not current_user.mfa_enabled:
        abort(400)
    codes = mfa.issue_recovery_codes(current_user)
    record("user.recovery_codes_regenerate", object_type="user", object_id=current_user.id)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.post("/logout")
@any_role
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    record("logout", object_type="user", object_id=current_user.id)
    sessions.end_session(session.get("sid"), "logout")
    db.session.commit()
    lang = session.get("lang") or current_user.locale
    logout_user()
    session.clear()
    session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.notice"))


@bp.route("/password", methods=["GET", "POST"])
@any_role
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            account_services.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as failure:
            for field, messages in failure.fields.items():
                getattr(form, field).errors = list(messages)
        else:
            _start_session(current_user._get_current_object())  # every other session has ended; this one starts anew
            db.session.commit()
            flash(_("Your password has been changed. Your other sessions have been closed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.get("/profile")
@any_role
def profile():
    return _render_profile()


def _render_profile(new_token: str | None = None, token_form: TokenForm | None = None, status: int = 200):
    return render_template(
        "auth/profile.html",
        tokens=tokens.tokens_of(current_user),
        sessions=sessions.live_sessions(current_user),
        token_form=token_form or TokenForm(formdata=None),
        confirm=ConfirmForm(),
        new_token=new_token,
        recovery_left=mfa.remaining_recovery_codes(current_user) if current_user.mfa_enabled else 0,
    ), status


@bp.post("/tokens")
@any_role
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_profile(token_form=form, status=400)
    _, raw = tokens.issue_token(current_user, form.name.data)
    db.session.commit()
    return _render_profile(new_token=raw)


@bp.post("/tokens/<int:token_id>/revoke")
@any_role
def revoke_token(token_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    tokens.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.profile"))
