"""Rules for recording a seized firearm and its custody chain."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import True_

from tracer.audit.services import record
from tracer.auth.scope import case_scope
from tracer.cases.models import Case
from tracer.core.changes import apply_changes, stale_as_conflict
from tracer.core.errors import Conflict, NotFound
from tracer.core.i18n import format_local_date
from tracer.core.models import utcnow
from tracer.core.panels import read_record
from tracer.core.time import local_to_utc
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import CONDITIONS, CUSTODY_EVENTS, FIREARM_TYPES, SERIAL_STATUSES, CustodyEvent, Firearm
from tracer.firearms.reference import caliber_fits, resolve_caliber, resolve_manufacturer
from tracer.firearms.serials import normalize_serial
from tracer.firearms.signals import firearm_identity_saved
from tracer.geo.countries import resolve_country
from tracer.seizures.models import Seizure

# Words officers write for a firearm type, in Spanish and English (SPEC §8).
FIREARM_TYPE_WORDS = {
    "pistola": "pistol", "revolver": "revolver", "revólver": "revolver", "rifle": "rifle", "fusil": "rifle",
    "carabina": "rifle", "escopeta": "shotgun", "subametralladora": "submachine_gun",
    "submachine gun": "submachine_gun", "ametralladora": "machine_gun", "machine gun": "machine_gun",
    "receptor": "receiver_frame", "armazon": "receiver_frame", "armazón": "receiver_frame",
    "receiver": "receiver_frame", "frame": "receiver_frame", "otro": "other", "otra": "other",
}
SERIAL_STATUS_WORDS = {
    "intacto": "intact", "integro": "intact", "íntegro": "intact", "borrado": "obliterated", "limado": "obliterated",
    "alterado": "altered", "restaurado": "restored", "sin numero": "none", "sin número": "none",
    "ninguno": "none", "hechiza": "none",
}
# Serial statuses whose firearm must show a serial as engraved.
SERIAL_REQUIRED = {"intact", "altered"}


def _serial(check: Checker, field: str, value: Any) -> tuple[str | None, str | None]:
    """(as written, normalised) or (None, None) after recording an error."""
    from tracer.firearms.serials import SerialRejected

    raw = "" if value is None else str(value)
    if len(raw) > 200:
        check.error(field, _("A serial number has at most 64 characters."))
        return None, None
    written = raw.strip()
    if not written:
        return None, None
    try:
        return written, normalize_serial(written)
    except SerialRejected as problem:
        check.error(field, problem.message)
        return None, None


class ReferenceLookups:
    """How ``check_firearm`` turns text into a maker, a caliber and a country. A bulk
    import passes one that remembers its answers: each distinct text is looked up once."""

    @staticmethod
    def manufacturer(text: str):
        return resolve_manufacturer(text)

    @staticmethod
    def caliber(text: str):
        return resolve_caliber(text)

    @staticmethod
    def country(text: str) -> str | None:
        return resolve_country(text)


def check_firearm(values: dict[str, Any], prefix: str = "",
                  lookups: ReferenceLookups | None = None) -> tuple[dict[str, Any], Checker]:
    """Validate one firearm's raw values; returns the clean values and the checker
    holding errors (which block) and warnings (which are shown and kept)."""
    lookups = ReferenceLookups if lookups is None else lookups
    check = Checker(prefix)
    clean: dict[str, Any] = {}
    firearm_type = check.choice("firearm_type", values.get("firearm_type"), FIREARM_TYPES, required=True,
                                words=FIREARM_TYPE_WORDS)
    clean["firearm_type"] = firearm_type

    maker_text = check.text("manufacturer", values.get("manufacturer"), 120)
    maker = lookups.manufacturer(maker_text) if maker_text else None
    clean["manufacturer_id"] = maker.id if maker else None
    clean["manufacturer_text"] = maker_text
    if maker_text and maker is None:
        check.warn("manufacturer", _("Unknown manufacturer: kept as written and flagged for review."))

    clean["model"] = check.text("model", values.get("model"), 120)

    caliber_text = check.text("caliber", values.get("caliber"), 60)
    caliber = lookups.caliber(caliber_text) if caliber_text else None
    clean["caliber_id"] = caliber.id if caliber else None
    clean["caliber_text"] = caliber_text
    if caliber_text and caliber is None:
        check.warn("caliber", _("Unknown caliber: kept as written and flagged for review."))
    if caliber is not None and firearm_type and not caliber_fits(caliber, firearm_type):
        check.error("caliber", _("%(caliber)s is not a caliber for this type of firearm.", caliber=caliber.name))

    status = check.choice("serial_status", values.get("serial_status") or "intact", SERIAL_STATUSES,
                          words=SERIAL_STATUS_WORDS)
    clean["serial_status"] = status
    written, normalized = _serial(check, "serial_number", values.get("serial_number"))
    clean["serial_number"], clean["serial_normalized"] = written, normalized
    restored, restored_normalized = _serial(check, "restored_serial", values.get("restored_serial"))
    clean["restored_serial"], clean["restored_serial_normalized"] = restored, restored_normalized
    if status in SERIAL_REQUIRED and not written and "serial_number" not in _own(check):
        check.error("serial_number", _("Enter the serial number, or choose the status that explains "
                                       "why there is none (obliterated, or none for a privately made firearm)."))
    if status == "restored" and not restored and "restored_serial" not in _own(check):
        check.error("restored_serial", _("Enter the serial number recovered by the restoration."))
    if status != "restored" and restored:
        check.error("restored_serial", _("A restored value is entered only when the serial status is restored."))
    if status == "none" and written:
        check.error("serial_number", _("A firearm marked as having no serial number cannot carry one."))

    clean["importer"] = check.text("importer", values.get("importer"), 160)
    country_text = check.text("country_of_manufacture", values.get("country_of_manufacture"), 80)
    clean["country_code"] = None
    if country_text:
        clean["country_code"] = lookups.country(country_text)
        if clean["country_code"] is None:
            check.error("country_of_manufacture", _("Unknown country: use the ISO code (US) or the name."))
    clean["markings"] = check.text("markings", values.get("markings"), 2000, multiline=True)
    clean["condition"] = check.choice("condition", values.get("condition"), CONDITIONS)
    clean["converted_to_automatic"] = check.flag("converted_to_automatic", values.get("converted_to_automatic"))
    clean["notes"] = check.text("notes", values.get("notes"), 2000, multiline=True)
    clean["external_id"] = check.text("external_id", values.get("external_id"), 80)
    return clean, check


def firearm_query(user):
    """Firearms the user may see: those of cases owned by agencies in scope. A reader of every
    case (federal) needs no case joined: every firearm has one."""
    condition = case_scope(user, Case.owner_agency_id, Firearm.case_id)
    if isinstance(condition, True_):
        return select(Firearm)
    return select(Firearm).join(Case, Case.id == Firearm.case_id).where(condition)


# Built once, so that the statement's cache key is found again rather than built anew. The case's
# lead officer (and their agency) is named on no page of a firearm: not joined.
FIREARM_SEIZURE = joinedload(Firearm.seizure).joinedload(Seizure.case).lazyload(Case.lead_officer)


def get_firearm(user, firearm_id: int, *, page: bool = False) -> Firearm:
    """The firearm if ``user`` may see its case; ``NotFound`` otherwise (absent or out of scope alike).
    Its seizure comes in the same statement, with the seizure's case and agency: every page and
    answer of a firearm shows or checks them. For its ``page``, what the firearm holds of each of
    the page's sections is asked in that statement too (``core.panels.read_record``)."""
    statement = firearm_query(user).where(Firearm.id == firearm_id).options(FIREARM_SEIZURE)
    firearm = read_record("firearm", statement, Firearm.id) if page else db.session.scalar(statement)
    if firearm is None:
        raise NotFound(_("Firearm not found."))
    return firearm


