"""The report's linked cases: stored whole, shown to each reader through the links service.

The cases linked to a case change whenever another case records a firearm, a trace result or a
ballistic hit, so an approved report keeps the links as they stood: ``linked_cases_section``
stores every directly linked case (``tracer.networks.links.direct_links``), whoever may see it,
with its reference, title, agency and the evidence of each kind. Like personal data, that part
of the content is the same for every reader and covered by the version's hash; what a reader is
shown of it is decided when it is read (``shown_linked_cases``), by the links service's own
rule (``shown_network``, as ``case_links`` applies it on the case page): cases in the reader's
scope in full, another agency's cases as one restricted entry per agency — its contact and the
deconfliction reference, disclosed, counted and audited by that service — and nothing past
the reader's disclosure budget.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracer.auth.models import Agency
from tracer.cases.models import Case
from tracer.core.value_lists import among
from tracer.extensions import db
from tracer.networks import links


def _ids(values) -> list[int]:
    return sorted(value for value in values if value is not None)


def linked_cases_section(case: Case) -> dict[str, Any]:
    """Every case linked directly to ``case`` (plain data, reference order): what links them,
    with the evidence ids of both sides, and the records an owning agency's notice names."""
    graph = links.direct_links(case)
    others = [case_id for case_id in graph.steps if case_id != case.id]
    if not others:
        return {"cases": [], "truncated": graph.truncated}
    found = {other.id: other for other in db.session.scalars(select(Case).where(among(Case.id, others)))}
    acronyms = {row.id: row.acronym for row in db.session.execute(select(Agency.id, Agency.acronym).where(
        Agency.id.in_({graph.agencies[case_id] for case_id in others})))}
    cases = []
    for case_id in others:
        pair = (min(case.id, case_id), max(case.id, case_id))
        kinds = graph.edges.get(pair, {})
        records = graph.records.get(case_id, {})
        cases.append({
            "case_id": case_id, "reference": found[case_id].reference, "title": found[case_id].title,
            "agency_id": graph.agencies[case_id], "agency": acronyms.get(graph.agencies[case_id]),
            "links": {kind: {"ours": _ids(sides.get(case.id, ())), "theirs": _ids(sides.get(case_id, ())),
                             "records": sorted(([firearm, item] for firearm, item in records.get(kind, ())),
                                               key=lambda pair: (pair[0] or 0, pair[1] or 0))}
                      for kind, sides in sorted(kinds.items(), key=lambda item: links.KIND_ORDER[item[0]])}})
    cases.sort(key=lambda entry: entry["reference"])
    return {"cases": cases, "truncated": graph.truncated}


def _stored_graph(case: Case, section: dict[str, Any]) -> links.Graph:
    """The stored links as the links service's graph of ``case`` (one step)."""
    graph = links.Graph(case.id, {case.id: 0}, {case.id: case.owner_agency_id}, truncated=section["truncated"])
    for entry in section["cases"]:
        other = entry["case_id"]
        graph.steps[other] = 1
        graph.agencies[other] = entry["agency_id"]
        edge = graph.edges.setdefault((min(case.id, other), max(case.id, other)), {})
        for kind, sides in entry["links"].items():
            edge[kind] = {case.id: set(sides["ours"]), other: set(sides["theirs"])}
            graph.records.setdefault(other, {})[kind] = {tuple(record) for record in sides["records"]}
    return graph


def shown_linked_cases(reader, case: Case, section: dict[str, Any], shown_in: str) -> dict[str, Any]:
    """What ``reader`` is shown of the stored ``section``: ``entries`` (a case in scope with its
    stored reference, title, agency, kinds and evidence counts; or a restricted entry), whether
    anything stored was withheld, whether the disclosure limit was reached, whether the walk was
    cut. Disclosures are audited in the caller's transaction."""
    stored = {entry["case_id"]: entry for entry in section["cases"]}
    network = links.shown_network(reader, _stored_graph(case, section), shown_in)
    entries, shown_cases = [], 0
    for node, edge in network.neighbours():
        if node.restricted:
            entries.append({"restricted": True, "reference": node.reference, "kinds": list(node.kinds),
                            "agency": {"name": node.agency.name, "acronym": node.agency.acronym,
                                       "contact": node.agency.contact}})
            continue
        entry = stored[node.case.id]
        shown_cases += 1
        entries.append({"restricted": False, "case_id": entry["case_id"], "reference": entry["reference"],
                        "title": entry["title"], "agency": entry["agency"], "kinds": list(edge.kinds),
                        "evidence": [{"kind": kind, "type": edge.evidence[kind][0], "count": edge.counts[kind]}
                                     for kind in edge.kinds]})
    return {"entries": entries, "withheld": shown_cases < len(stored), "limit_reached": network.limit_reached,
            "truncated": section["truncated"]}
