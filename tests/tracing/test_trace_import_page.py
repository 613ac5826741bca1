"""The liaison officers' upload page for trace-result files."""
from __future__ import annotations

import io

from tests.seizures.helpers import text
from tests.tracing.result_helpers import RETAIL, csv_bytes, us_office, waiting_request
from tracer.extensions import db

PAGE = "/trace-requests/results/import"


def upload(browser, content: bytes, **options):
    data = {"file": (io.BytesIO(content), "resultados.csv"), **{k: "y" for k, v in options.items() if v}}
    return browser.post(PAGE, data, token_from=PAGE, content_type="multipart/form-data")


def test_the_upload_applies_only_to_requests_addressed_to_the_officers_agency(login_as, ctx):
    ours, theirs = waiting_request(), waiting_request(addressed_to=us_office("ATF-HOU"))
    db.session.commit()
    officer = login_as("liaison", "ATF-MX", locale="en")
    assert "Import trace results" in text(officer.get(PAGE))
    rows = [{"trace_number": ours.trace_number, **RETAIL}, {"trace_number": theirs.trace_number, **RETAIL}]
    rejected = upload(officer, csv_bytes(rows))
    page = text(rejected)
    assert rejected.status_code == 422
    assert "The file was rejected: nothing was written." in page
    assert theirs.trace_number in page and "Trace request not found" in page
    partial = upload(officer, csv_bytes(rows), partial=True)
    assert partial.status_code == 200
    assert "Partial import: the results without errors were recorded; the rest were not." in text(partial)
    db.session.refresh(ours)
    db.session.refresh(theirs)
    assert (ours.status, theirs.status) == ("completed", "submitted")
    assert ours.result_by_id == officer.user.id


def test_an_upload_without_a_file_says_so(login_as, ctx):
    officer = login_as("liaison", "ATF-MX", locale="en")
    response = officer.post(PAGE, {}, token_from=PAGE)
    assert response.status_code == 400 and "Choose the CSV file to import." in text(response)
