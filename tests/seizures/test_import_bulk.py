"""What the bulk write of an import leaves in every column, and how each row is found in the audit trail."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from tests.seizures.import_helpers import officer, row, run
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.firearms.serials import serial_search_keys
from tracer.seizures.models import Seizure
from tracer.tracing.readiness import trace_ready_of

KEYS = ("serial_skeleton", "serial_skeleton_reversed", "serial_digits")


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def user(ctx, reference_data):
    return officer("FGR")


def _rows():
    rows = [row(f"E{n}", f"S-{n // 3}", serial_number=f"mx{n:05d}k") for n in range(12)]
    rows.append(row("E-none", "S-no-serial", serial_number="", serial_status="obliterated"))
    rows.append(row("E-alone", "", serial_number="zz 991"))
    return rows


def test_every_column_of_an_imported_firearm_is_written(user):
    report = run(user, _rows())
    assert report.outcome == "imported" and report.imported_rows == 14

    firearms = db.session.scalars(select(Firearm).order_by(Firearm.id)).all()
    assert len(firearms) == 14
    for firearm in firearms:
        keys = serial_search_keys(firearm.serial_normalized, firearm.restored_serial_normalized)
        assert {key: getattr(firearm, key) for key in KEYS} == {key: keys[key] for key in KEYS}
        assert firearm.recorded_by_agency_id == user.agency_id and firearm.created_by_id == user.id
        assert firearm.trace_ready == trace_ready_of({c.name: getattr(firearm, c.name)
                                                       for c in Firearm.__table__.columns})
        assert firearm.created_at is not None and firearm.custody_status == "seized" and firearm.version == 1
    assert any(f.trace_ready for f in firearms) and not all(f.trace_ready for f in firearms)

    # The position grams, in their stored form, and the serial search's "holds all these" on them.
    for firearm in firearms:
        keys = serial_search_keys(firearm.serial_normalized, firearm.restored_serial_normalized)
        stored = (firearm.serial_positions or "").replace("'", "").split()
        assert sorted(stored) == sorted((keys["serial_positions"] or "").split())
    serial = db.session.scalar(select(Firearm).where(Firearm.external_id == "E7"))
    if db.session.get_bind().dialect.name == "postgresql":
        found = db.session.scalars(text("SELECT id FROM firearms WHERE serial_positions @@ "
                                        "to_tsquery('simple', :q)"), {"q": "u8x0xm & a8x5x07"}).all()
        assert found == [serial.id]

    custody = db.session.scalars(select(CustodyEvent)).all()
    assert sorted(c.firearm_id for c in custody) == [f.id for f in firearms]
    assert all(c.event == "seized" and c.recorded_at is not None and c.occurred_at is not None for c in custody)
    seizures = db.session.scalars(select(Seizure)).all()
    assert len(seizures) == 6 and all(s.recorded_by_agency_id == user.agency_id and s.version == 1
                                      for s in seizures)


def test_each_imported_firearm_is_named_by_exactly_one_audit_event(user):
    run(user, _rows())
    # A second file adds to a seizure already recorded: that firearm is named by the seizure's update.
    run(user, [row("E-late", "S-1", serial_number="mx77777k")])

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("seizure.create", "seizure.update")))).all()
    assert len(events) == 7  # one per seizure created, one for the seizure added to, not one per firearm
    named: dict[int, AuditEvent] = {}
    for event in events:
        for firearm_id in event.details.get("firearms") or event.details.get("firearms_added"):
            assert firearm_id not in named
            named[firearm_id] = event
    for firearm in db.session.scalars(select(Firearm)):
        event = named[firearm.id]
        assert event.object_id == str(firearm.seizure_id) and event.case_id == firearm.case_id
        assert event.details["source"] == "import"
    assert len(named) == db.session.scalar(select(func.count()).select_from(Firearm)) == 15


def test_an_imported_custody_entry_keeps_its_note_as_a_code_and_no_invented_time(user):
    """A CSV row has a date and no hour: the chain's first entry says the time was not recorded,
    and its note is the code every reader's language renders."""
    report = run(user, [row("T-1", "ST-1")])
    assert report.outcome == "imported", report.lines()
    entry = db.session.scalar(select(CustodyEvent).join(Firearm).where(Firearm.external_id == "T-1"))
    assert (entry.note_code, entry.notes, entry.time_recorded) == ("recorded_with_seizure", None, False)
