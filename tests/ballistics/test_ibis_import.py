"""Importing IBIS correlation leads: checked whole, all or nothing (or partial), silent about
records the importer may not see, idempotent, audited a batch at a time."""
from __future__ import annotations

import csv
import io

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests import factories
from tests.ballistics.conftest import item_values
from tracer.audit.models import AuditEvent
from tracer.ballistics import leads, services
from tracer.ballistics.ibis_import import import_ibis_leads
from tracer.ballistics.models import BallisticLink
from tracer.core.errors import Forbidden
from tracer.extensions import db

PAGE = "/ballistics/ibis-leads/import"


def csv_bytes(rows: list[dict], columns=("ibis_ref_a", "ibis_ref_b", "rank", "score", "notes")) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def lead(a: str, b: str, rank="1", score="152.5", **more) -> dict:
    return {"ibis_ref_a": a, "ibis_ref_b": b, "rank": rank, "score": score, **more}


def run(user, rows, locale="en", **options):
    content = rows if isinstance(rows, bytes) else csv_bytes(rows)
    with force_locale(locale):
        return import_ibis_leads(io.BytesIO(content), user=user, source="correlaciones.csv", **options)


def links() -> list[BallisticLink]:
    return list(db.session.scalars(select(BallisticLink).order_by(BallisticLink.id)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def second_case_item(world):
    """Another Jalisco cartridge case, from the same scene."""
    item = services.create_item(world.jalisco_examiner, world.jalisco_case,
                                item_values(scene_id=world.scene.id, ibis_ref="JAL-CC-2"))
    db.session.commit()
    return item


def test_a_federal_examiner_imports_leads_across_states(world, second_case_item):
    report = run(world.federal_examiner, [lead("SON-TF-1", "JAL-CC-1", notes="Alta correlación"),
                                          lead("JAL-CC-2", "JAL-CC-1", rank="2", score="98")])
    assert (report.outcome, report.rows, report.imported_rows, report.problems) == ("imported", 2, 2, [])
    first, second = links()
    assert {first.item_a_id, first.item_b_id} == {world.test_fire.id, world.cartridge_case.id}
    assert first.item_a_id < first.item_b_id
    assert (first.status, first.source, first.ibis_rank, first.ibis_score) == ("lead", "ibis", 1, 152.5)
    assert first.notes == "Alta correlación" and first.created_by_id == world.federal_examiner.id
    assert (second.ibis_rank, second.ibis_score) == (2, 98.0)
    batch = events("ballistic_link.import")
    assert len(batch) == 1, "one event for the batch, not one per lead"
    assert batch[0].details["links"] == [first.id, second.id] and batch[0].user_id == world.federal_examiner.id
    assert events("import.ibis_leads")[0].details["created"] == 2


def test_a_second_import_of_the_same_file_changes_nothing(world):
    rows = [lead("SON-TF-1", "JAL-CC-1")]
    assert run(world.federal_examiner, rows).imported_rows == 1
    again = run(world.federal_examiner, rows)
    assert (again.outcome, again.imported_rows, again.already_imported) == ("imported", 0, 1)
    with force_locale("en"):
        assert again.headline() == "Nothing new: every row had already been imported."
    assert len(links()) == 1 and len(events("import.ibis_leads")) == 1


def test_a_pair_named_twice_in_the_file_or_the_other_way_round_is_one_lead(world):
    report = run(world.federal_examiner, [lead("SON-TF-1", "JAL-CC-1"), lead("JAL-CC-1", "SON-TF-1", rank="4")])
    assert (report.outcome, report.imported_rows, report.already_imported) == ("imported", 1, 1)
    assert [(p.line, p.severity) for p in report.problems] == [(3, "skipped")]
    assert "Line 2 joins the same two items" in report.problems[0].message
    assert len(links()) == 1 and links()[0].ibis_rank == 1


def test_a_lead_already_drawn_by_an_examiner_is_already_present(world):
    leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    db.session.commit()
    report = run(world.federal_examiner, [lead("JAL-CC-1", "SON-TF-1")])
    assert (report.outcome, report.imported_rows, report.already_imported) == ("imported", 0, 1)
    assert len(links()) == 1 and links()[0].source == "manual"


def test_one_bad_row_rejects_the_file_and_partial_writes_the_good_rows(world, second_case_item):
    rows = [lead("SON-TF-1", "JAL-CC-1"), lead("JAL-CC-2", "JAL-CC-2"), lead("JAL-CC-2", "JAL-CC-1", rank="0"),
            lead("JAL-CC-2", "SON-TF-1", score="alto")]
    rejected = run(world.federal_examiner, rows)
    assert (rejected.outcome, rejected.error_rows, rejected.imported_rows) == ("rejected", 3, 0)
    assert [(p.line, p.column, p.value) for p in rejected.problems] == [
        (3, "ibis_ref_b", "JAL-CC-2"), (4, "rank", "0"), (5, "score", "alto")]
    assert rejected.problems[0].message == "A lead joins two different items."
    assert links() == []
    assert events("import.ibis_leads")[0].outcome == "failure"
    partial = run(world.federal_examiner, rows, partial=True)
    assert (partial.outcome, partial.imported_rows) == ("partial", 1)
    assert len(links()) == 1


def test_a_dry_run_writes_nothing(world):
    report = run(world.federal_examiner, [lead("SON-TF-1", "JAL-CC-1")], dry_run=True)
    assert (report.outcome, report.imported_rows) == ("imported", 1)
    with force_locale("en"):
        assert report.headline() == "Dry run: the file would be imported. Nothing was written."
    assert links() == [] and events("import.ibis_leads") == [] and events("ballistic_link.import") == []


def test_another_agencys_item_and_a_missing_one_get_the_same_answer(world):
    """A Jalisco examiner may not learn that Sonora holds SON-TF-1: the report is the one for a
    reference that exists nowhere, word for word."""
    out_of_scope = run(world.jalisco_examiner, [lead("JAL-CC-1", "SON-TF-1")], locale="es")
    absent = run(world.jalisco_examiner, [lead("JAL-CC-1", "XXX-TF-9")], locale="es")
    assert out_of_scope.outcome == absent.outcome == "rejected"
    assert [line.replace("SON-TF-1", "REF") for line in out_of_scope.lines()] == \
        [line.replace("XXX-TF-9", "REF") for line in absent.lines()]
    assert out_of_scope.problems[0].column == "ibis_ref_b"
    assert "IBIS" in out_of_scope.problems[0].message and "Sonora" not in "".join(out_of_scope.lines())
    assert links() == []
    assert events("deconfliction.disclose") == [], "nothing disclosed, nothing counted"


def test_only_examiners_import(world):
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    with pytest.raises(Forbidden):
        run(supervisor, [lead("SON-TF-1", "JAL-CC-1")])
    assert links() == []


def test_a_file_without_the_columns_is_refused_whole(world):
    report = run(world.federal_examiner, b"ref_a,ref_b\nSON-TF-1,JAL-CC-1\n")
    assert report.outcome == "rejected"
    assert report.problems[0].message.startswith("Missing columns: ibis_ref_a, ibis_ref_b, rank, score.")


def test_the_command_line(app, world, tmp_path):
    path = tmp_path / "correlaciones.csv"
    path.write_bytes(csv_bytes([lead("SON-TF-1", "JAL-CC-1"), lead("SON-TF-1", "NOPE")]))
    runner = app.test_cli_runner()
    username = world.federal_examiner.username
    rejected = runner.invoke(args=["import", "ibis-leads", str(path), "--user", username, "--lang", "en"])
    assert rejected.exit_code == 1, rejected.output
    assert rejected.stdout.splitlines()[0] == "The file was rejected: nothing was written."
    assert "line 3, column ibis_ref_b, value “NOPE”" in rejected.stdout
    dry = runner.invoke(args=["import", "ibis-leads", str(path), "--partial", "--dry-run", "--user", username,
                              "--lang", "en"])
    assert dry.exit_code == 0 and "  Leads to create: 1" in dry.stdout
    assert db.session.scalar(select(func.count()).select_from(BallisticLink)) == 0
    partial = runner.invoke(args=["import", "ibis-leads", str(path), "--partial", "--user", username, "--lang", "en"])
    assert partial.exit_code == 0 and "  Leads created: 1" in partial.stdout
    again = runner.invoke(args=["import", "ibis-leads", str(path), "--partial", "--lang", "en"])
    assert "  Pairs already joined (unchanged): 1" in again.stdout and "  Leads created: 0" in again.stdout
    officer = runner.invoke(args=["import", "ibis-leads", str(path), "--user", "nobody-here"])
    assert officer.exit_code == 2


def test_the_upload_page(login_as, world):
    examiner = login_as("analyst", "FGR", locale="es")
    page = examiner.get(PAGE)
    assert page.status_code == 200 and "Importar posibles correlaciones de IBIS" in page.get_data(as_text=True)
    data = {"file": (io.BytesIO(csv_bytes([lead("SON-TF-1", "JAL-CC-1")])), "correlaciones.csv"), "dry_run": "y"}
    dry = examiner.post(PAGE, data, token_from=PAGE, content_type="multipart/form-data")
    assert dry.status_code == 200 and links() == []
    data = {"file": (io.BytesIO(csv_bytes([lead("SON-TF-1", "JAL-CC-1")])), "correlaciones.csv")}
    done = examiner.post(PAGE, data, token_from=PAGE, content_type="multipart/form-data")
    assert done.status_code == 200 and len(links()) == 1
    assert links()[0].created_by_id == examiner.user.id
    assert examiner.post(PAGE, {}, token_from=PAGE).status_code == 400


def test_each_batch_is_one_audit_event_naming_its_links(world, second_case_item, monkeypatch):
    from tracer.ballistics import ibis_import

    monkeypatch.setattr(ibis_import, "BATCH_ROWS", 2)
    report = run(world.federal_examiner, [lead("SON-TF-1", "JAL-CC-1"), lead("SON-TF-1", "JAL-CC-2"),
                                          lead("JAL-CC-1", "JAL-CC-2")])
    assert report.imported_rows == 3
    batches = events("ballistic_link.import")
    assert [len(event.details["links"]) for event in batches] == [2, 1]
    assert sorted(link_id for event in batches for link_id in event.details["links"]) == [link.id for link in links()]
