"""Demo trace requests and results for ``flask seed-demo``.

The demo analysts request traces of ready demo firearms (``Firearm.trace_ready``: the same
rule as the backlog and the request service) — some ready firearms are left in the
backlog — and the demo liaison officer of ATF-MX answers most of them; the rest
wait in the liaison's queue. Outcomes, dealers' states, time to crime, no-trace
reasons and multiple sales follow published figures (``demo_data``, which cites
them). Every result goes through the result rules (``check_result_values``: the
licence number's shape, the dealer's city geocoded from the gazetteer, the time to
crime from the purchase and seizure dates), and every request and result is audited
as the request and result services audit them, with ``"source": "demo"``.

Written in bulk (multi-row inserts, a commit per thousand requests): a hundred
thousand demo firearms take seconds. Deterministic for a seed: each firearm's
request is drawn from a generator seeded with the seed and its external id, and
trace numbers follow the submission dates. Idempotent: a firearm that has a request
keeps it, and a firearm left in the backlog is left there again. Before the requests,
the demo firearms that were recovered more than once are linked as possible same
firearms, one-edit misreadings included (``link_recorded_firearms``).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from tracer.audit.services import record
from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.core.bulk_write import insert_numbered
from tracer.core.numbering import next_number
from tracer.core.time import local_to_utc, local_today, local_zone
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.geo.geocoding import geocode_us_city
from tracer.links.bulk import link_recorded_firearms
from tracer.links.models import FirearmLink
from tracer.seizures.models import Seizure
from tracer.tracing import demo_data as figures
from tracer.tracing.models import TraceNumberCounter, TraceRequest
from tracer.tracing.request_details import default_details
from tracer.tracing.requests import identifiers_of
from tracer.tracing.results import audit_result, check_result_values, result_changes

PREFIX = "DEMO-%"
CHUNK = 1000
OFFICE = "ATF-MX"
LIAISON = "enlace.atf"
# The demo analyst who requests the traces of each owning agency; federal analysts request
# those of the Army's and the National Guard's cases (tracer.auth.demo.USERS).
REQUESTERS = {"FGR": "analista.fgr", "FGE-SON": "analista.son", "FGE-JAL": "analista.jal",
              "FGE-CHIH": "analista.chih"}
FEDERAL_REQUESTER = "analista.fgr"
URGENT_SHARE = 0.1
# The result columns of a request still waiting for one (one multi-row INSERT needs every key).
UNANSWERED = {name: None for name in (
    "outcome", "no_trace_reason", "ffl_name", "ffl_license", "ffl_street", "ffl_city", "ffl_state", "ffl_zip",
    "origin_latitude", "origin_longitude", "origin_source", "purchase_date", "purchaser_name", "multiple_sale",
    "time_to_crime_days", "result_notes", "result_by_id", "result_at", "ffl_phone", "partner_trace_number",
    "importer_name", "importer_license", "result_flags", "opened_at")}
# What an urgent demo request says, as an analyst would write it.
URGENT_JUSTIFICATION = "Persona detenida en flagrancia: el plazo constitucional de 48 horas corre."


@dataclass
class TraceDemoSummary:
    """The demo's trace requests after seeding, and what this run added."""

    requests: int = 0
    submitted: int = 0
    completed: int = 0
    no_trace: int = 0
    new_requests: int = 0
    links: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"Demo traces: {self.requests} requests ({self.submitted} waiting for ATF-MX, "
                f"{self.completed} completed, {self.no_trace} without result); "
                f"{self.links} possible same firearms")


@dataclass(frozen=True)
class Plan:
    """What the demo does with one ready firearm, drawn from its own generator."""

    firearm_id: int
    requested: bool
    submitted_at: datetime | None = None
    answered: bool = False
    result_at: datetime | None = None
    priority: str = "routine"
    values: dict[str, Any] | None = None


