"""Recording people in cases, reading them back under the personal-data rule, correcting them.

Other rooms call these functions (the tracing room records a trace's purchaser with
``record_person(..., role="purchaser", trace_request_id=...)``). Writing functions validate,
flush and audit in the caller's transaction, and the caller commits; audit details carry ids
and field names, never a name, a CURP or a date of birth. Reads that show personal data go
through ``tracer.people.access`` and are audited there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import ColumnElement, Select, exists, false, or_, select

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.auth.scope import agency_scope
from tracer.cases.models import Case
from tracer.core.errors import Conflict, Forbidden, NotFound
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.people import access
from tracer.people.matching import detect_duplicates
from tracer.people.checks import check_person, editable_values, name_key
from tracer.people.models import CASE_ROLES, CasePerson, Person
from tracer.seizures.models import Seizure

# Officers record the people present at a seizure; purchasers come from trace results.
OFFICER_ROLES = ("possessor", "associate")
NOTES_MAX = 4000
CREATED = "person.create"
UPDATED = "person.update"
ATTACHED = "case_person.create"
ROLE_UPDATED = "case_person.update"


# --- reading ----------------------------------------------------------------------------------------------


def canonical_person_id(person_id_column) -> ColumnElement:
    """SQL: the surviving record after merges of the person in ``person_id_column``, for joins on
    "one person after merges" (``people.canonical_id``, read by primary key)."""
    return select(Person.canonical_id).where(Person.id == person_id_column).scalar_subquery()


def person_query(user: User) -> Select:
    """``SELECT`` of the people ``user`` may read: analysts and supervisors, the people of the cases
    they may see (and those recorded by agencies in their scope). Nobody else reads people."""
    if not access.may_read_people(user):
        return select(Person).where(false())
    return select(Person).where(or_(agency_scope(user, Person.agency_id), in_visible_case(user, Person.id)))


def in_visible_case(user: User, person_id_column) -> ColumnElement[bool]:
    """SQL: the person in ``person_id_column`` holds a role in a case ``user`` may see (the second half
    of ``person_query``'s rule, for queries that name people by id)."""
    return exists().where(CasePerson.person_id == person_id_column,
                          CasePerson.case_id.in_(access.case_ids_query(user)))


def get_person(user: User, person_id: int) -> Person:
    """The person if ``user`` may read them; ``NotFound`` otherwise (absent or out of scope alike).
    The caller that shows the data audits the read (``access.audit_read``)."""
    person = db.session.scalar(person_query(user).where(Person.id == person_id))
    if person is None:
        raise NotFound(_("Person not found."))
    return person


def readable_ids(user: User, person_ids) -> set[int]:
    """Which of ``person_ids`` ``user`` may read."""
    ids = {person_id for person_id in person_ids if person_id is not None}
    if not ids:
        return set()
    return set(db.session.scalars(person_query(user).with_only_columns(Person.id).where(Person.id.in_(ids))))


@dataclass
class CasePeople:
    """What a reader is shown of a case's people: the roles with the people, or only how many
    are recorded when the reader may not see personal data (``restricted``)."""

    rows: list[CasePerson]
    count: int
    restricted: bool


def case_people_statement(case_id: int) -> Select:
    """The roles recorded in a case, in the order they were recorded (ix_case_people_case_id_id)."""
    return select(CasePerson).where(CasePerson.case_id == case_id).order_by(CasePerson.case_id, CasePerson.id)


def people_of_case(user: User, case: Case, where: str = "case_page") -> CasePeople:
    """The people of ``case`` (already fetched through the user's scope) as ``user`` may see them.
    Showing them records ``personal_data.read`` in the current transaction; the caller commits."""
    rows = list(db.session.scalars(case_people_statement(case.id)))
    if not access.may_read_people(user):  # the case itself was read through the user's scope
        return CasePeople([], len({row.person_id for row in rows}), restricted=True)
    if rows:
        access.audit_read(user, where, object_type="case", object_id=case.id, case_id=case.id,
                          person_ids=[row.person_id for row in rows])
    return CasePeople(rows, len({row.person_id for row in rows}), restricted=False)


def people_of_trace(user: User, case_id: int, trace_request_id: int, where: str,
                    also: Callable[[User], bool] | None = None) -> CasePeople:
    """The people recorded on a trace request (its purchaser), for the tracing room: shown to whoever
    the personal-data rule admits — with ``also``, the tracing room's own readers (the liaison officer
    of the addressed agency) — and audited; everyone else learns only how many are recorded."""
    rows = list(db.session.scalars(select(CasePerson).where(CasePerson.trace_request_id == trace_request_id)
                                   .order_by(CasePerson.id)))
    if not access.may_read_personal_data(user, case_id, also=also):
        return CasePeople([], len({row.person_id for row in rows}), restricted=True)
    if rows:
        access.audit_read(user, where, object_type="trace_request", object_id=trace_request_id, case_id=case_id,
                          person_ids=[row.person_id for row in rows])
    return CasePeople(rows, len({row.person_id for row in rows}), restricted=False)


def roles_of(user: User, person: Person) -> list[CasePerson]:
    """The roles of ``person`` and of every record merged with it, in the cases ``user`` may see."""
    family = select(Person.id).where(Person.canonical_id == person.canonical_id)
    return list(db.session.scalars(
        select(CasePerson).where(CasePerson.person_id.in_(family), CasePerson.case_id.in_(access.case_ids_query(user)))
        .order_by(CasePerson.created_at, CasePerson.id)))


# --- recording --------------------------------------------------------------------------------------------


def _check_link(check: Checker, case: Case, role: Any, firearm_id: Any, seizure_id: Any, notes: Any,
                allowed_roles) -> dict[str, Any]:
    clean: dict[str, Any] = {"role": check.choice("role", role, allowed_roles, required=True)}
    firearm = seizure = None
    number = check.integer("firearm_id", firearm_id, 1, 2**31 - 1)
    if number is not None:
        firearm = db.session.get(Firearm, number)
        if firearm is None or firearm.case_id != case.id:
            check.error("firearm_id", _("Choose a firearm of this case."))
            firearm = None
    number = check.integer("seizure_id", seizure_id, 1, 2**31 - 1)
    if number is not None:
        seizure = db.session.get(Seizure, number)
        if seizure is None or seizure.case_id != case.id:
            check.error("seizure_id", _("Choose a seizure of this case."))
            seizure = None
    if firearm is not None and seizure is None:
        seizure = db.session.get(Seizure, firearm.seizure_id) if firearm.seizure_id else None
    clean["firearm_id"] = firearm.id if firearm else None
    clean["seizure_id"] = seizure.id if seizure else None
    clean["notes"] = check.text("notes", notes, NOTES_MAX, multiline=True)
    return clean


def record_person(case: Case, role: str, fields: dict[str, Any], actor: User, firearm_id: int | None = None,
                  seizure_id: int | None = None, trace_request_id: int | None = None,
                  also: Callable[[User], bool] | None = None) -> CasePerson:
    """Record a person's ``role`` in ``case`` (already fetched through ``actor``'s scope).

    ``fields`` holds the person's values (see ``checks.PERSON_FIELDS``) and optional ``notes``; or
    ``person_id``, an existing person ``actor`` may read, to attach instead of creating one.
    Officers record possessors and associates without reading people back; analysts and
    supervisors record any role. A higher room's own recorder, admitted by ``also(actor)`` (the
    liaison officer who works a trace, for its purchaser), records a new person in that one ``role``.
    Likely duplicates of a new person are queued for analysts.
    ``ValidationFailed`` names each bad field and nothing is written."""
    admitted = also is not None and actor.active and actor.role not in access.RECORDERS and also(actor)
    if (actor.role not in access.RECORDERS or not actor.active) and not admitted:
        raise Forbidden(_("Your role does not allow recording people."))
    allowed = (CASE_ROLES if actor.role in access.PERSONAL_DATA_ROLES else (role,) if admitted
               else OFFICER_ROLES)
    check = Checker()
    link = _check_link(check, case, role, firearm_id or fields.get("firearm_id"),
                       seizure_id or fields.get("seizure_id"), fields.get("notes"), allowed)
    existing_id = fields.get("person_id")
    person = None
    if existing_id not in (None, ""):
        if actor.role not in access.PERSONAL_DATA_ROLES:
            raise Forbidden(_("Your role does not allow reading people."))
        number = check.integer("person_id", existing_id, 1, 2**31 - 1)
        if number is not None:
            person = db.session.scalar(person_query(actor).where(Person.id == number))
            if person is None:
                check.error("person_id", _("Person not found."))
        check.raise_if_errors()
        person = db.session.get(Person, person.canonical_id) or person
        held = db.session.scalar(select(CasePerson.id).where(
            CasePerson.case_id == case.id, CasePerson.person_id == person.id, CasePerson.role == link["role"]))
        if held is not None:
            check.error("role", _("This person already holds this role in the case."))
            check.raise_if_errors()
    else:
        clean, person_check = check_person(fields)
        check.merge(person_check)
        check.raise_if_errors()
        person = Person(agency_id=case.owner_agency_id, created_by_id=actor.id,
                        name_key=name_key(clean["last_names"], clean["first_names"]), **clean)
        db.session.add(person)
        db.session.flush()
        person.canonical_id = person.id
        record(CREATED, object_type="person", object_id=person.id, case_id=case.id, actor=actor,
               details={"fields": sorted(name for name, value in clean.items() if value not in (None, ""))})
    case_person = CasePerson(case_id=case.id, agency_id=case.owner_agency_id, person_id=person.id,
                             trace_request_id=trace_request_id, created_by_id=actor.id, **link)
    db.session.add(case_person)
    db.session.flush()
    record(ATTACHED, object_type="case_person", object_id=case_person.id, case_id=case.id, actor=actor,
           details={"person_id": person.id, "role": case_person.role, "firearm_id": case_person.firearm_id,
                    "seizure_id": case_person.seizure_id, "trace_request_id": trace_request_id})
    detect_duplicates(person)
    return case_person


def update_person(user: User, person: Person, values: dict[str, Any], version: Any,
                  also: Callable[[User], bool] | None = None) -> Person:
    """Correct ``person`` (read through ``user``'s scope, or admitted by a higher room's ``also``:
    the liaison officer correcting the purchaser of the trace they work); ``version`` is the one
    the user read: a stale one raises ``Conflict`` holding the version stored now. The audit event
    names the fields changed, never their values. Likely duplicates are looked for again."""
    admitted = also is not None and user.active and also(user)
    if (user.role not in access.PERSONAL_DATA_ROLES or not user.active) and not admitted:
        raise Forbidden(_("Your role does not allow correcting people."))
    if isinstance(version, bool) or not isinstance(version, int) or version != person.version:
        raise Conflict(_("Someone else changed this person while you were editing. Review the values saved "
                         "now, then save again."), {"version": person.version, "stored": editable_values(person)})
    clean, check = check_person(values)
    check.raise_if_errors()
    changed = sorted(name for name, value in clean.items() if getattr(person, name) != value)
    if not changed:
        return person
    for name in changed:
        setattr(person, name, clean[name])
    person.name_key = name_key(person.last_names, person.first_names)
    db.session.flush()
    record(UPDATED, object_type="person", object_id=person.id, actor=user, details={"fields": changed})
    detect_duplicates(person)
    return person


def get_case_person(user: User, case_person_id: int) -> CasePerson:
    """A person's role in a case ``user`` may read people in; ``NotFound`` otherwise."""
    row = None
    if access.may_read_people(user):
        row = db.session.scalar(select(CasePerson).where(CasePerson.id == case_person_id,
                                                         CasePerson.case_id.in_(access.case_ids_query(user))))
    if row is None:
        raise NotFound(_("Not found."))
    return row


def update_case_person(user: User, row: CasePerson, values: dict[str, Any]) -> CasePerson:
    """Change a person's role in a case, the firearm it concerns, or its notes (analysts and supervisors);
    the audit event names the fields changed, never the notes' text."""
    if user.role not in access.PERSONAL_DATA_ROLES or not user.active:
        raise Forbidden(_("Your role does not allow correcting people."))
    check = Checker()
    clean = _check_link(check, row.case, values.get("role"), values.get("firearm_id"), values.get("seizure_id"),
                        values.get("notes"), CASE_ROLES)
    check.raise_if_errors()
    changed = sorted(name for name, value in clean.items() if getattr(row, name) != value)
    for name in changed:
        setattr(row, name, clean[name])
    if changed:
        db.session.flush()
        record(ROLE_UPDATED, object_type="case_person", object_id=row.id, case_id=row.case_id, actor=user,
               details={"fields": changed, "role": row.role, "firearm_id": row.firearm_id})
    return row


def attach_to_trace_request(actor: User, row: CasePerson, trace_request_id: int) -> CasePerson:
    """Name a person already recorded in a case (``row``, read through ``actor``'s scope) on one of the
    case's trace requests (its possessor or associates), audited in the caller's transaction."""
    if actor.role not in access.RECORDERS or not actor.active:
        raise Forbidden(_("Your role does not allow recording people."))
    if row.trace_request_id != trace_request_id:
        row.trace_request_id = trace_request_id
        db.session.flush()
        record(ROLE_UPDATED, object_type="case_person", object_id=row.id, case_id=row.case_id, actor=actor,
               details={"fields": ["trace_request_id"], "role": row.role, "trace_request_id": trace_request_id})
    return row
