"""The one links service: which cases are linked to which, by which kinds, and what a reader
is shown of them. The API (``GET /api/v1/cases/{id}/links``), the case page's panel, the
network pages and the exports all read it.

A case's neighbourhood is walked breadth first from the case, each step one indexed query
per kind (``producers``), and stops at ``NODE_LIMIT`` cases (then ``truncated``). What the
reader sees is decided once, in ``shown_network``: cases in the reader's scope in full;
the cases of another agency folded into one restricted node per agency — its kinds, its
contact and the deconfliction reference, given by the one disclosure service (channel
``link``), so that the reader never learns how many cases, which ones, or any detail of
them. Past the reader's disclosure budget a restricted node is withheld.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import String, literal, select, union_all

from tracer.auth.models import Agency, User
from tracer.auth.scope import agency_scope, has_shared_cases, shared_case_ids
from tracer.cases.models import Case
from tracer.core.value_lists import among, among_parameter
from tracer.deconfliction.services import AgencyContact, HiddenMatch, budget_spent, disclose
from tracer.extensions import db
from tracer.networks.producers import KINDS, producers

CHANNEL = "link"
# Cases a neighbourhood holds at most: beyond, the walk stops and says so.
NODE_LIMIT = 300
# Evidence rows read per step and kind at most (a dealer of thousands of traces is one link per case).
ROWS_PER_STEP = 5_000
# Rows fetched from the database at a time while walking.
ROWS_PER_FETCH = 250
DEPTHS = (1, 2, 3)
KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


# --- the graph as stored: every case, whoever may see it ------------------------------------------------


@dataclass
class Graph:
    """Cases reached from ``center`` (their step from it) and the links between them: for each
    pair (lower id first) and kind, the evidence ids on each side, and for the owning
    agencies' notices, the firearms and items of each side."""

    center: int
    steps: dict[int, int] = field(default_factory=dict)
    agencies: dict[int, int] = field(default_factory=dict)
    edges: dict[tuple[int, int], dict[str, dict[int, set[int]]]] = field(default_factory=dict)
    records: dict[int, dict[str, set[tuple[int | None, int | None]]]] = field(default_factory=dict)
    truncated: bool = False

    def add(self, kind: str, case_id: int, other_case_id: int, other_agency_id: int, this_ref: int,
            other_ref: int, other_firearm_id: int | None, other_item_id: int | None) -> None:
        pair = (case_id, other_case_id) if case_id < other_case_id else (other_case_id, case_id)
        sides = self.edges.setdefault(pair, {}).setdefault(kind, {})
        sides.setdefault(case_id, set()).add(this_ref)
        sides.setdefault(other_case_id, set()).add(other_ref)
        self.agencies.setdefault(other_case_id, other_agency_id)
        self.records.setdefault(other_case_id, {}).setdefault(kind, set()).add((other_firearm_id, other_item_id))


@lru_cache(maxsize=64)
def _step_statement(kinds: tuple[str, ...], dialect: str, rows: int):
    """Every kind's links of the cases of the parameter ``case_ids`` in one statement (one round
    trip per step), each kind read by its own indexed lookups and bounded by ``rows`` (one row
    more tells that a kind had more). Built once per choice of kinds: building it costs more
    than running it."""
    parts = []
    for producer in producers(kinds):
        found = producer.neighbours(lambda column: among_parameter(column, "case_ids", dialect)).subquery()
        parts.append(select(literal(producer.kind, String).label("kind"), *found.c).limit(rows + 1))
    statement = union_all(*[part.subquery().select() for part in parts]) if len(parts) > 1 else parts[0]
    return statement.execution_options(yield_per=ROWS_PER_FETCH)


def _walk(graph: Graph, kinds: tuple[str, ...], case_ids: list[int], step: int, limit: int, reached: list[int]) -> bool:
    """Add the links of ``case_ids`` to ``graph`` (the cases first met at ``step`` to ``reached``);
    True when the graph is full. The rows are streamed: once the graph is full the walk stops
    reading, and the database stops producing, so a dealer of thousands of traces costs what the
    page can hold, not what the dealer sold."""
    read = dict.fromkeys(kinds, 0)
    statement = _step_statement(kinds, db.session.get_bind().dialect.name, ROWS_PER_STEP)
    with db.session.execute(statement, {"case_ids": case_ids}) as rows:
        for kind, case_id, other_case_id, other_agency_id, this_ref, other_ref, firearm_id, item_id in rows:
            read[kind] += 1
            if read[kind] > ROWS_PER_STEP:
                graph.truncated = True  # this kind's links of these cases were cut
                continue
            if other_case_id not in graph.steps:
                if len(graph.steps) >= limit:
                    graph.truncated = True
                    return True
                graph.steps[other_case_id] = step
                reached.append(other_case_id)
            graph.add(kind, case_id, other_case_id, other_agency_id, this_ref, other_ref, firearm_id, item_id)
    return False


