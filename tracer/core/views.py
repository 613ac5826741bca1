"""The home page and the site icon (the language switch joins this blueprint from ``auth.views``)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from tracer.core.access import any_account, public

bp = Blueprint("core", __name__)


@bp.get("/")
@any_account
def home():
    """The landing page of each role: what this user can reach and see."""
    return render_template("core/home.html")


@bp.get("/favicon.ico")
@public
def favicon():
    """The site icon where browsers look for it first (pages also name it with a link)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
