"""Connected groups of linked cases across a reader's scope: the ``/network`` page.

Each kind's producer gives, set-based, the keys shared by more than one case (an identity,
a licence, a multiple sale, a confirmed link) with their cases; a union-find over those rows
joins the cases into groups. Memory holds one entry per linked case, never a table, and the
database does the grouping (one GROUP BY … HAVING per kind): measured on the bench dataset
by ``make bench`` (part ``networks``).

The list names only what the reader may see: the cases of their scope in each group, and the
other agencies of the group as restricted entries given by the disclosure service.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracer.auth.models import User
from tracer.cases.models import Case
from tracer.core.value_lists import among
from tracer.deconfliction.services import AgencyContact, HiddenMatch, budget_spent, disclose
from tracer.extensions import db
from tracer.networks.links import CHANNEL, KIND_ORDER, visible_case_ids
from tracer.networks.producers import producers
from tracer.seizures.models import Seizure

# Groups listed at most, largest first.
TOP_GROUPS = 50


class UnionFind:
    """Disjoint sets of case ids, with path halving and union by size."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.size: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent
        if item not in parent:
            parent[item] = item
            self.size[item] = 1
            return item
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]


@dataclass
class AllGroups:
    """Every linked case: its group root, its owning agency and the kinds it is linked by."""

    sets: UnionFind
    agencies: dict[int, int]
    kinds: dict[int, set[str]]

    def members(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for case_id in self.agencies:
            found.setdefault(self.sets.find(case_id), []).append(case_id)
        return found


def all_groups(kinds: Collection[str] | None = None) -> AllGroups:
    """The connected groups of every linked case, by ``kinds`` (all when empty). Not scoped."""
    sets, agencies, case_kinds = UnionFind(), {}, {}

    def join(case_id: int, agency_id: int, kind: str) -> None:
        agencies[case_id] = agency_id
        case_kinds.setdefault(case_id, set()).add(kind)

    db.session.flush()  # the keys are read on the connection below, which does not flush
    for producer in producers(kinds):
        # The first case of each key waits until a second case shares the key: a key of one
        # case (two firearms of one case, say) links nothing.
        first: dict[str, tuple[int, int, bool]] = {}
        for statement in producer.members():
            # Plain rows (no ORM row processing): hundreds of thousands of traces name a dealer.
            for key, case_id, agency_id in db.session.connection().execute(statement).yield_per(10_000):
                if key not in first:
                    first[key] = (case_id, agency_id, False)
                    continue
                root, root_agency, joined = first[key]
                if case_id == root:
                    continue
                if not joined:
                    join(root, root_agency, producer.kind)
                    first[key] = (root, root_agency, True)
                join(case_id, agency_id, producer.kind)
                sets.union(root, case_id)
    return AllGroups(sets, agencies, case_kinds)


@dataclass
class GroupFilters:
    """What the groups list may be narrowed by; empty values do not filter."""

    kind: str | None = None
    seized_from: date | None = None
    seized_to: date | None = None
    state: str | None = None


@dataclass
class Group:
    """One group as the reader sees it: their cases in it, the kinds, and the other agencies."""

    cases: list[Case]
    kinds: list[str]
    size: int = 0
    agencies: list[tuple[AgencyContact, str, list[str]]] = field(default_factory=list)

    @property
    def first(self) -> Case:
        return self.cases[0]


def _seized_cases(case_ids: list[int], filters: GroupFilters) -> set[int]:
    """Which of ``case_ids`` hold a seizure in the filters' dates and state."""
    found: set[int] = set()
    for start in range(0, len(case_ids), 500):
        statement = select(Seizure.case_id).where(among(Seizure.case_id, case_ids[start:start + 500]))
        if filters.seized_from:
            statement = statement.where(Seizure.seized_on >= filters.seized_from)
        if filters.seized_to:
            statement = statement.where(Seizure.seized_on <= filters.seized_to)
        if filters.state:
            statement = statement.where(Seizure.state_code == filters.state)
        found.update(db.session.scalars(statement.distinct()))
    return found


def scoped_groups(user: User, filters: GroupFilters, limit: int = TOP_GROUPS) -> tuple[list[Group], bool]:
    """The groups holding cases of ``user``'s scope (and, with filters, a case seized in those dates
    and that state), the most cases of the reader's first; and whether the reader's disclosure
    budget is spent. The other agencies of each listed group are disclosed (the caller commits)."""
    groups = all_groups([filters.kind] if filters.kind else None)
    visible = visible_case_ids(user, groups.agencies)
    candidates = []
    for members in groups.members().values():
        mine = sorted(case_id for case_id in members if case_id in visible)
        if mine:
            candidates.append((mine, members))
    if filters.seized_from or filters.seized_to or filters.state:
        seized = _seized_cases([case_id for mine, _members in candidates for case_id in mine], filters)
        candidates = [(mine, members) for mine, members in candidates if seized.intersection(mine)]
    candidates.sort(key=lambda pair: (-len(pair[0]), pair[0][0]))
    candidates = candidates[:limit]
    cases = {case.id: case for case in db.session.scalars(
        select(Case).where(among(Case.id, [case_id for mine, _ in candidates for case_id in mine[:20]])))}
    listed = []
    for mine, members in candidates:
        kinds = sorted({kind for case_id in members for kind in groups.kinds[case_id]}, key=KIND_ORDER.__getitem__)
        group = Group([cases[case_id] for case_id in mine[:20] if case_id in cases], kinds, len(mine))
        hidden = [HiddenMatch(None, groups.agencies[case_id], kind)
                  for case_id in members if case_id not in visible
                  for kind in sorted(groups.kinds[case_id], key=KIND_ORDER.__getitem__)]
        if hidden:
            told = disclose(user, CHANNEL, hidden, subject=f"case:{mine[0]}", case_id=mine[0],
                            details={"shown_in": "network_groups"})
            by_agency: dict[str, tuple[AgencyContact, str, list[str]]] = {}
            for disclosure in told.shown:
                entry = by_agency.setdefault(disclosure.agency.acronym, (disclosure.agency, disclosure.reference, []))
                entry[2].append(disclosure.match)
            group.agencies = list(by_agency.values())
            group.kinds = sorted({kind for case_id in members if case_id in visible
                                  for kind in groups.kinds[case_id]} |
                                 {kind for _agency, _ref, told_kinds in group.agencies for kind in told_kinds},
                                 key=KIND_ORDER.__getitem__)
            if len(mine) == 1 and not group.agencies:
                continue  # one case of the reader's, its links all withheld: to them it is no group
        listed.append(group)
    return listed, budget_spent(user)
