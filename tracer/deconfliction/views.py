"""The Deconfliction page: notices about the agency's records, and what its users were told."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.deconfliction.labels import register_filters
from tracer.deconfliction.notices import READERS, directions_for, list_notices

bp = Blueprint("deconfliction", __name__, url_prefix="/deconfliction")
bp.record_once(lambda state: register_filters(state.app))


@bp.get("")
@roles(*READERS)
def notices():
    """Incoming (another agency matched one of ours) or outgoing (we were told of theirs)."""
    allowed = directions_for(current_user)
    direction = request.args.get("direction") or allowed[0]
    if direction not in allowed:
        abort(404)
    reference = (request.args.get("reference") or "").strip()
    alerts = request.args.get("alerts") == "1"
    error, page = None, None
    try:
        page = list_notices(current_user, direction, request.args.get("cursor"), 25, reference, alerts)
    except ValidationFailed as failure:
        error = failure.fields.get("reference", [failure.message])[0]
    args = {key: value for key, value in (("direction", direction), ("reference", reference),
                                          ("alerts", "1" if alerts else "")) if value}
    return render_template("deconfliction/notices.html", page=page, direction=direction, directions=allowed,
                           reference=reference, alerts=alerts, error=error, args=args,
                           title=_("Deconfliction")), 400 if error else 200
