"""A network as files other link-analysis tools read: GraphML (Gephi, yEd, i2 Analyst's Notebook
through its GraphML import) and CSV entity and link lists (i2's and Gephi's spreadsheet imports).

Entities are the reader's cases and, for other agencies' cases, one restricted entity per
agency naming the agency and the deconfliction reference only. Links carry their kinds (SPEC §7
codes) and, between the reader's cases, the number of records of each kind behind them. No
personal data is written.
"""
from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

from tracer.networks.links import Network, Node
from tracer.networks.producers import KINDS

FORMATS = {"graphml": "application/graphml+xml", "entities.csv": "text/csv", "links.csv": "text/csv"}
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
ENTITY_COLUMNS = ("id", "type", "label", "reference", "title", "status", "agency", "state", "restricted",
                  "deconfliction_reference", "kinds")
LINK_COLUMNS = ("source", "target", "kinds", *(f"{kind}_count" for kind in KINDS))


def entity_row(node: Node) -> dict[str, str]:
    """One entity: a case, or an agency standing for its restricted cases."""
    if node.restricted:
        return {"id": node.key, "type": "agency", "label": node.agency.acronym, "reference": "", "title": "",
                "status": "", "agency": node.agency.acronym, "state": "", "restricted": "yes",
                "deconfliction_reference": node.reference or "", "kinds": ";".join(node.kinds)}
    case = node.case
    return {"id": node.key, "type": "case", "label": case.reference, "reference": case.reference,
            "title": case.title, "status": case.status, "agency": case.owner_agency.acronym,
            "state": case.owner_agency.state_code or "", "restricted": "no", "deconfliction_reference": "",
            "kinds": ""}


def link_rows(network: Network) -> list[dict[str, str]]:
    return [{"source": edge.source, "target": edge.target, "kinds": ";".join(edge.kinds),
             **{f"{kind}_count": str(edge.counts.get(kind, 0)) for kind in KINDS}} for edge in network.edges]


def _csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ is read as a formula by spreadsheets: quoted as text.
        writer.writerow({name: ("'" + value if value[:1] in "=+-@" else value) for name, value in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def graphml(network: Network) -> bytes:
    """The network as a GraphML document: node and edge attributes declared as keys."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for name in ENTITY_COLUMNS[1:]:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": name, "for": "node", "attr.name": name,
                                                    "attr.type": "string"})
    for name in LINK_COLUMNS[2:]:
        ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"e_{name}", "for": "edge", "attr.name": name,
                                                    "attr.type": "string" if name == "kinds" else "int"})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": network.center.key, "edgedefault": "undirected"})
    for node in network.nodes:
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": node.key})
        for name, value in entity_row(node).items():
            if name != "id" and value:
                ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": name}).text = value
    for number, row in enumerate(link_rows(network)):
        element = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": f"e{number}", "source": row["source"],
                                                                "target": row["target"]})
        for name, value in row.items():
            if name not in ("source", "target") and value not in ("", "0"):
                ET.SubElement(element, f"{{{GRAPHML_NS}}}data", {"key": f"e_{name}"}).text = value
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")).encode("utf-8")


def export(network: Network, fmt: str) -> bytes:
    """``network`` in ``fmt`` (a key of ``FORMATS``)."""
    if fmt == "graphml":
        return graphml(network)
    if fmt == "entities.csv":
        return _csv(ENTITY_COLUMNS, [entity_row(node) for node in network.nodes])
    return _csv(LINK_COLUMNS, link_rows(network))