def ensure_may_write(user, firearm: Firearm) -> None:
    """Identity edits, custody entries and files follow the case's edit rule."""
    from tracer.cases.services import ensure_may_edit

    ensure_may_edit(user, firearm.case)


def editable_values(firearm: Firearm) -> dict[str, Any]:
    """The firearm as the raw values a form or the API shows and sends back."""
    return {
        "firearm_type": firearm.firearm_type,
        "manufacturer": firearm.manufacturer_text or (firearm.manufacturer.name if firearm.manufacturer else None),
        "model": firearm.model,
        "caliber": firearm.caliber_text or (firearm.caliber.name if firearm.caliber else None),
        "serial_number": firearm.serial_number,
        "serial_status": firearm.serial_status,
        "restored_serial": firearm.restored_serial,
        "importer": firearm.importer,
        "country_of_manufacture": firearm.country_code,
        "markings": firearm.markings,
        "condition": firearm.condition,
        "converted_to_automatic": bool(firearm.converted_to_automatic),
        "notes": firearm.notes,
    }


def _firearm_conflict(firearm: Firearm) -> Conflict:
    return Conflict(_("Someone else changed this firearm while you were editing it. "
                      "Review the values saved now, then save again."),
                    {"version": firearm.version, "current": editable_values(firearm)})


