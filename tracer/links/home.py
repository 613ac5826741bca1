"""The links work on a home page: possible same firearms waiting for an analyst's decision."""
from __future__ import annotations

from flask import url_for

from tracer.auth.models import User
from tracer.core.translation import gettext as _
from tracer.core.worklist import counted, work_card
from tracer.links.models import FirearmLink
from tracer.links.services import link_query


def links_work(user: User) -> str | None:
    if user.role not in ("analyst", "supervisor") or user.agency.level == "us":
        return None
    return work_card(_("Possible same firearms"), [
        counted(_("possible matches to decide"), url_for("tracing.links"),
                link_query(user).where(FirearmLink.status == "possible"))])
