"""Network pages: a case's network, the connected groups of the reader's scope, and the exports.

The graph is drawn by static/js/network.js from the JSON in the page's ``data-elements``;
the table beside it says the same, so the page works without JavaScript.
"""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from tracer.audit.services import record
from tracer.cases.services import get_case
from tracer.core.access import roles
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.networks import links
from tracer.networks.export import FORMATS, export
from tracer.networks.forms import GroupFilterForm, NetworkForm
from tracer.networks.groups import GroupFilters, scoped_groups

bp = Blueprint("networks", __name__)
# Case workers read networks of the cases in their scope (a liaison's scope holds only cases
# shared with their office); exports are analysis, for analysts and supervisors (SPEC §2).
readers = roles("officer", "analyst", "supervisor", "liaison")
workers = roles("officer", "analyst", "supervisor")
exporters = roles("analyst", "supervisor")
EXPORTERS = frozenset({"analyst", "supervisor"})
PANEL_READERS = frozenset({"officer", "analyst", "supervisor", "liaison"})


def elements(network: links.Network) -> list[dict]:
    """The network as Cytoscape.js elements: restricted nodes carry their agency only."""
    found = []
    for node in network.nodes:
        if node.restricted:
            data = {"id": node.key, "label": node.agency.acronym, "restricted": True}
        else:
            data = {"id": node.key, "label": node.case.reference, "restricted": False,
                    "center": node is network.center,
                    "url": url_for("networks.case_network", case_id=node.case.id)}
        found.append({"data": data})
    for number, edge in enumerate(network.edges):
        found.append({"data": {"id": f"e{number}", "source": edge.source, "target": edge.target,
                               "kinds": edge.kinds}})
    return found


def _alone(case) -> links.Network:
    """The case by itself: what a page with a bad choice shows beside the error."""
    center = links.Node(f"c{case.id}", 0, case=case)
    return links.Network(center, [center], [])


def _page(network: links.Network, form, status: int = 200, **context):
    db.session.commit()  # what was disclosed is audited and noticed
    return render_template("networks/network.html", network=network, form=form, elements=elements(network),
                           may_export=current_user.role in EXPORTERS, **context), status


@bp.get("/cases/<int:case_id>/network")
@readers
def case_network(case_id: int):
    """The cases linked to this one, up to ``depth`` steps away (1 to 3), by one kind or all."""
    case = get_case(current_user, case_id)
    form = NetworkForm(request.args)
    if not form.validate():
        return _page(_alone(case), form, 400, case=case, group=False)
    kinds = [form.kind.data] if form.kind.data else None
    network = links.case_network(current_user, case, form.depth.data, kinds, shown_in="network_page")
    return _page(network, form, case=case, group=False)


@bp.get("/cases/<int:case_id>/linked-cases")
@readers
def linked_cases(case_id: int):
    """The case page's "linked cases" panel: the cases linked to this one and why, other agencies'
    as restricted entries. The panel alone for the case page, which asks for it (htmx); a page
    of its own for a reader who follows the panel's link without scripts."""
    case = get_case(current_user, case_id)
    network = links.case_links(current_user, case, "case_page")
    db.session.commit()  # what was disclosed is audited and noticed
    template = "networks/_case_panel.html" if request.headers.get("HX-Request") else "networks/linked_cases.html"
    return render_template(template, case=case, network=network, neighbours=network.neighbours()), 200, \
        {"Vary": "HX-Request"}


@bp.get("/network/groups/<int:case_id>")
@readers
def group(case_id: int):
    """The whole connected group this case belongs to (up to the node limit)."""
    case = get_case(current_user, case_id)
    form = NetworkForm(request.args)
    form.validate()
    kinds = [form.kind.data] if form.kind.data and not form.kind.errors else None
    network = links.case_network(current_user, case, None, kinds, shown_in="network_group")
    return _page(network, form, case=case, group=True)


@bp.get("/network")
@workers
def groups():
    """The connected groups of cases in the reader's scope, the largest first."""
    form = GroupFilterForm(request.args)
    listed, limit_reached, status = [], False, 200
    if form.validate():
        filters = GroupFilters(form.kind.data or None, form.seized_from.data, form.seized_to.data,
                               form.state.data or None)
        listed, limit_reached = scoped_groups(current_user, filters)
        db.session.commit()
    else:
        status = 400
    return render_template("networks/groups.html", form=form, groups=listed, limit_reached=limit_reached,
                           args=form.args()), status


@bp.get("/cases/<int:case_id>/network/export/<string:fmt>")
@exporters
def export_network(case_id: int, fmt: str):
    """The network as GraphML or CSV (entities, links): ``group=1`` for the whole group, otherwise
    ``depth`` and ``kind`` as on the page."""
    if fmt not in FORMATS:
        abort(404)
    case = get_case(current_user, case_id)
    form = NetworkForm(request.args)
    whole = request.args.get("group") == "1"
    if not form.validate() and not whole:
        return _page(_alone(case), form, 400, case=case, group=False)
    kinds = [form.kind.data] if form.kind.data and not form.kind.errors else None
    network = links.case_network(current_user, case, None if whole else form.depth.data, kinds,
                                 shown_in="network_export")
    body = export(network, fmt)
    record("network.export", object_type="case", object_id=case.id, case_id=case.id,
           details={"format": fmt, "depth": None if whole else form.depth.data, "group": whole,
                    "kinds": kinds or "all", "nodes": len(network.nodes), "links": len(network.edges)})
    db.session.commit()
    name = f"network-{case.reference}-{local_today():%Y%m%d}.{fmt}"
    return body, 200, {"Content-Type": FORMATS[fmt] + ("; charset=utf-8" if fmt.endswith("csv") else ""),
                       "Content-Disposition": f'attachment; filename="{name}"'}
