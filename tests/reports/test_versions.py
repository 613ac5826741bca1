"""Versions: frozen on approval in the approval's transaction, refused any change by the database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.cases.signals import case_transitioned
from tracer.extensions import db
from tracer.reports import services
from tracer.reports.context import canonical_content, canonical_text, content_hash
from tracer.reports.models import CaseReportVersion


def _approve(case, supervisor):
    case.status = "approved"
    case_transitioned.send(supervisor, case=case, action="approve", from_status="in_review",
                           to_status="approved", comment="Conforme.")


def _versions(case) -> list[CaseReportVersion]:
    return list(db.session.scalars(select(CaseReportVersion).where(CaseReportVersion.case_id == case.id)
                                   .order_by(CaseReportVersion.number)))


def test_approval_freezes_a_version_in_the_same_transaction(report_case):
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    _approve(report_case.case, supervisor)
    [version] = _versions(report_case.case)
    assert (version.number, version.kind, version.created_by_id) == (1, "approved", supervisor.id)
    assert version.sha256 == content_hash(version.content)
    content = json.loads(version.content)
    assert content["case"]["reference"] == report_case.case.reference and content["case"]["status"] == "approved"
    assert content["history"][-1]["to_status"] == "approved" and content["history"][-1]["comment"] == "Conforme."
    db.session.rollback()  # the approval does not happen: neither does its version
    assert _versions(report_case.case) == []


def test_other_transitions_store_nothing(report_case):
    case_transitioned.send(report_case.officer, case=report_case.case, action="submit", from_status="investigating",
                           to_status="in_review", comment=None)
    assert _versions(report_case.case) == []


def test_storing_a_version_is_audited_without_personal_data(report_case):
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    _approve(report_case.case, supervisor)
    db.session.commit()
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.version"))
    assert event.details["kind"] == "approved" and event.details["version"] == 1
    assert "Comprador" not in json.dumps(event.details)


def test_an_approved_case_shows_its_approved_version_and_later_changes_do_not_alter_it(report_case):
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    _approve(report_case.case, supervisor)
    db.session.commit()
    frozen = services.approved_version(report_case.case)
    report_case.case.title = "Cambiado después"
    db.session.commit()
    assert services.approved_version(report_case.case).sha256 == frozen.sha256
    assert json.loads(frozen.content)["case"]["title"] == "Tráfico por Nogales"
    assert services.version_to_print(supervisor, report_case.case).id == frozen.id


def test_printing_a_draft_stores_it_once(report_case):
    first = services.version_to_print(report_case.officer, report_case.case)
    again = services.version_to_print(report_case.officer, report_case.case)
    assert first.id == again.id and first.kind == "draft" and first.number == 1
    report_case.case.summary = "Más datos."
    changed = services.version_to_print(report_case.officer, report_case.case)
    assert changed.number == 2
    assert changed.sha256 == content_hash(canonical_text(canonical_content(report_case.case)))


@pytest.mark.parametrize("statement", [
    "UPDATE case_report_versions SET sha256 = 'x' WHERE id = :id",
    "UPDATE case_report_versions SET kind = 'draft' WHERE id = :id",
    "DELETE FROM case_report_versions WHERE id = :id",
])
def test_the_database_refuses_to_change_an_approved_version(report_case, statement):
    supervisor = factories.user("supervisor", factories.agency("FGR"))
    _approve(report_case.case, supervisor)
    db.session.commit()
    version_id = _versions(report_case.case)[0].id
    with pytest.raises(DatabaseError, match="never change"):
        with db.session.begin_nested():
            db.session.execute(text(statement), {"id": version_id})
    assert db.session.get(CaseReportVersion, version_id).kind == "approved"


def test_a_printed_draft_is_frozen_too(report_case):
    draft = services.version_to_print(report_case.officer, report_case.case)
    db.session.commit()
    with pytest.raises(DatabaseError, match="never change"):
        with db.session.begin_nested():
            db.session.execute(text("DELETE FROM case_report_versions WHERE id = :id"), {"id": draft.id})


def test_the_record_of_an_exported_file_is_frozen_too(report_case):
    version = services.version_to_print(report_case.officer, report_case.case)
    export = services.record_export(report_case.officer, report_case.case, version, b"%PDF-1.7 ...", paper="a4",
                                    language="es", redacted=True)
    db.session.commit()
    for statement in ("UPDATE case_report_exports SET file_sha256 = 'x' WHERE id = :id",
                      "DELETE FROM case_report_exports WHERE id = :id"):
        with pytest.raises(DatabaseError, match="never change"):
            with db.session.begin_nested():
                db.session.execute(text(statement), {"id": export.id})
