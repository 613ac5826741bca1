"""Writing checked seizures in bulk: their cases, the seizures, the firearms, the
first entry of each firearm's custody chain, and the audit trail.

The values come from ``check_seizure`` and ``check_firearm`` and are written
as they are, in bulk (``core.bulk_write``: COPY on PostgreSQL, INSERTs of hundreds of
rows on SQLite) instead of one ORM object per firearm: a batch of a thousand firearms
costs a handful of statements. What the form path
does one firearm at a time (``create_seizure``, ``add_firearm``) happens here
per batch, with the same values: a case opened as ``create_case`` opens it, a
``seized`` custody entry per firearm, and the audit events (``case.create``,
and one ``seizure.create`` per seizure naming its firearms), which the caller
records when its transaction allows (see ``importing._second_pass``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from typing import Any

from sqlalchemy import select, update

from tracer.auth.models import Agency
from tracer.cases.models import Case, CaseReferenceCounter
from tracer.cases.services import current_year, next_reference
from tracer.core.bulk_write import insert_numbered, insert_rows
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.firearms.serials import serial_search_keys
from tracer.firearms.services import SEIZURE_CUSTODY_NOTE, seizure_moment
from tracer.firearms.signals import firearm_rows_inserting
from tracer.seizures.models import Seizure
from tracer.seizures.services import _auditable
from tracer.seizures.signals import seizure_batch_written

CASE_TABLE, SEIZURE_TABLE = Case.__table__, Seizure.__table__
FIREARM_TABLE, CUSTODY_TABLE = Firearm.__table__, CustodyEvent.__table__
# What ``create_case`` records of a new case.
CASE_AUDITED = ("reference", "status", "owner_agency_id", "title", "priority", "lead_officer_id")


@dataclass
class SeizureToWrite:
    """One seizure and its firearms, checked. ``seizure_id`` names a seizure already
    recorded that the firearms join; ``case_id`` an existing case; neither: a new case."""

    seizure_ref: str | None
    seizure: dict[str, Any]
    case_id: int | None = None
    owner_id: int | None = None
    seizure_id: int | None = None
    firearms: list[dict[str, Any]] = field(default_factory=list)
    created: bool = False


@dataclass
class WriteCounts:
    firearms: int = 0
    seizures: int = 0
    cases: int = 0
    links: int = 0


class BulkWriter:
    """Writes batches of ``SeizureToWrite`` for ``actor`` in the current transaction; the
    seizures and firearms are recorded by the actor's agency (their references are its own)."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.actor_id = getattr(actor, "id", None)
        self.actor_name = getattr(actor, "full_name", None)
        self.agency_id = actor.agency_id
        self.counts = WriteCounts()
        self.events: list[tuple[str, dict[str, Any]]] = []
        # Records of other agencies the written firearms were linked to: told at the end.
        self.hidden: list = []
        self._institutions: dict[int, str] = {}

    def write(self, batch: list[SeizureToWrite]) -> None:
        """Write one batch; its audit events wait in ``take_events`` (the caller records
        them, when it chooses, and commits)."""
        self._open_cases(batch)
        self._insert_seizures([item for item in batch if item.seizure_id is None])
        firearm_ids = self._insert_firearms(batch)
        self._insert_custody(batch, firearm_ids)
        self._audit(batch, firearm_ids)
        # The rooms built on seizures look at the batch: links finds recoveries of firearms recorded
        # before, in any agency's case, in one set-based pass.
        for _receiver, (links, hidden) in seizure_batch_written.send(self.actor, firearm_ids=firearm_ids,
                                                                       events=self.events):
            self.counts.links += links
            self.hidden.extend(hidden)

    def _open_cases(self, batch: list[SeizureToWrite]) -> None:
        """A case per new seizure that names none, as ``create_case`` opens it (status
        open, normal priority, the importing officer as lead, a ``case.create`` event),
        numbered from one block of references and inserted in one statement."""
        needing = [item for item in batch if item.case_id is None and item.seizure_id is None]
        if not needing:
            return
        lead_id = self.actor_id if self.actor.role == "officer" else None
        rows = [{"reference": reference, "status": "open", "priority": "normal", "owner_agency_id": self.agency_id,
                 "lead_officer_id": lead_id, "created_by_id": self.actor_id, "version": 1,
                 "title": _("Seizure %(ref)s", ref=item.seizure_ref or item.firearms[0]["external_id"])}
                for item, reference in zip(needing, self._references(len(needing)))]
        for item, row, case_id in zip(needing, rows, insert_numbered(CASE_TABLE, rows)):
            item.case_id, item.owner_id = case_id, self.agency_id
            self.events.append(("case.create", {
                "object_type": "case", "object_id": case_id, "case_id": case_id,
                "details": {"new": {key: row[key] for key in CASE_AUDITED}, "source": "import"}}))
        self.counts.cases += len(needing)

    def _references(self, count: int) -> list[str]:
        """``count`` consecutive case references of this year. ``next_reference`` gives the
        first (creating the year's counter if needed) and locks the counter until the
        transaction ends, so bumping it by the rest in one statement leaves no gap to share."""
        year = current_year()
        first = next_reference(year)
        prefix, number = first.rsplit("-", 1)
        if count > 1:
            counters = CaseReferenceCounter.__table__
            db.session.execute(update(counters).where(counters.c.year == year)
                               .values(last_number=counters.c.last_number + count - 1))
        return [f"{prefix}-{n:06d}" for n in range(int(number), int(number) + count)]

    def _insert_seizures(self, new: list[SeizureToWrite]) -> None:
        if not new:
            return
        rows = [{**item.seizure, "case_id": item.case_id, "created_by_id": self.actor_id,
                 "recorded_by_agency_id": self.agency_id, "version": 1} for item in new]
        for item, row_id in zip(new, insert_numbered(SEIZURE_TABLE, rows)):
            item.seizure_id, item.created = row_id, True
        self.counts.seizures += len(new)

    def _insert_firearms(self, batch: list[SeizureToWrite]) -> list[int]:
        # Core inserts skip the ORM's hooks: the search keys are computed here, as they are there, and
        # the rooms that keep other columns (readiness) fill them in.
        rows = [{**firearm, "seizure_id": item.seizure_id, "case_id": item.case_id, "agency_id": item.owner_id,
                 "recorded_by_agency_id": self.agency_id, "created_by_id": self.actor_id,
                 "custody_status": "seized", "version": 1,
                 **serial_search_keys(firearm.get("serial_normalized"), firearm.get("restored_serial_normalized"))}
                for item in batch for firearm in item.firearms]
        firearm_rows_inserting.send(rows)
        self.counts.firearms += len(rows)
        return insert_numbered(FIREARM_TABLE, rows)

    def _institution(self, agency_id: int) -> str:
        if agency_id not in self._institutions:
            self._institutions[agency_id] = db.session.scalar(select(Agency.name).where(Agency.id == agency_id))
        return self._institutions[agency_id]

    def _insert_custody(self, batch: list[SeizureToWrite], firearm_ids: list[int]) -> None:
        ids = iter(firearm_ids)
        rows = []
        for item in batch:
            seizure = item.seizure
            entry = {
                "event": "seized",
                "occurred_at": seizure_moment(seizure["seized_on"], seizure.get("seized_time")),
                "received_by_name": self.actor_name,
                "received_by_institution": self._institution(seizure["agency_id"]),
                "place": ", ".join(p for p in (seizure.get("locality"), seizure.get("address")) if p) or None,
                "notes": None,
                # Stored as a code, read in each reader's language; a seizure without its hour
                # leaves the entry's time unrecorded rather than an invented midnight.
                "note_code": SEIZURE_CUSTODY_NOTE,
                "time_recorded": seizure.get("seized_time") is not None,
                "recorded_by_id": self.actor_id,
            }
            rows.extend({**entry, "firearm_id": next(ids)} for _firearm in item.firearms)
        insert_rows(CUSTODY_TABLE, rows)

    def _audit(self, batch: list[SeizureToWrite], firearm_ids: list[int]) -> None:
        ids = iter(firearm_ids)
        for item in batch:
            created = [next(ids) for _firearm in item.firearms]
            if item.created:
                self.events.append(("seizure.create", {
                    "object_type": "seizure", "object_id": item.seizure_id, "case_id": item.case_id,
                    "details": {"new": _auditable(item.seizure), "firearms": created, "source": "import"}}))
            else:
                self.events.append(("seizure.update", {
                    "object_type": "seizure", "object_id": item.seizure_id, "case_id": item.case_id,
                    "details": {"firearms_added": created, "source": "import"}}))

    def take_events(self) -> list[tuple[str, dict[str, Any]]]:
        """The audit events of the batches written since the last call: (action, fields) for ``record``."""
        events, self.events = self.events, []
        return events
