"""Importing seizures from CSV: what is written, what is refused, what is reported."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from tests.seizures.import_helpers import count, messages, officer, row, run
from tracer.audit.models import AuditEvent
from tracer.audit.services import verify_chain
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.seizures.importing import AgencyActor
from tracer.seizures.models import Seizure


@pytest.fixture(autouse=True)
def english(ctx):
    """Reports in English, whatever the catalogs say (the language itself is tested in test_import_cli)."""
    with force_locale("en"):
        yield


@pytest.fixture
def user(ctx, reference_data):
    return officer("FGR")


def test_a_good_file_is_imported_grouped_by_seizure_ref(user):
    rows = [row("E1", "S-1", serial_number="bxk-123 45"), row("E2", "S-1", firearm_type="fusil", manufacturer="Colt",
                                                               model="AR-15", caliber="5.56", importer="",
                                                               country_of_manufacture="US"),
            row("E3", "S-2", state="14", municipality="Guadalajara", locality="", firearm_type="revólver",
                manufacturer="S&W", model="686", caliber=".357", importer="", country_of_manufacture="EEUU")]
    report = run(user, rows)
    assert (report.outcome, report.rows, report.imported_rows, report.seizures, report.cases) == (
        "imported", 3, 3, 2, 2)
    assert report.error_rows == report.errors == 0

    first = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == "S-1"))
    assert (first.state_code, first.municipality_code, first.locality) == ("26", "030", "Hermosillo")
    assert first.coordinate_source == "gazetteer" and first.latitude and first.longitude
    assert first.agency_id == user.agency_id and first.created_by_id == user.id
    firearms = {f.external_id: f for f in db.session.scalars(select(Firearm).where(Firearm.seizure_id == first.id))}
    assert set(firearms) == {"E1", "E2"}
    assert firearms["E1"].serial_number == "bxk-123 45" and firearms["E1"].serial_normalized == "BXK12345"
    assert firearms["E1"].firearm_type == "pistol" and firearms["E1"].manufacturer.name == "Glock"
    assert firearms["E1"].country_code == "AT" and firearms["E1"].agency_id == user.agency_id
    assert firearms["E2"].firearm_type == "rifle" and firearms["E2"].caliber.name == "5.56x45mm NATO"

    second = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == "S-2"))
    assert second.case_id != first.case_id
    revolver = db.session.scalar(select(Firearm).where(Firearm.external_id == "E3"))
    assert (revolver.firearm_type, revolver.manufacturer.name, revolver.country_code) == (
        "revolver", "Smith & Wesson", "US")

    case = db.session.get(Case, first.case_id)
    assert "S-1" in case.title and case.status == "open"
    assert case.owner_agency_id == user.agency_id and case.lead_officer_id == user.id
    assert case.reference.startswith("TR-")

    chain = list(db.session.scalars(select(CustodyEvent).where(CustodyEvent.firearm_id == firearms["E1"].id)))
    assert [(c.event, c.recorded_by_id) for c in chain] == [("seized", user.id)]
    # The seizure's date is Mexico City's: its midnight is 06:00 UTC, not the evening before.
    assert chain[0].occurred_at.isoformat() == "2025-03-14T06:00:00+00:00"


def test_the_import_is_audited(user):
    run(user, [row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-2")])
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    actions = [e.action for e in events]
    assert actions.count("case.create") == 2 and actions.count("seizure.create") == 2
    created = next(e for e in events if e.action == "seizure.create" and e.details["new"]["seizure_ref"] == "S-1")
    ids = {f.id for f in db.session.scalars(select(Firearm).where(Firearm.external_id.in_(["E1", "E2"])))}
    assert set(created.details["firearms"]) == ids and created.user_id == user.id
    summary = events[-1]
    assert summary.action == "import.seizures" and summary.outcome == "success"
    assert (summary.details["rows"], summary.details["firearms"], summary.details["seizures"]) == (3, 3, 2)
    assert verify_chain().intact


def test_a_second_import_of_the_same_rows_changes_nothing(user):
    rows = [row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-2")]
    run(user, rows)
    before = (count(Firearm), count(Seizure), count(Case), count(CustodyEvent))
    again = run(user, rows)
    assert (again.outcome, again.already_imported, again.imported_rows, again.errors) == ("imported", 3, 0, 0)
    assert "already" in again.headline().lower()
    assert (count(Firearm), count(Seizure), count(Case), count(CustodyEvent)) == before


def test_new_rows_of_a_seizure_already_recorded_join_it(user):
    run(user, [row("E1", "S-1")])
    report = run(user, [row("E1", "S-1"), row("E2", "S-1")])
    assert (report.already_imported, report.imported_rows, report.seizures, report.cases) == (1, 1, 0, 0)
    seizure = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == "S-1"))
    assert {f.external_id for f in seizure.firearms} == {"E1", "E2"}
    added = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seizure.update"))
    assert added.object_id == str(seizure.id)


def test_a_row_that_contradicts_a_recorded_seizure_is_refused(user):
    run(user, [row("E1", "S-1")])
    report = run(user, [row("E2", "S-1", seized_on="2025-03-15")])
    assert report.rejected and report.errors == 1
    assert report.problems[0].line == 2 and report.problems[0].column == "seized_on"
    assert count(Firearm) == 1


def test_one_bad_row_rejects_the_whole_file(user):
    rows = [row("E1", "S-1"), row("E2", "S-2"), row("E3", "S-3", state="Sonoraa"), row("E4", "S-4")]
    report = run(user, rows)
    assert report.rejected and (report.rows, report.error_rows, report.imported_rows) == (4, 1, 0)
    assert (count(Firearm), count(Seizure), count(Case)) == (0, 0, 0)
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (4, "state", "Sonoraa")
    assert "INEGI" in problem.message
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.seizures"))
    assert failed.outcome == "failure"


def test_partial_writes_the_good_seizures_and_skips_a_seizure_with_a_bad_row(user):
    rows = [row("E1", "S-1"), row("E2", "S-2"), row("E3", "S-2", caliber="12 gauge"), row("E4", "S-3")]
    report = run(user, rows, partial=True)
    assert (report.outcome, report.imported_rows, report.seizures, report.error_rows, report.skipped_rows) == (
        "partial", 2, 2, 1, 1)
    assert {f.external_id for f in db.session.scalars(select(Firearm))} == {"E1", "E4"}
    assert db.session.scalar(select(Seizure).where(Seizure.seizure_ref == "S-2")) is None
    assert messages(report, line=4, column="caliber")
    skipped = [p for p in report.problems if p.severity == "skipped"]
    assert [(p.line, p.column, p.value) for p in skipped] == [(3, "seizure_ref", "S-2")]
    assert "4" in skipped[0].message


def test_partial_then_the_fixed_file_completes_the_import(user):
    rows = [row("E1", "S-1"), row("E2", "S-2", serial_number="")]
    run(user, rows, partial=True)
    rows[1]["serial_number"] = "XYZ 987"
    report = run(user, rows)
    assert (report.outcome, report.already_imported, report.imported_rows) == ("imported", 1, 1)
    assert count(Firearm) == 2


def test_a_dry_run_writes_nothing(user):
    events = count(AuditEvent)
    report = run(user, [row("E1", "S-1"), row("E2", "S-2")], dry_run=True)
    assert (report.outcome, report.dry_run, report.imported_rows, report.seizures, report.cases) == (
        "imported", True, 2, 2, 2)
    assert "nothing was written" in report.headline().lower()
    assert (count(Firearm), count(Seizure), count(Case), count(AuditEvent)) == (0, 0, 0, events)


def test_a_dry_run_of_a_bad_file_says_it_would_be_rejected(user):
    report = run(user, [row("E1", "S-1", seized_on="2025-02-30")], dry_run=True)
    assert report.rejected and report.problems[0].column == "seized_on"
    assert count(Firearm) == 0


def test_duplicate_external_id_in_the_file_names_both_rows(user):
    report = run(user, [row("E1", "S-1"), row("E2", "S-1"), row("E1", "S-2")])
    assert report.rejected
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (4, "external_id", "E1")
    assert "2" in problem.message


def test_rows_of_one_seizure_must_agree_on_its_date_and_place(user):
    rows = [row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-1", municipality="Cajeme", locality="Ciudad Obregón")]
    report = run(user, rows)
    assert report.rejected
    assert {(p.line, p.column) for p in report.problems} == {(4, "municipality"), (4, "locality")}
    assert all("S-1" in p.message and "2" in p.message for p in report.problems)
    assert next(p.value for p in report.problems if p.column == "municipality") == "Cajeme"


def test_names_and_codes_of_one_place_agree(user):
    rows = [row("E1", "S-1"), row("E2", "S-1", state="26", municipality="030"),
            row("E3", "S-1", state="SONORA", municipality="hermosillo")]
    report = run(user, rows)
    assert report.outcome == "imported" and report.seizures == 1


def test_rows_without_seizure_ref_are_seizures_of_their_own(user):
    report = run(user, [row("E1", ""), row("E2", "")])
    assert (report.outcome, report.seizures, report.cases) == ("imported", 2, 2)
    assert {s.seizure_ref for s in db.session.scalars(select(Seizure))} == {None}


def test_spanish_and_english_firearm_types(user):
    words = ["pistola", "revólver", "Rifle", "fusil", "escopeta", "subametralladora", "ametralladora", "receptor",
             "pistol", "shotgun"]
    rows = [row(f"E{i}", f"S-{i}", firearm_type=word, caliber="", manufacturer="", model="")
            for i, word in enumerate(words)]
    report = run(user, rows)
    assert report.outcome == "imported", report.problems
    types = {f.external_id: f.firearm_type for f in db.session.scalars(select(Firearm))}
    assert [types[f"E{i}"] for i in range(len(words))] == [
        "pistol", "revolver", "rifle", "rifle", "shotgun", "submachine_gun", "machine_gun", "receiver_frame",
        "pistol", "shotgun"]


def test_seizures_join_the_case_named_by_case_reference(user):
    case = factories.case(user.agency, user)
    db.session.commit()
    report = run(user, [row("E1", "S-1", case_reference=case.reference.lower()), row("E2", "S-1",
                                                                                      case_reference=case.reference)])
    assert (report.outcome, report.cases, report.seizures) == ("imported", 0, 1)
    seizure = db.session.scalar(select(Seizure))
    assert seizure.case_id == case.id


def test_a_case_out_of_scope_is_not_found(ctx, reference_data):
    outsider = officer("FGE-JAL")
    theirs = factories.case("FGE-SON")
    db.session.commit()
    report = run(outsider, [row("E1", "S-1", case_reference=theirs.reference)])
    assert report.rejected
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (2, "case_reference", theirs.reference)
    assert "not found" in problem.message.lower()
    report = run(outsider, [row("E1", "S-1", case_reference="TR-2020-999999", seized_on="2031-01-01")])
    assert report.problems[0].message == problem.message
    assert [p.column for p in report.problems] == ["case_reference", "seized_on"]  # the rest is still checked


def test_an_agency_acting_alone_imports_without_a_user(ctx, reference_data):
    officer("FGE-SON")
    agency = factories.agency("FGE-SON")
    report = run(AgencyActor(agency), [row("E1", "S-1", agency="SEDENA")])
    assert report.outcome == "imported"
    seizure = db.session.scalar(select(Seizure))
    case = db.session.get(Case, seizure.case_id)
    assert (case.owner_agency_id, case.lead_officer_id, case.created_by_id) == (agency.id, None, None)
    assert seizure.agency.acronym == "SEDENA"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "seizure.create"))
    assert (event.user_id, event.agency_id, event.source_address) == (None, agency.id, "cli")


def test_warnings_are_reported_but_do_not_block(user):
    report = run(user, [row("E1", "S-1", manufacturer="Armas Hechizas del Norte"),
                        row("E2", "S-2", latitude="19.43", longitude="-99.13")])
    assert report.outcome == "imported" and report.warnings == 2
    assert {(p.line, p.column, p.severity) for p in report.problems} == {
        (2, "manufacturer", "warning"), (3, "latitude", "warning")}
    flagged = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == "S-2"))
    assert flagged.coordinates_outside_state and flagged.coordinate_source == "gps"


def test_only_case_workers_import(ctx):
    from tracer.core.errors import Forbidden

    liaison = factories.user("liaison")
    db.session.commit()
    with pytest.raises(Forbidden):
        run(liaison, [row("E1")])


def _failing_second_batch(monkeypatch):
    """Make the database refuse the second batch of firearms, as a concurrent import would."""
    from sqlalchemy.exc import IntegrityError

    from tracer.seizures import importing, importing_writer

    monkeypatch.setattr(importing, "BATCH_ROWS", 2)
    original, calls = importing_writer.BulkWriter._insert_custody, []

    def insert_custody(self, batch, firearm_ids):
        calls.append(len(batch))
        if len(calls) == 2:
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        return original(self, batch, firearm_ids)

    monkeypatch.setattr(importing_writer.BulkWriter, "_insert_custody", insert_custody)


def test_a_database_failure_while_writing_leaves_nothing_written(user, monkeypatch):
    _failing_second_batch(monkeypatch)
    report = run(user, [row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-2"), row("E4", "S-3")])
    assert report.rejected and report.imported_rows == 0
    assert "Nothing was written" in report.problems[0].message
    assert (count(Firearm), count(Seizure), count(Case), count(CustodyEvent)) == (0, 0, 0, 0)
    assert verify_chain().intact


def test_a_database_failure_in_a_partial_import_keeps_the_batches_before(user, monkeypatch):
    _failing_second_batch(monkeypatch)
    report = run(user, [row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-2"), row("E4", "S-3")], partial=True)
    assert (report.outcome, report.imported_rows, report.seizures) == ("partial", 2, 1)
    assert {f.external_id for f in db.session.scalars(select(Firearm))} == {"E1", "E2"}
    assert count(CustodyEvent) == 2 and verify_chain().intact