# What a firearm is recognised by (SPEC §3): a change to any of them may link it to another record.
IDENTITY_FIELDS = frozenset({"manufacturer_id", "manufacturer_text", "model", "caliber_id", "caliber_text",
                             "serial_normalized", "restored_serial_normalized"})


def update_firearm(user, firearm: Firearm, values: dict[str, Any], version: Any) -> tuple[Firearm, dict[str, list[str]]]:
    """Change the identity fields present in ``values`` of a firearm ``user`` can see.

    ``version`` is the version the user started from; a stale one raises
    ``Conflict`` carrying the values stored now. The result is checked like a
    new firearm; only the fields that change are written and audited (old and
    new values). Returns the firearm and the warnings to show.
    """
    ensure_may_write(user, firearm)
    if isinstance(version, bool) or not isinstance(version, int) or version != firearm.version:
        raise _firearm_conflict(firearm)
    current = editable_values(firearm)
    given = {name: value for name, value in values.items() if name in current}
    stored_clean, _stored_check = check_firearm(current)
    clean, check = check_firearm({**current, **given})
    check.raise_if_errors()
    # Only what the user changed: a stored value checked again may resolve anew
    # (an alias added since), which is not the user's edit.
    old, new = apply_changes(firearm, {name: value for name, value in clean.items()
                                       if name in stored_clean and stored_clean[name] != value})
    if not new:
        return firearm, check.warnings
    with stale_as_conflict(firearm, _firearm_conflict):
        db.session.flush()
    db.session.expire(firearm, ["manufacturer", "caliber"])  # follow the changed references
    record("firearm.update", object_type="firearm", object_id=firearm.id, case_id=firearm.case_id, actor=user,
           details={"old": old, "new": new})
    if IDENTITY_FIELDS & set(new):
        # A corrected identity may now match another record: the links room looks again.
        firearm_identity_saved.send(firearm, actor=user)
    return firearm, check.warnings


def _own(check: Checker) -> set[str]:
    return {field[len(check.prefix):] for field in check.errors}


SEIZURE_CUSTODY_NOTE = "recorded_with_seizure"


def seizure_moment(seized_on, seized_time=None) -> datetime:
    """When a seizure happened, as UTC: its date and time are Mexico City wall-clock."""
    return local_to_utc(datetime.combine(seized_on, seized_time or datetime.min.time()))


def add_firearm(seizure, clean: dict[str, Any], actor=None) -> Firearm:
    """Create a checked firearm in ``seizure`` and open its custody chain with
    the seizure itself. The caller audits and commits."""
    firearm = Firearm(seizure=seizure, case_id=seizure.case_id, agency_id=seizure.case.owner_agency_id,
                      recorded_by_agency_id=seizure.recorded_by_agency_id, created_by_id=getattr(actor, "id", None),
                      **clean)
    db.session.add(firearm)
    db.session.flush()
    # The seizure's date and time are Mexican wall-clock time; the chain stores UTC.
    occurred = seizure_moment(seizure.seized_on, seizure.seized_time)
    db.session.add(CustodyEvent(
        firearm_id=firearm.id, event="seized", occurred_at=occurred,
        received_by_name=getattr(actor, "full_name", None), received_by_institution=seizure.agency.name,
        place=", ".join(p for p in (seizure.locality, seizure.address) if p) or None,
        note_code=SEIZURE_CUSTODY_NOTE, time_recorded=seizure.seized_time is not None, recorded_by_id=getattr(actor, "id", None)))
    return firearm


