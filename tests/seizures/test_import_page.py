"""The upload page: an officer imports a file and reads the report in the browser."""
from __future__ import annotations

import html
import io
import re

import pytest

from tests.seizures.import_helpers import count, row
from tests.seizures.sample_csv import csv_bytes
from tracer.firearms.models import Firearm

PAGE = "/seizures/import"


def upload(browser, data: bytes, name: str = "armas.csv", **options):
    fields = {"file": (io.BytesIO(data), name), **{key: "y" for key, on in options.items() if on}}
    return browser.post(PAGE, fields, token_from=PAGE, content_type="multipart/form-data")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def table_rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.fixture
def officer(login_as, reference_data):
    return login_as("officer", "FGR", locale="en")


def test_the_page_offers_the_form(officer):
    page = text(officer.get(PAGE))
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert 'name="partial"' in page and 'name="dry_run"' in page and 'name="csrf_token"' in page
    assert "external_id,seizure_ref,seized_on" in page


def test_a_good_file_is_imported_and_reported(officer):
    response = upload(officer, csv_bytes([row("E1", "S-1"), row("E2", "S-1"), row("E3", "S-2")]))
    assert response.status_code == 200
    page = text(response)
    assert "The file was imported." in page
    assert re.search(r"<dt>Firearms imported</dt><dd>3</dd>", page)
    assert re.search(r"<dt>Seizures created</dt><dd>2</dd>", page)
    assert count(Firearm) == 3


def test_a_rejected_file_shows_the_problems_in_a_table(officer):
    response = upload(officer, csv_bytes([row("E1", "S-1"), row("E2", "S-2", state="<b>Sonoraa</b>")]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<b>Sonoraa</b>" not in page  # the value is shown, escaped
    [cells] = table_rows(page)
    assert cells[:3] == ["3", "state", "<b>Sonoraa</b>"]
    assert "Unknown state" in cells[3]
    assert "The file was rejected: nothing was written." in text(response)
    assert count(Firearm) == 0


def test_partial_and_dry_run_from_the_form(officer):
    data = csv_bytes([row("E1", "S-1"), row("E2", "S-2", serial_number="")])
    dry = upload(officer, data, partial=True, dry_run=True)
    assert dry.status_code == 200 and "Dry run" in text(dry) and count(Firearm) == 0
    done = upload(officer, data, partial=True)
    assert done.status_code == 200 and "Partial import" in text(done)
    assert count(Firearm) == 1


def test_a_file_that_is_not_csv_is_rejected(officer):
    response = upload(officer, b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n1 0 obj\n", name="informe.pdf")
    assert response.status_code == 422
    assert "UTF-8" in text(response)


def test_no_file_is_a_form_error(officer):
    response = officer.post(PAGE, {}, token_from=PAGE)
    assert response.status_code == 400
    assert "Choose the CSV or Excel file to import." in text(response)


def test_the_form_needs_its_csrf_token(officer):
    response = officer.client.post(PAGE, data={"file": (io.BytesIO(csv_bytes([row("E1")])), "a.csv")},
                                   content_type="multipart/form-data")
    assert response.status_code == 400 and count(Firearm) == 0


def test_liaison_officers_may_not_import(login_as):
    liaison = login_as("liaison", "ATF-MX")
    assert liaison.get(PAGE).status_code == 403
