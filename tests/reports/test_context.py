"""The report's content: each section, and personal data only for a reader allowed to see it."""
from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.reports.conftest import PURCHASER
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.reports.context import canonical_content, canonical_text, content_hash, report_context


def _reads(case_id: int) -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read",
                                                            AuditEvent.case_id == case_id)))


def test_case_facts_and_agency_header(report_case):
    content = canonical_content(report_case.case)
    assert content["agency"]["acronym"] == "FGR"
    assert content["agency"]["name"] == "Fiscalía General de la República"
    facts = content["case"]
    assert (facts["reference"], facts["title"], facts["status"], facts["priority"]) == (
        report_case.case.reference, "Tráfico por Nogales", "investigating", "normal")
    assert facts["lead_officer"] == "Laura Agente Líder"
    assert facts["carpeta_number"] == "FED/SON/HMO/0001234/2026"
    assert facts["summary"] == "Aseguramiento en Hermosillo."


def test_seizures_and_scenes_with_their_places(report_case):
    content = canonical_content(report_case.case)
    [seizure] = content["seizures"]
    assert (seizure["seized_on"], seizure["state_code"], seizure["locality"], seizure["firearms"]) == (
        "2025-03-14", "26", "Hermosillo", 1)
    assert seizure["latitude"] == 29.0729
    [scene] = content["scenes"]
    assert (scene["occurred_on"], scene["crime_category"]) == ("2025-05-01", "homicidio")


def test_firearms_with_trace_result_short_time_to_crime_and_custody(report_case):
    [firearm] = canonical_content(report_case.case)["firearms"]
    assert firearm["serial_number"] == report_case.firearm.serial_number
    trace = firearm["trace"]
    assert (trace["outcome"], trace["ffl_name"], trace["ffl_state"]) == ("us_retail", "Border Guns LLC", "AZ")
    assert trace["time_to_crime_days"] == 286 and trace["short_time_to_crime"] is True
    assert firearm["custody"]["entries"] == 1 and firearm["custody"]["last_event"] == "seized"


def test_long_time_to_crime_is_not_marked_short(report_case):
    report_case.trace.time_to_crime_days = 2000
    [firearm] = canonical_content(report_case.case)["firearms"]
    assert firearm["trace"]["short_time_to_crime"] is False


def test_ballistic_items_and_confirmed_hits_name_another_agency_only_by_acronym(report_case):
    ballistics = canonical_content(report_case.case)["ballistics"]
    [item] = ballistics["items"]
    assert (item["kind"], item["headstamp"], item["lab_number"]) == ("cartridge_case", "FC 9MM LUGER", "LAB-77")
    [hit] = ballistics["hits"]
    assert hit["item_id"] == report_case.item.id and hit["conclusion"] == "identification"
    assert hit["other_agency"] == "FGE-SON" and hit["other_case"] is None
    assert "Otro caso" not in canonical_text(ballistics)


def test_review_history_comes_from_the_audit_trail(report_case):
    history = canonical_content(report_case.case)["history"]
    assert [(h["action"], h["from_status"], h["to_status"]) for h in history] == [
        ("case.transition", "open", "investigating")]
    assert history[0]["user"] == report_case.officer.username


def test_a_case_with_nothing_recorded_has_empty_sections(ctx):
    content = canonical_content(factories.case("FGR"))
    assert content["seizures"] == [] and content["firearms"] == [] and content["scenes"] == []
    assert content["ballistics"] == {"items": [], "hits": []}


def test_analyst_sees_the_purchaser_and_the_read_is_audited(report_case):
    analyst = factories.user("analyst", factories.agency("FGR"))
    report = report_context(analyst, report_case.case)
    assert report.content["firearms"][0]["trace"]["personal"]["purchaser_name"] == PURCHASER
    assert report.personal_data_shown and not report.redacted
    [read] = _reads(report_case.case.id)
    assert read.username == analyst.username and read.object_id == str(report_case.trace.id)
    assert PURCHASER not in str(read.details)


def test_officer_gets_a_redacted_report_with_the_same_hash_and_no_read(report_case):
    officer = factories.user("officer", factories.agency("FGR"))
    analyst = factories.user("analyst", factories.agency("FGR"))
    redacted = report_context(officer, report_case.case)
    assert redacted.content["firearms"][0]["trace"]["personal"]["purchaser_name"] is None
    assert redacted.redacted and not redacted.personal_data_shown
    assert PURCHASER not in str(redacted.content)
    assert _reads(report_case.case.id) == []
    assert report_context(analyst, report_case.case).sha256 == redacted.sha256


def test_the_hash_covers_the_canonical_content(report_case):
    content = canonical_content(report_case.case)
    digest = content_hash(canonical_text(content))
    assert len(digest) == 64
    report_case.case.title = "Otro título"
    assert content_hash(canonical_text(canonical_content(report_case.case))) != digest


def test_the_people_of_the_case_only_for_an_allowed_reader_and_audited(report_case):
    factories.person(report_case.case, "possessor", last_names="Poseedor Ejemplar", first_names="Mario")
    db.session.commit()
    [person] = canonical_content(report_case.case)["people"]
    assert person["role"] == "possessor" and person["personal"]["name"] == "Mario Poseedor Ejemplar"

    officer = factories.user("officer", factories.agency("FGR"))
    redacted = report_context(officer, report_case.case)
    assert redacted.redacted and redacted.content["people"][0]["withheld"]
    assert "Poseedor" not in str(redacted.content)
    assert _reads(report_case.case.id) == []

    supervisor = factories.user("supervisor", factories.agency("FGR"))
    shown = report_context(supervisor, report_case.case)
    assert shown.content["people"][0]["personal"]["name"] == "Mario Poseedor Ejemplar"
    reads = [read for read in _reads(report_case.case.id) if read.object_type == "case"]
    assert len(reads) == 1 and reads[0].details["person_ids"] == [person["person_id"]]
    assert "Poseedor" not in str(reads[0].details)
