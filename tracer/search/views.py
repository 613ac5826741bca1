"""The serial-number search page."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import format_decimal
from flask_login import current_user

from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.forms import show_errors
from tracer.extensions import db
from tracer.search.forms import MODE_HINTS, SerialSearchForm, match_label
from tracer.search.scope import DEFAULT_LIMIT, search_serials

bp = Blueprint("search", __name__, url_prefix="/search")
bp.add_app_template_filter(match_label, "serial_match_label")
bp.add_app_template_filter(lambda score: format_decimal(score, "0.00"), "serial_match_score")
SEARCHERS = ("officer", "analyst", "supervisor")


@bp.get("/serial")
@roles(*SEARCHERS)
def serial():
    """Search serial numbers: in-scope hits link to their firearm and case, other agencies'
    records show as restricted hits (SPEC §2, §4). An empty query shows the empty form."""
    form = SerialSearchForm(request.args)
    found, status = None, 200
    if (form.q.data or "").strip():
        try:
            found = search_serials(current_user, form.q.data, form.mode.data, form.manufacturer.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
            status = 400
        else:
            db.session.commit()  # the search and its restricted hits are audited
    return render_template("tracing/search.html", form=form, found=found, hints=MODE_HINTS,
                           limit=DEFAULT_LIMIT), status
