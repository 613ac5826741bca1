"""Possible-same-firearm pages: the analysts' list of open links, a link side by side, the
decision, and the links panel of a firearm page. The routes join the ``tracing`` blueprint
(``add_routes``): their addresses and endpoint names are ``tracing.links`` and so on.

A page that shows a restricted side records a restricted hit (``services.link_views``);
GET pages hold nothing else in their transaction, so they commit those events.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from tracer.core.access import roles
from tracer.core.errors import Conflict, NotFound, ValidationFailed
from tracer.core.forms import HiddenField, PageForm, SelectField, StringField, TextAreaField, show_errors
from tracer.core.pagination import BadListRequest, KeysetPage
from tracer.core.panels import holds
from tracer.core.security import safe_next
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.links import services
from tracer.links.labels import LINK_MATCH_LABELS, register_filters
from tracer.links.models import LINK_MATCHES

case_workers = roles("officer", "analyst", "supervisor")
deciders = roles(*sorted(services.DECIDERS))
PER_PAGE = 25


class LinkDecisionForm(PageForm):
    """Confirm or dismiss: the button pressed carries ``status``."""

    status = StringField()
    version = HiddenField()
    note = TextAreaField(render_kw={"rows": 3, "maxlength": services.NOTE_MAX})
    return_to = HiddenField()

    def values(self) -> dict[str, Any]:
        version = (self.version.data or "").strip()
        return {"status": self.status.data, "note": self.note.data,
                "version": int(version) if version.isascii() and version.isdigit() and len(version) < 10 else -1}


class LinkFilterForm(PageForm):
    class Meta:
        csrf = False

    match = SelectField(validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.match.label.text = _("Match")
        self.match.choices = [SelectChoice("", _("Any"))] + [
            SelectChoice(kind, str(LINK_MATCH_LABELS[kind])) for kind in LINK_MATCHES]

    def chosen(self) -> str | None:
        return self.match.data if self.match.data in LINK_MATCHES else None


def may_decide(user) -> bool:
    return user.role in services.DECIDERS


def link_panel_values(user, firearm) -> dict[str, Any]:
    """Template values of ``tracing/_links_panel.html``: the firearm's links, both directions."""
    links = list(db.session.scalars(services.firearm_links(firearm))) if holds("firearm", firearm, "links") else []
    if not links:  # the budget message shows whether or not there are links: it tells nothing
        return {"firearm_links": [], "links_limit_reached": services.budget_spent(user)}
    views = services.link_views(user, links, "firearm_page", focus_id=firearm.id)
    if views.disclosed:
        db.session.commit()
    return {"firearm_links": views, "links_limit_reached": views.limit_reached, "may_decide_links": may_decide(user),
            "links_next": url_for("firearms.detail", firearm_id=firearm.id, _anchor="links")}


@deciders
def links():
    """The possible links in the user's scope, best first: the analysts' work list."""
    form = LinkFilterForm(request.args)
    status = 200
    try:
        page = services.list_open_links(current_user, form.chosen(), request.args.get("page"), PER_PAGE,
                                        request.args.get("cursor"))
    except BadListRequest as failure:  # the filter stays chosen; the message names the cursor
        flash(failure.message, "error")
        page, status = KeysetPage([], PER_PAGE, None, 0, False), 400
    views = services.link_views(current_user, page.items, "link_list")
    if views.disclosed:
        db.session.commit()
    args = {"match": form.chosen()} if form.chosen() else {}
    return render_template("tracing/links.html", page=page, views=views, form=form, args=args,
                           here=request.full_path), status


def render_link(link, form: LinkDecisionForm | None = None, conflict: Conflict | None = None, status: int = 200):
    """A link: both firearms side by side (the out-of-scope one restricted), and the decision form."""
    views = services.link_views(current_user, [link], "link_page")
    if views.disclosed:
        db.session.commit()
    if not views:  # withheld: the reader's disclosure budget is spent
        raise NotFound(_("Link not found."))
    view = views[0]
    if form is None:
        form = LinkDecisionForm(formdata=None, data={"version": str(link.version),
                                                     "return_to": safe_next(request.args.get("next")) or ""})
    return render_template("tracing/link.html", view=view, link=link, form=form, conflict=conflict,
                           may_decide=may_decide(current_user)), status


@case_workers
def link_detail(link_id: int):
    """A possible same firearm: the two records side by side."""
    return render_link(services.get_link(current_user, link_id))


@deciders
def link_decide(link_id: int):
    """Confirm or dismiss a link; a stale version shows the decision saved since and keeps the note."""
    link = services.get_link(current_user, link_id)
    form = LinkDecisionForm()
    if not form.validate_on_submit():
        form.note.errors = [_("The form has expired; reload the page and try again.")]
        return render_link(link, form, status=400)
    try:
        services.decide_link(current_user, link, form.values())
    except ValidationFailed as failure:
        db.session.rollback()
        show_errors(form, failure)
        return render_link(link, form, status=400)
    except Conflict as conflict:
        form.version.data = str(link.version)
        return render_link(link, form, conflict=conflict, status=409)
    db.session.commit()
    if link.status == "confirmed":
        flash(_("Link confirmed: the two records are the same firearm."), "success")
    else:
        flash(_("Link dismissed: the two records are different firearms."), "success")
    return redirect(safe_next(form.return_to.data) or url_for("tracing.link_detail", link_id=link.id))


def link_panel(firearm) -> str:
    """Records that may be this same firearm, both directions (``tracing/_links_panel.html``)."""
    return render_template("tracing/_links_panel.html", firearm=firearm, **link_panel_values(current_user, firearm))


def add_routes(bp: Blueprint) -> None:
    """The links pages, on the blueprint of the tracing pages."""
    bp.record_once(lambda state: register_filters(state.app))
    bp.add_url_rule("/links", view_func=links, methods=["GET"])
    bp.add_url_rule("/links/<int:link_id>", view_func=link_detail, methods=["GET"])
    bp.add_url_rule("/links/<int:link_id>/decision", view_func=link_decide, methods=["POST"])