def neighbourhood(case: Case, depth: int | None, kinds: Collection[str] | None = None,
                  limit: int = NODE_LIMIT) -> Graph:
    """The cases linked to ``case`` within ``depth`` steps (None: the whole connected group, up to
    ``limit`` cases), by ``kinds`` (every kind when empty). Not scoped: ``shown_network`` is.
    Past ``limit`` cases, or ``ROWS_PER_STEP`` links of one kind in a step, the graph is cut
    (``truncated``) and holds the cases met first, the nearest ones."""
    graph = Graph(case.id, {case.id: 0}, {case.id: case.owner_agency_id})
    frontier, step = [case.id], 0
    chosen = tuple(producer.kind for producer in producers(kinds))
    while frontier and (depth is None or step < depth):
        step += 1
        reached: list[int] = []
        for start in range(0, len(frontier), 500):
            if _walk(graph, chosen, frontier[start:start + 500], step, limit, reached):
                return graph
        frontier = reached
    return graph


# --- what a reader sees -------------------------------------------------------------------------------


@dataclass
class Node:
    """A case in the reader's scope, or one restricted node standing for another agency's cases."""

    key: str
    step: int
    case: Case | None = None
    agency: AgencyContact | None = None
    kinds: list[str] = field(default_factory=list)
    reference: str | None = None
    references: dict[str, str] = field(default_factory=dict)

    @property
    def restricted(self) -> bool:
        return self.case is None


@dataclass
class Edge:
    """A line between two nodes: its kinds and, between cases in scope, the evidence of each kind
    (``evidence[kind]`` = (type, ids); counts only toward a restricted node)."""

    source: str
    target: str
    kinds: list[str]
    evidence: dict[str, tuple[str, list[int]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Network:
    center: Node
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False
    limit_reached: bool = False

    def edges_of(self, key: str) -> list[Edge]:
        return [edge for edge in self.edges if key in (edge.source, edge.target)]

    def neighbours(self) -> list[tuple[Node, Edge]]:
        """The nodes linked to the centre, each with its line to it: cases first, then agencies."""
        by_key = {node.key: node for node in self.nodes}
        found = [(by_key[edge.target if edge.source == self.center.key else edge.source], edge)
                 for edge in self.edges_of(self.center.key)]
        return sorted(found, key=lambda pair: (pair[0].restricted, pair[0].case.reference if pair[0].case else
                                               pair[0].agency.acronym))


def _ordered(kinds) -> list[str]:
    return sorted(set(kinds), key=KIND_ORDER.__getitem__)


def _evidence_type(kind: str) -> str:
    return {producer.kind: producer.evidence for producer in producers()}[kind]


def visible_agency_ids(user: User, agency_ids: Collection[int]) -> set[int]:
    """Which of ``agency_ids`` are in ``user``'s scope (the scope of every case read)."""
    ids = set(agency_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Agency.id).where(Agency.id.in_(ids), agency_scope(user, Agency.id))))


def visible_case_ids(user: User, agencies: dict[int, int]) -> set[int]:
    """Which of the cases (id → owning agency) are in ``user``'s scope: by the agency rule, or
    shared with the user's agency (``tracer.auth.scope``)."""
    shown = visible_agency_ids(user, set(agencies.values()))
    seen = {case_id for case_id, agency in agencies.items() if agency in shown}
    rest = [case_id for case_id in agencies if case_id not in seen]
    if rest and user.active and user.role not in ("admin", "auditor") and has_shared_cases(user):
        for start in range(0, len(rest), 500):
            seen.update(db.session.scalars(select(Case.id).where(among(Case.id, rest[start:start + 500]),
                                                                 Case.id.in_(shared_case_ids(user)))))
    return seen


def _cases(ids: Collection[int]) -> dict[int, Case]:
    found: dict[int, Case] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        found.update((case.id, case) for case in db.session.scalars(
            select(Case).where(among(Case.id, ids[start:start + 500]))))
    return found


