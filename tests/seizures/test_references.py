"""A seizure_ref and an external_id belong to the agency that records them (SPEC §2, §8).

Another agency's use of a reference is never revealed: a row, a form or a request
naming it gets exactly the answer an unused reference gets (a new seizure), on every
channel — the import and its dry run (service, command line, upload page), the form
and the API. Within the agency a reference stays unique, and a second import of the
same file changes nothing.
"""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from tests.api.test_api import assert_error, bearer
from tests.seizures import import_helpers
from tests.seizures.helpers import field_error, field_value, new_case, row, seizure_form, text
from tests.seizures.import_helpers import count, run
from tests.seizures.sample_csv import csv_bytes
from tests.seizures.test_import_page import upload
from tracer.auth import tokens
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure

USED, UNUSED = "ASEG-2025-0042", "ASEG-2025-0999"


@pytest.fixture
def sonora(ctx, reference_data):
    """An officer of the FGE-SON, after a federal officer recorded ``USED`` (seized by the
    FGE-SON itself, in an FGR case) and external id ``E1`` (in a case of the FGE-SON)."""
    federal = import_helpers.officer("FGR")
    sonora_officer = import_helpers.officer("FGE-SON")
    sonora_case = factories.case(sonora_officer.agency, sonora_officer)
    db.session.commit()
    with force_locale("en"):
        first = run(federal, [import_helpers.row("F-1", USED, agency="FGE-SON"),
                              import_helpers.row("E1", "FED-7", case_reference=sonora_case.reference)])
    assert first.outcome == "imported", first.problems
    return sonora_officer


def answer(report, reference: str) -> tuple:
    """What a report tells its reader, with the reference named in it blanked out."""
    return (report.outcome, report.counts(), report.headline(),
            [(p.line, p.column, (p.value or "").replace(reference, "REF"), p.message.replace(reference, "REF"))
             for p in report.problems])


def rows_naming(reference: str, external_id: str = "S-100") -> list[dict]:
    return [import_helpers.row(external_id, reference), import_helpers.row(f"{external_id}b", reference)]


# --- the import and its dry run ---------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_reference_another_agency_uses_gets_the_answer_of_an_unused_one(sonora, dry_run):
    with force_locale("en"):
        used = run(sonora, rows_naming(USED), dry_run=dry_run)
        unused = run(sonora, rows_naming(UNUSED, "S-200"), dry_run=dry_run)
    assert answer(used, USED) == answer(unused, UNUSED)
    assert (used.outcome, used.seizures, used.imported_rows) == ("imported", 1, 2)
    if not dry_run:
        mine = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == USED,
                                                       Seizure.recorded_by_agency_id == sonora.agency_id))
        assert {f.external_id for f in mine.firearms} == {"S-100", "S-100b"}
        assert mine.agency_id == sonora.agency_id and mine.case.owner_agency_id == sonora.agency_id
        federal = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == USED,
                                                          Seizure.recorded_by_agency_id != sonora.agency_id))
        assert [f.external_id for f in federal.firearms] == ["F-1"]  # the other agency's seizure is untouched


def test_an_external_id_another_agency_recorded_in_our_case_is_ours_to_use(sonora):
    """The federal import put E1 in a case of the FGE-SON; the FGE-SON's own E1 is still new to it."""
    with force_locale("en"):
        used = run(sonora, [import_helpers.row("E1", "S-7")], dry_run=True)
        unused = run(sonora, [import_helpers.row("E9", "S-7")], dry_run=True)
        assert answer(used, "E1") == answer(unused, "E9")
        assert used.already_imported == 0 and used.imported_rows == 1
        written = run(sonora, [import_helpers.row("E1", "S-7")])
    assert written.imported_rows == 1
    assert count(Firearm, Firearm.external_id == "E1") == 2


def test_a_second_import_of_the_same_file_changes_nothing(sonora):
    rows = rows_naming(USED) + [import_helpers.row("E1", "S-8")]
    with force_locale("en"):
        first = run(sonora, rows)
        before = (count(Firearm), count(Seizure), count(Case))
        again = run(sonora, rows)
    assert first.imported_rows == 3
    assert (again.outcome, again.already_imported, again.imported_rows) == ("imported", 3, 0)
    assert (count(Firearm), count(Seizure), count(Case)) == before


def test_new_rows_join_the_agency_s_own_seizure_and_must_agree_on_the_seizing_agency(sonora):
    with force_locale("en"):
        run(sonora, [import_helpers.row("S-1", USED)])
        joined = run(sonora, [import_helpers.row("S-2", USED)])
        assert (joined.imported_rows, joined.seizures, joined.cases) == (1, 0, 0)
        other_seizer = run(sonora, [import_helpers.row("S-3", USED, agency="SEDENA")])
    assert other_seizer.rejected
    assert [(p.line, p.column) for p in other_seizer.problems] == [(2, "agency")]
    mine = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == USED,
                                                   Seizure.recorded_by_agency_id == sonora.agency_id))
    assert {f.external_id for f in mine.firearms} == {"S-1", "S-2"}


def test_the_command_line_dry_run_answers_alike(app, sonora, tmp_path):
    outputs = []
    for reference, external_id in ((USED, "S-100"), (UNUSED, "S-200")):
        path = tmp_path / f"{reference}.csv"
        path.write_bytes(csv_bytes(rows_naming(reference, external_id)))
        result = app.test_cli_runner().invoke(args=["import", "seizures", str(path), "--user", sonora.username,
                                                    "--dry-run", "--lang", "en"])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout.replace(reference, "REF"))
    assert outputs[0] == outputs[1]
    assert "Seizures to create: 1" in outputs[0]


