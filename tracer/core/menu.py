"""The main menu of every page, drawn once per role, language and page in each process.

The menu holds links and their labels only (``templates/_menu.html``): every user of a role
reading a page in a language sees the same menu, and drawing it — a score of addresses and
labels — cost each page most of its layout. What it depends on is the key it is kept under;
it changes otherwise only with the code and the catalogs, that is with a new release, which
starts new processes. Nothing of one user is kept.
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

EXTENSION = "tracer.menus"
TEMPLATE = "_menu.html"
# Roles × languages × pages: a few thousand at most; past this, menus are drawn without being kept.
KEPT_AT_MOST = 4096


def main_menu() -> Markup:
    """The signed-in user's menu for the page being drawn."""
    drawn: dict = current_app.extensions[EXTENSION]
    key = (current_user.role, str(get_locale()), request.endpoint, request.script_root)
    menu = drawn.get(key)
    if menu is None:
        # Safe for B704: an autoescaped template, rendered.
        menu = Markup(render_template(TEMPLATE))  # nosec B704
        if len(drawn) < KEPT_AT_MOST:
            drawn[key] = menu
    return menu


def init_menu(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["main_menu"] = main_menu
