"""The trace backlog: firearms in scope whose trace has not been requested yet.

A firearm is in the backlog while it has no request or only a draft. The list
is filtered in the database — readiness too, stored on each firearm when its
identifiers are written (``Firearm.trace_ready``) — and walked by keyset along
the seizures' dates; the ready and not-ready counts stop at ``EXACT_TOTAL_UP_TO``,
so the page costs the same however many firearms wait.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, exists, false, not_, select
from sqlalchemy.orm import selectinload

from tracer.auth.models import Agency, User
from tracer.cases.case_lists import agencies_in_scope, normalise_state
from tracer.core import pagination
from tracer.core.pagination import KeysetPage, bounded_count, by, keyset_page
from tracer.core.text import forbidden_character
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.services import firearm_query
from tracer.geo.catalog import states
from tracer.seizures.models import Seizure
from tracer.tracing.models import TraceRequest
from tracer.tracing.readiness import Readiness, trace_readiness

# Time since the seizure, in days: (lowest included, highest excluded).
AGE_BANDS = {
    "under_30": (0, 30),
    "30_180": (30, 180),
    "180_365": (180, 365),
    "over_365": (365, None),
}
AGE_LABELS = {
    "under_30": _l("Under 30 days"),
    "30_180": _l("30 to 180 days"),
    "180_365": _l("180 days to a year"),
    "over_365": _l("Over a year"),
}
READINESS_VALUES = ("ready", "not_ready")


@dataclass
class BacklogFilters:
    """What the backlog may be narrowed by; empty values do not filter."""

    state: str | None = None
    agency: str | None = None
    age: str | None = None
    readiness: str | None = None

    @classmethod
    def from_mapping(cls, values: Any) -> "BacklogFilters":
        return cls(**{name: (values.get(name) or "").strip() or None for name in cls.__dataclass_fields__})


@dataclass
class BacklogCounts:
    """Ready and not-ready firearms, each exact up to ``EXACT_TOTAL_UP_TO`` and flagged beyond."""

    ready: int
    not_ready: int
    ready_estimated: bool = False
    not_ready_estimated: bool = False

    def of(self, readiness: str | None) -> tuple[int, bool]:
        """The (count, estimated) of the list that ``readiness`` (a checked filter) shows: every
        untraced firearm is either ready or not (``trace_ready`` is never null)."""
        if readiness == "ready":
            return self.ready, self.ready_estimated
        if readiness == "not_ready":
            return self.not_ready, self.not_ready_estimated
        total, bound = self.ready + self.not_ready, pagination.EXACT_TOTAL_UP_TO
        return min(total, bound), self.ready_estimated or self.not_ready_estimated or total > bound


@dataclass
class BacklogRow:
    firearm: Firearm
    readiness: Readiness
    draft: TraceRequest | None
    age_days: int


def _check(filters: BacklogFilters) -> BacklogFilters:
    check = Checker()
    state = normalise_state(filters.state) if filters.state else None
    if state and state not in states():
        check.error("state", _("Use the INEGI code of a state, 01 to 32."))
    age = check.choice("age", filters.age, AGE_BANDS)
    readiness = check.choice("readiness", filters.readiness, READINESS_VALUES)
    check.raise_if_errors()
    return replace(filters, state=state, age=age, readiness=readiness)


def _untraced() -> Any:
    return not_(exists().where(TraceRequest.firearm_id == Firearm.id, TraceRequest.status != "draft"))


def _filtered(user: User, filters: BacklogFilters, today: date, *, listed: bool) -> Select:
    """Every filter but readiness, which the counts split by. The seizure is joined for its
    filters (state, age) and for the list's order (``listed``), not for a bare count."""
    statement = firearm_query(user).where(_untraced())
    if listed or filters.state or filters.age:
        statement = statement.join(Seizure, Seizure.id == Firearm.seizure_id)
    if filters.state:
        statement = statement.where(Seizure.state_code == filters.state)
    if filters.agency and forbidden_character(filters.agency) is not None:
        statement = statement.where(false())  # no acronym holds one (and PostgreSQL text cannot hold NUL)
    elif filters.agency:
        agency_id = select(Agency.id).where(Agency.acronym == filters.agency.upper()).scalar_subquery()
        statement = statement.where(Firearm.agency_id == agency_id)
    if filters.age:
        low, high = AGE_BANDS[filters.age]
        statement = statement.where(Seizure.seized_on <= today - timedelta(days=low))
        if high is not None:
            statement = statement.where(Seizure.seized_on > today - timedelta(days=high))
    return statement


def backlog_query(user: User, filters: BacklogFilters, today: date | None = None) -> Select:
    """The scoped ``SELECT`` of untraced firearms matching ``filters``, longest waiting first."""
    filters = _check(filters)
    statement = _filtered(user, filters, today or local_today(), listed=True)
    if filters.readiness == "ready":
        statement = statement.where(Firearm.trace_ready.is_(True))
    elif filters.readiness == "not_ready":
        statement = statement.where(Firearm.trace_ready.is_(False))
    # Each row shows its seizure (date, place) and case: read them for the whole page at once.
    return statement.options(selectinload(Firearm.seizure)).order_by(
        *(key.expression for key in BACKLOG_ORDER))


# Longest waiting first: seizures by date (ix_seizures_seized_on_id), then each seizure's
# firearms (ix_firearms_seizure_id_id).
BACKLOG_ORDER = (by(Seizure.seized_on, lambda firearm: firearm.seizure.seized_on),
                 by(Seizure.id, lambda firearm: firearm.seizure_id), by(Firearm.id))


def backlog_counts(user: User, filters: BacklogFilters, today: date | None = None) -> BacklogCounts:
    """How many untraced firearms under ``filters`` (readiness aside) are ready, and how many are not;
    each counted up to ``EXACT_TOTAL_UP_TO`` and flagged as an estimate beyond."""
    filters = _check(filters)
    statement = _filtered(user, filters, today or local_today(), listed=False)
    ready, ready_estimated = bounded_count(statement.where(Firearm.trace_ready.is_(True)))
    not_ready, not_ready_estimated = bounded_count(statement.where(Firearm.trace_ready.is_(False)))
    return BacklogCounts(ready, not_ready, ready_estimated, not_ready_estimated)


def backlog_page(user: User, filters: BacklogFilters, page: Any = 1, per_page: Any = 25,
                 cursor: Any = None, counts: BacklogCounts | None = None) -> tuple[KeysetPage, list[BacklogRow]]:
    """One step of the backlog (page ``page`` of the first pages, or the step ``cursor`` names),
    each firearm with its readiness, its draft request if any, and its age. With the ``counts``
    of the same filters (``backlog_counts``), the list's total is taken from them, not counted
    a third time."""
    today = local_today()
    counted = counts.of(_check(filters).readiness) if counts is not None else None
    result = keyset_page(backlog_query(user, filters, today), BACKLOG_ORDER, cursor, per_page,
                         list_name="trace-backlog", page=page, counted=counted)
    ids = [firearm.id for firearm in result.items]
    drafts = {t.firearm_id: t for t in db.session.scalars(
        select(TraceRequest).where(TraceRequest.firearm_id.in_(ids)))} if ids else {}
    rows = [BacklogRow(firearm, trace_readiness(firearm), drafts.get(firearm.id),
                       (today - firearm.seizure.seized_on).days) for firearm in result.items]
    return result, rows


def backlog_agencies(user: User) -> list:
    """The agencies whose firearms ``user`` may see, for the agency filter: their acronym and name."""
    return agencies_in_scope(user)