def shown_network(user: User, graph: Graph, shown_in: str) -> Network:
    """What ``user`` sees of ``graph`` (its centre fetched through their scope): see the module's
    docstring. Disclosures are audited and noticed in the caller's transaction: the caller commits."""
    cases = _cases(visible_case_ids(user, graph.agencies))
    node_of: dict[int, str] = {}
    nodes: dict[str, Node] = {}
    for case_id, step in sorted(graph.steps.items(), key=lambda item: (item[1], item[0])):
        agency_id = graph.agencies[case_id]
        if case_id in cases:
            node_of[case_id] = f"c{case_id}"
            nodes[node_of[case_id]] = Node(node_of[case_id], step, case=cases[case_id])
        else:
            node_of[case_id] = f"a{agency_id}"
            nodes.setdefault(node_of[case_id], Node(node_of[case_id], step))
    lines: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = {}
    hidden: dict[tuple[str, str], list[HiddenMatch]] = {}
    for (a, b), kinds in graph.edges.items():
        if a not in node_of or b not in node_of or node_of[a] == node_of[b]:
            continue
        ends = sorted((node_of[a], node_of[b]))
        if all(nodes[end].restricted for end in ends):
            continue  # between other agencies' cases: nothing of it is the reader's to know
        line = lines.setdefault((ends[0], ends[1]), {})
        for kind, sides in kinds.items():
            for case_id, refs in sides.items():
                line.setdefault(kind, {}).setdefault(node_of[case_id], set()).update(refs)
                if nodes[node_of[case_id]].restricted:
                    hidden.setdefault((node_of[case_id], kind), []).extend(
                        HiddenMatch(firearm_id, graph.agencies[case_id], kind, item_id)
                        for firearm_id, item_id in sorted(graph.records.get(case_id, {}).get(kind, ()),
                                                          key=lambda pair: (pair[0] or 0, pair[1] or 0)))
    limit_reached = _disclose(user, graph, nodes, hidden, shown_in)
    edges = []
    for (source, target), kinds in sorted(lines.items()):
        if source not in nodes or target not in nodes:
            continue  # a restricted node withheld
        restricted = [nodes[end] for end in (source, target) if nodes[end].restricted]
        told = _ordered(kind for kind in kinds if not restricted or kind in restricted[0].kinds)
        if not told:
            continue
        edge = Edge(source, target, told)
        for kind in told:
            if restricted:
                edge.counts[kind] = 1
            else:
                refs = sorted(set().union(*kinds[kind].values()))
                edge.evidence[kind] = (_evidence_type(kind), refs)
                edge.counts[kind] = len(refs)
        edges.append(edge)
    linked = {end for edge in edges for end in (edge.source, edge.target)}
    center = nodes[f"c{graph.center}"]
    shown = [node for node in nodes.values() if node is center or node.key in linked]
    return Network(center, shown, edges, graph.truncated, limit_reached)


def _disclose(user: User, graph: Graph, nodes: dict[str, Node], hidden: dict[tuple[str, str], list[HiddenMatch]],
              shown_in: str) -> bool:
    """Each restricted node through the disclosure service: one group per agency and kind, shown
    again without cost to the same agency. A node of which nothing was told is removed."""
    matches = [match for group in hidden.values() for match in group]
    if matches:
        told = disclose(user, CHANNEL, matches, subject=f"case:{graph.center}", case_id=graph.center,
                        details={"shown_in": shown_in})
        by_agency = {node.key: node for node in nodes.values() if node.restricted}
        acronyms = {agency.id: agency.acronym for agency in db.session.scalars(
            select(Agency).where(Agency.id.in_({match.agency_id for match in matches})))}
        keys = {acronym: f"a{agency_id}" for agency_id, acronym in acronyms.items()}
        for disclosure in told.shown:
            node = by_agency.get(keys.get(disclosure.agency.acronym, ""))
            if node is None:
                continue
            node.agency = disclosure.agency
            node.kinds = _ordered([*node.kinds, disclosure.match])
            node.references[disclosure.match] = disclosure.reference
        for node in by_agency.values():
            if node.kinds:
                node.reference = node.references[node.kinds[0]]
    for key in [key for key, node in nodes.items() if node.restricted and not node.kinds]:
        del nodes[key]
    return budget_spent(user)


def case_network(user: User, case: Case, depth: int | None, kinds: Collection[str] | None = None,
                 shown_in: str = "network") -> Network:
    """The network of ``case`` (fetched through ``user``'s scope) as ``user`` sees it."""
    return shown_network(user, neighbourhood(case, depth, kinds), shown_in)


def direct_links(case: Case) -> Graph:
    """The cases linked to ``case`` directly (one step), whoever may see them: what ``case_links``
    shows a reader. A case report keeps it as it stands at approval (``tracer.reports``)."""
    return neighbourhood(case, 1)


def case_links(user: User, case: Case, shown_in: str) -> Network:
    """The cases linked to ``case`` directly (one step), as ``user`` sees them: the API's
    ``/cases/{id}/links``, the case page's panel and the case report."""
    return shown_network(user, direct_links(case), shown_in)