def _moment(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of ``day`` in Mexico City, as UTC."""
    return local_to_utc(datetime.combine(day, time(rng.randint(9, 17), rng.randrange(60))))


def _result_values(rng: random.Random, firearm: tuple, pools) -> dict[str, Any]:
    """The raw result a liaison officer would enter, as the form or the CSV would carry it."""
    firearm_id, _external_id, seized_on, country, firearm_type, serial_status = firearm[:6]
    importer = firearm[8]
    if rng.random() < figures.NO_TRACE_SHARE:
        return {"outcome": "no_trace", "no_trace_reason": figures.no_trace_reason(rng, serial_status)}
    outcome = figures.outcome(rng, country)
    values: dict[str, Any] = {"outcome": outcome}
    if outcome == "us_retail" or (outcome == "us_other" and rng.random() < figures.US_OTHER_WITH_DEALER):
        dealer = figures.pick_dealer(rng, pools, crossing=tuple(firearm[6:8]))
        values.update(ffl_name=dealer.name, ffl_license=dealer.license, ffl_street=dealer.street,
                      ffl_city=dealer.city, ffl_state=dealer.state, ffl_zip=dealer.zip,
                      ffl_phone=figures.dealer_phone(dealer))
        if outcome == "us_retail":
            values.update(purchase_date=figures.purchase_date(rng, seized_on).isoformat(),
                          purchaser_name=figures.purchaser(rng),
                          multiple_sale="yes" if figures.multiple_sale(rng, firearm_type, dealer.state) else "no")
    # The partner's own number, and the importer through whom a foreign-made firearm came in.
    values["partner_trace_number"] = f"T{seized_on.year}{firearm_id:07d}"
    if country and country != "US" and importer:
        values["importer_name"] = importer
    return values


def plan_for(seed: int, firearm: tuple, pools, today: date) -> Plan:
    """The demo's request (or not) for ``firearm`` (id, external id, seizure date, country,
    type, serial status, seizure state and municipality, importer): the same answer for the same seed, whenever it
    is asked."""
    firearm_id, external_id, seized_on = firearm[:3]
    rng = random.Random(f"TRACE:{seed}:{external_id}")
    if rng.random() < figures.BACKLOG_SHARE:
        return Plan(firearm_id, requested=False)
    asked_on = seized_on + timedelta(days=figures.request_delay(rng))
    if asked_on > today:
        return Plan(firearm_id, requested=False)  # not yet: the firearm waits in the backlog
    submitted_at = _moment(asked_on, rng)
    priority = "urgent" if rng.random() < URGENT_SHARE else "routine"
    answered_on = asked_on + timedelta(days=figures.result_delay(rng))
    if rng.random() < figures.PENDING_SHARE or answered_on > today:
        return Plan(firearm_id, True, submitted_at, priority=priority)
    return Plan(firearm_id, True, submitted_at, True, _moment(answered_on, rng), priority,
                _result_values(rng, firearm, pools))


def _candidates(last_id: int):
    """Ready demo firearms without a request, after ``last_id``: the facts a plan is drawn from."""
    return db.session.execute(
        select(Firearm.id, Firearm.external_id, Seizure.seized_on, Firearm.country_code, Firearm.firearm_type,
               Firearm.serial_status, Seizure.state_code, Seizure.municipality_code, Firearm.importer)
        .join(Seizure, Seizure.id == Firearm.seizure_id)
        .where(Firearm.external_id.like(PREFIX), Firearm.id > last_id, Firearm.trace_ready.is_(True),
               ~exists().where(TraceRequest.firearm_id == Firearm.id))
        .order_by(Firearm.id).limit(CHUNK)).all()


def _numbers(plans: list[Plan]) -> dict[int, str]:
    """Trace numbers for the requested plans in order of submission, from each year's counter;
    each year's block is taken at once (the counter stays locked until the commit)."""
    numbers: dict[int, str] = {}
    by_year: dict[int, list[Plan]] = {}
    for plan in sorted(plans, key=lambda p: (p.submitted_at, p.firearm_id)):
        by_year.setdefault(plan.submitted_at.astimezone(local_zone()).year, []).append(plan)
    counters = TraceNumberCounter.__table__
    for year, planned in sorted(by_year.items()):
        first = next_number(TraceNumberCounter, year)
        if len(planned) > 1:
            db.session.execute(update(counters).where(counters.c.year == year)
                               .values(last_number=counters.c.last_number + len(planned) - 1))
        for offset, plan in enumerate(planned):
            numbers[plan.firearm_id] = f"RT-{year}-{first + offset:06d}"
    return numbers


class _Geocoder:
    """``geocode_us_city`` remembering its answers: the demo's dealers are a few hundred."""

    def __init__(self):
        self.known: dict[tuple[str, str], Any] = {}

    def __call__(self, state: str, city: str):
        key = (state, city)
        if key not in self.known:
            self.known[key] = geocode_us_city(state, city)
        return self.known[key]


