"""The home page, the language switch and the site icon."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, send_from_directory, session, url_for
from flask_login import current_user

from tracer.auth import services as account_services
from tracer.core.access import any_account, public
from tracer.core.forms import LanguageForm
from tracer.core.security import safe_next
from tracer.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
@any_account
def home():
    """The landing page of each role: what this user can reach and see."""
    return render_template("core/home.html")


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            account_services.set_locale(current_user, form.lang.data)
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("core.home"))


@bp.get("/favicon.ico")
@public
def favicon():
    """The site icon where browsers look for it first (pages also name it with a link)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
