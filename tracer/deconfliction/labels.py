"""The words shown for deconfliction notices, in the reader's language."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from tracer.core.i18n import label_filter
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l

CHANNEL_LABELS = {
    "search": _l("serial search"),
    "recording": _l("recording a firearm"),
    "import": _l("file import"),
    "link": _l("link analysis: possible same firearm or linked cases"),
    "ballistic": _l("ballistic lead"),
}
MATCH_LABELS = {
    "exact": _l("Exact match"),
    "lookalike": _l("Differs only by look-alike characters"),
    "edit": _l("One character added, missing or different, or two neighbours swapped"),
    "letters_ignored": _l("Same digits once letters are ignored"),
    "partial": _l("Contains the known characters"),
    "ballistic_hit": _l("Ballistic hit confirmed by an examiner"),
    "ballistic_lead": _l("Ballistic lead awaiting an examiner"),
    "same_firearm": _l("The same firearm in both cases"),
    "same_dealer": _l("Traced to the same dealer"),
    "same_purchaser": _l("The same purchaser or possessor"),
    "multiple_sale": _l("Sold in the same multiple sale"),
}
DIRECTION_LABELS = {"incoming": _l("Incoming"), "outgoing": _l("Outgoing")}

channel_label = label_filter(CHANNEL_LABELS)
match_label = label_filter(MATCH_LABELS)
direction_label = label_filter(DIRECTION_LABELS)


def limit_reached_message() -> str:
    """What a user is told once their disclosure budget is spent: the same words whether or not
    anything was withheld, with their own agency's contact to call."""
    own = getattr(current_user, "agency", None)
    contact = " · ".join(part for part in (own.contact_name, own.contact_phone, own.contact_email) if part) \
        if own is not None else ""
    message = _("You have reached the hourly limit of matches with other agencies' records. Further matches "
                "outside your access are withheld and your supervisor has been alerted. To go on, call your "
                "supervisor or your agency's deconfliction contact.")
    return f"{message} {_('Contact:')} {contact}" if contact else message


def register_filters(app: Flask) -> None:
    """``{{ notice.channel|deconfliction_channel_label }}``, ``{{ notice.match|deconfliction_match_label }}``."""
    app.jinja_env.filters.update(deconfliction_channel_label=channel_label,
                                 deconfliction_match_label=match_label,
                                 deconfliction_direction_label=direction_label)
    app.jinja_env.globals.update(deconfliction_limit_message=limit_reached_message)