def seed_traces(seed: int) -> TraceDemoSummary:
    """Create the demo's trace requests and results that are missing for ``seed``; needs the
    demo accounts and the demo seizures (``seed_seizures``)."""
    summary = TraceDemoSummary()
    office, liaison = agency_by_acronym(OFFICE), user_by_username(LIAISON)
    requesters = {acronym: user_by_username(name) for acronym, name in REQUESTERS.items()}
    federal = user_by_username(FEDERAL_REQUESTER)
    if office is None or liaison is None or federal is None:
        summary.problems.append("seed-demo: the demo accounts are missing; no trace requests created")
        return summary
    # The import linked exact and look-alike recoveries; the one-edit ones are found now.
    link_recorded_firearms(statement=select(Firearm).where(Firearm.external_id.like(PREFIX)),
                           on_batch=db.session.commit)
    db.session.commit()
    owners = {agency.id: agency.acronym for agency in (agency_by_acronym(a) for a in REQUESTERS) if agency}
    pools, geocode, today = figures.dealers(seed), _Geocoder(), local_today()
    plans: list[Plan] = []
    last_id = 0
    while True:
        batch = _candidates(last_id)
        if not batch:
            break
        plans += [plan for plan in (plan_for(seed, row, pools, today) for row in batch) if plan.requested]
        last_id = batch[-1][0]
    numbers = _numbers(plans)
    ordered = sorted(plans, key=lambda p: numbers[p.firearm_id])
    for start in range(0, len(ordered), CHUNK):
        _write(ordered[start:start + CHUNK], numbers, office, liaison, requesters, federal, owners, geocode,
               summary)
        db.session.commit()
    _totals(summary, office)
    return summary


def _write(plans: list[Plan], numbers, office, liaison, requesters, federal, owners, geocode,
           summary: TraceDemoSummary) -> None:
    firearms = {f.id: f for f in db.session.scalars(
        select(Firearm).where(Firearm.id.in_([p.firearm_id for p in plans]))
        .options(selectinload(Firearm.seizure), selectinload(Firearm.case)))}
    rows, results = [], {}
    for plan in plans:
        firearm = firearms[plan.firearm_id]
        requester = requesters.get(owners.get(firearm.agency_id)) or federal
        row = {"trace_number": numbers[plan.firearm_id], "firearm_id": firearm.id, "case_id": firearm.case_id,
               "agency_id": firearm.agency_id, "requesting_agency_id": requester.agency_id,
               "addressed_to_id": office.id, "requested_by_id": requester.id, "status": "submitted",
               "priority": plan.priority, "identifiers": identifiers_of(firearm), "submitted_at": plan.submitted_at,
               "created_at": plan.submitted_at, "updated_at": plan.result_at or plan.submitted_at, "version": 1,
               **UNANSWERED, **default_details(requester, firearm), "recovery_state": firearm.seizure.state_code}
        if plan.priority == "urgent":
            row["urgent_justification"] = URGENT_JUSTIFICATION
        if plan.answered:
            check = Checker()
            clean = check_result_values(plan.values, firearm.seizure.seized_on, check, geocode, firearm.country_code)
            if check.errors:
                summary.problems.append(f"seed-demo: result of {row['trace_number']} refused: {check.errors}")
            else:
                results[firearm.id] = clean
                row.update(clean, status="no_trace" if clean["outcome"] == "no_trace" else "completed",
                           result_by_id=liaison.id, result_at=plan.result_at, version=2)
        rows.append((row, requester))
    ids = insert_numbered(TraceRequest.__table__, [row for row, _user in rows])
    for (row, requester), trace_id in zip(rows, ids):
        request_details = {"trace_number": row["trace_number"], "firearm_id": row["firearm_id"],
                           "status": "submitted", "priority": row["priority"], "addressed_to": office.acronym,
                           "source": "demo"}
        record("trace_request.create", object_type="trace_request", object_id=trace_id, case_id=row["case_id"],
               actor=requester, details={"new": request_details})
        record("trace_request.submit", object_type="trace_request", object_id=trace_id, case_id=row["case_id"],
               actor=requester, details={"old": {"status": "draft"}, "new": {"status": "submitted"},
                                         "trace_number": row["trace_number"], "source": "demo"})
        clean = results.get(row["firearm_id"])
        if clean is not None:
            old, new = result_changes(lambda name: "submitted" if name == "status" else None, clean)
            audit_result(liaison, trace_id, row["case_id"], row["trace_number"], old, new, "demo")
    summary.new_requests += len(rows)


def _totals(summary: TraceDemoSummary, office) -> None:
    counts = dict(db.session.execute(
        select(TraceRequest.status, func.count())
        .join(Firearm, Firearm.id == TraceRequest.firearm_id)
        .where(Firearm.external_id.like(PREFIX), TraceRequest.addressed_to_id == office.id)
        .group_by(TraceRequest.status)).all())
    summary.submitted, summary.completed = counts.get("submitted", 0), counts.get("completed", 0)
    summary.no_trace = counts.get("no_trace", 0)
    summary.requests = sum(counts.values())
    demo = select(Firearm.id).where(Firearm.external_id.like(PREFIX))
    # A link names the newer record first: a firearm recorded after the demo that matches a
    # demo firearm is its ``firearm_id``, the demo firearm its ``other_firearm_id``.
    summary.links = db.session.scalar(select(func.count()).select_from(FirearmLink).where(
        or_(FirearmLink.firearm_id.in_(demo), FirearmLink.other_firearm_id.in_(demo))))