def test_the_upload_page_dry_run_answers_alike(sonora, app):
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    assert browser.login(sonora.username).status_code == 302
    pages = []
    for reference, external_id in ((USED, "S-100"), (UNUSED, "S-200")):
        response = upload(browser, csv_bytes(rows_naming(reference, external_id)), dry_run=True)
        assert response.status_code == 200
        page = re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))
        pages.append(page.replace(reference, "REF"))
    assert pages[0] == pages[1]


# --- the form -----------------------------------------------------------------------------------------


@pytest.fixture
def form_officer(login_as, sonora):
    signed = login_as("officer", "FGE-SON", locale="en")
    signed.case = new_case(signed.user)
    return signed


def submit(officer, reference: str, serial: str):
    data = seizure_form(officer.case.id, [row(serial_number=serial)], seizure_ref=reference)
    return officer.post("/seizures/new", data, token_from="/seizures/new")


def test_the_form_takes_a_reference_another_agency_uses_like_an_unused_one(form_officer):
    used, unused = submit(form_officer, USED, "QX-1001"), submit(form_officer, UNUSED, "QX-1002")
    assert used.status_code == unused.status_code == 302
    follow = [text(form_officer.get(r.headers["Location"])) for r in (used, unused)]
    assert USED in follow[0] and UNUSED in follow[1]
    recorded = db.session.scalar(select(Seizure).where(Seizure.seizure_ref == USED,
                                                       Seizure.recorded_by_agency_id == form_officer.user.agency_id))
    assert recorded is not None and recorded.created_by_id == form_officer.user.id


def test_the_form_refuses_a_reference_the_agency_already_used_and_keeps_what_was_typed(form_officer):
    assert submit(form_officer, UNUSED, "QX-1001").status_code == 302
    response = submit(form_officer, UNUSED, "QX-2002")
    assert response.status_code == 400
    page = text(response)
    assert f"Your agency has already recorded seizure {UNUSED}" in field_error(page, "seizure_ref")
    assert field_value(page, "seizure_ref") == UNUSED and field_value(page, "firearms-0-serial_number") == "QX-2002"
    assert count(Seizure, Seizure.seizure_ref == UNUSED) == 1


# --- the API ------------------------------------------------------------------------------------------


def api_body(case_id: int, reference: str, serial: str) -> dict:
    return {"case_id": case_id, "seized_on": "2025-03-14", "state": "26", "municipality": "Hermosillo",
            "latitude": 29.0729, "longitude": -110.9559, "seizure_ref": reference,
            "firearms": [{"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
                          "serial_number": serial, "country_of_manufacture": "AT", "importer": "Glock Inc."}]}


@pytest.fixture
def api_caller(sonora):
    user = factories.user("officer", sonora.agency, locale="en")
    _, raw = tokens.issue_token(user, "script")
    case = factories.case(sonora.agency, user)
    db.session.commit()
    return raw, case


def test_the_api_takes_a_reference_another_agency_uses_like_an_unused_one(client, api_caller):
    raw, case = api_caller
    answers = [client.post("/api/v1/seizures", json=api_body(case.id, reference, serial), headers=bearer(raw))
               for reference, serial in ((USED, "QX-1001"), (UNUSED, "QX-1002"))]
    assert [a.status_code for a in answers] == [201, 201]
    used, unused = (a.get_json() for a in answers)
    assert used["seizure_ref"] == USED and unused["seizure_ref"] == UNUSED
    assert used["warnings"] == unused["warnings"] and set(used) == set(unused)


def test_the_api_refuses_a_reference_the_agency_already_used(client, api_caller):
    raw, case = api_caller
    first = client.post("/api/v1/seizures", json=api_body(case.id, UNUSED, "QX-1"), headers=bearer(raw))
    assert first.status_code == 201
    response = client.post("/api/v1/seizures", json=api_body(case.id, UNUSED, "QX-2"), headers=bearer(raw))
    error = assert_error(response, 422, "validation_failed")
    assert list(error["details"]) == ["seizure_ref"]
    assert error["details"]["seizure_ref"][0].startswith(f"Your agency has already recorded seizure {UNUSED}")
    assert count(Seizure, Seizure.seizure_ref == UNUSED) == 1


def test_a_reference_taken_meanwhile_by_a_colleague_is_refused_not_a_500(client, api_caller, monkeypatch):
    """Two requests at once both find the reference free; the database's unique key refuses the second."""
    from tracer.seizures import services

    raw, case = api_caller
    first = client.post("/api/v1/seizures", json=api_body(case.id, UNUSED, "QX-1"), headers=bearer(raw))
    assert first.status_code == 201
    monkeypatch.setattr(services, "reference_in_use", lambda user, reference: False)
    response = client.post("/api/v1/seizures", json=api_body(case.id, UNUSED, "QX-2"), headers=bearer(raw))
    error = assert_error(response, 422, "validation_failed")
    assert list(error["details"]) == ["seizure_ref"]
    assert count(Seizure, Seizure.seizure_ref == UNUSED) == 1 and count(Firearm, Firearm.serial_number == "QX-2") == 0
