"""What the case page and the home page show of people, as panels: for analysts and supervisors
the people of the case (an audited read), for officers only how many are recorded and the way to
record one; and for analysts the likely duplicates waiting for them."""
from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from tracer.core.panels import holds
from tracer.core.translation import gettext as _
from tracer.core.worklist import counted, work_card
from tracer.extensions import db
from tracer.people import access, duplicates, services


def case_panel(case) -> Markup | None:
    """The people of the case as the reader may see them; officers see the restricted count."""
    user = current_user
    if user.role not in access.RECORDERS:
        return None
    shown = services.people_of_case(user, case, "case_page") if holds("case", case, "people") \
        else services.CasePeople([], 0, restricted=not access.may_read_people(user))
    if not shown.restricted and shown.rows:
        db.session.commit()  # the read is audited with the page
    # Safe for B704: an autoescaped template, rendered.
    return Markup(render_template("people/_case_panel.html", case=case, shown=shown,  # nosec B704
                                  may_record=user.role in access.RECORDERS))


def people_work(user) -> str | None:
    """The analysts' home card: likely duplicate people waiting for a decision."""
    if user.role not in access.MERGERS:
        return None
    return work_card(_("People"), [
        counted(_("likely duplicate people to review"), url_for("people.duplicates_queue"),
                duplicates.open_pairs(user))])
