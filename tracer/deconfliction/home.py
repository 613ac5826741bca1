"""Deconfliction on a home page: for analysts and supervisors, other agencies told of their
agency's records this week; for supervisors, the alerts of withheld disclosures."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for

from tracer.auth.models import User
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.worklist import counted, work_card
from tracer.deconfliction.models import DeconflictionNotice
from tracer.deconfliction.notices import AGENCY_READERS, notice_query

RECENT = timedelta(days=7)


def deconfliction_work(user: User) -> str | None:
    if user.role not in AGENCY_READERS:
        return None
    week = utcnow() - RECENT
    items = [counted(_("notices about your agency's records in the last 7 days"),
                     url_for("deconfliction.notices", direction="incoming"),
                     notice_query(user, "incoming").where(DeconflictionNotice.created_at >= week))]
    if user.role == "supervisor":
        items.append(counted(_("alerts of withheld matches in the last 7 days"),
                             url_for("deconfliction.notices", direction="outgoing", alerts=1),
                             notice_query(user, "outgoing").where(DeconflictionNotice.withheld.is_(True),
                                                                  DeconflictionNotice.created_at >= week),
                             urgent=True))
    return work_card(_("Deconfliction"), items)