def custody_chain(owner) -> list[CustodyEvent]:
    """The chain of custody of ``owner`` (a firearm, or any record naming its
    ``custody_owner_column``, such as a ballistic evidence item), in the order things happened."""
    column = getattr(CustodyEvent, owner.custody_owner_column)
    return list(db.session.scalars(
        select(CustodyEvent).where(column == owner.id)
        .order_by(CustodyEvent.occurred_at, CustodyEvent.id)))


def custody_numbers(chain: list[CustodyEvent]) -> dict[int, int]:
    """Each entry's number within its owner's chain: 1, 2, 3 in the order recorded."""
    return {entry_id: number for number, entry_id in enumerate(sorted(entry.id for entry in chain), start=1)}


def record_custody_event(actor, firearm, values: dict[str, Any], attachment=None,
                         ensure_writer=None) -> CustodyEvent:
    """Append one entry to the chain of custody of ``firearm`` (or of another owner of a
    chain: a ballistic evidence item). Corrections are new entries naming the one they
    correct; nothing is ever edited. ``ensure_writer(actor, owner)`` refuses a user who may
    not write (the case's edit rule by default)."""
    if actor is not None:
        (ensure_writer or ensure_may_write)(actor, firearm)
    owner_column = firearm.custody_owner_column
    check = Checker()
    event = check.choice("event", values.get("event"), CUSTODY_EVENTS, required=True)
    occurred = values.get("occurred_at")
    if isinstance(occurred, str):
        try:
            occurred = datetime.fromisoformat(occurred.strip())
        except ValueError:
            check.error("occurred_at", _("Use a date and time in the form YYYY-MM-DD HH:MM."))
            occurred = None
    if occurred is None and "occurred_at" not in check.errors:
        check.error("occurred_at", _("This field is required."))
    if isinstance(occurred, datetime):
        if occurred.tzinfo is None:
            occurred = local_to_utc(occurred)
        if occurred > utcnow():
            check.error("occurred_at", _("The date cannot be in the future."))
        elif firearm.custody_starts_on is not None and occurred < local_to_utc(
                datetime.combine(firearm.custody_starts_on, datetime.min.time())):
            check.error("occurred_at", _("The chain of custody starts with the seizure: this date is before "
                                         "the seizure (%(date)s).", date=format_local_date(firearm.custody_starts_on)))
    texts = {name: check.text(name, values.get(name), 160 if "name" in name or "institution" in name else 200)
             for name in ("handed_over_by_name", "handed_over_by_institution", "received_by_name",
                          "received_by_institution", "place", "packaging")}
    texts["handed_over_by_rank"] = check.text("handed_over_by_rank", values.get("handed_over_by_rank"), 80)
    texts["received_by_rank"] = check.text("received_by_rank", values.get("received_by_rank"), 80)
    texts["seal_number"] = check.text("seal_number", values.get("seal_number"), 80)
    texts["notes"] = check.text("notes", values.get("notes"), 4000, multiline=True)
    if event in ("transferred", "received") and not (texts["handed_over_by_name"] and texts["received_by_name"]):
        check.error("received_by_name", _("A transfer or receipt must name who delivered and who received."))
    corrects_id = check.integer("corrects_id", values.get("corrects_id"), 1, 2**31 - 1)
    if corrects_id is not None:
        corrected = db.session.get(CustodyEvent, corrects_id)
        if corrected is None or getattr(corrected, owner_column) != firearm.id:
            check.error("corrects_id", _("The corrected entry belongs to another firearm."))
    check.raise_if_errors()
    entry = CustodyEvent(**{owner_column: firearm.id}, event=event, occurred_at=occurred, corrects_id=corrects_id,
                         attachment_id=getattr(attachment, "id", None), recorded_by_id=getattr(actor, "id", None),
                         **texts)
    db.session.add(entry)
    latest = custody_chain(firearm)
    db.session.flush()
    if not latest or occurred >= latest[-1].occurred_at:
        firearm.custody_status = event  # where the firearm is now: its latest custody event
    db.session.flush()
    record("custody.create", object_type=firearm.custody_object_type, object_id=firearm.id, case_id=firearm.case_id,
           details={"entry": entry.id, "event": event, "occurred_at": occurred.isoformat(),
                    "corrects": corrects_id, "seal_number": texts["seal_number"],
                    "attachment_sha256": getattr(attachment, "sha256", None)})
    return entry
