"""Imports as Mexican offices keep them: Excel workbooks read directly, dates written day first,
a template to start from, and a clear refusal of anything that is neither CSV nor .xlsx."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook

from tests.seizures.import_helpers import count, officer, row, run
from tests.seizures.sample_csv import csv_bytes
from tracer.firearms.models import Firearm
from tracer.seizures.importing_csv import COLUMNS
from tracer.seizures.models import Seizure


@pytest.fixture
def user(ctx):
    with force_locale("en"):
        yield officer()


def workbook(rows, *, sheets=1, formula=False, merged=False, dates=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append([values.get(name, "") for name in COLUMNS])
    if dates:
        for index, day in enumerate(dates, start=2):
            sheet.cell(row=index, column=COLUMNS.index("seized_on") + 1, value=day)
    if formula:
        sheet.cell(row=2, column=COLUMNS.index("notes") + 1, value="=1+1")
    if merged:
        sheet.merge_cells(start_row=2, start_column=COLUMNS.index("notes") + 1, end_row=3,
                          end_column=COLUMNS.index("notes") + 1)
    for number in range(1, sheets):
        book.create_sheet(f"Hoja {number + 1}").append(["nothing", "here"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def warnings(report) -> list[str]:
    return [p.message for p in report.problems if p.severity == "warning"]


def test_an_xlsx_file_imports_like_its_csv(user):
    from datetime import datetime
    report = run(user, data=workbook([row("X1"), row("X2"), row("X3", "S-2")],
                                     dates=[datetime(2025, 3, 14), datetime(2025, 3, 14), datetime(2025, 3, 15)]))
    assert report.outcome == "imported" and report.imported_rows == 3
    assert count(Seizure) == 2 and count(Firearm) == 3
    assert {str(s.seized_on) for s in Seizure.query.all()} == {"2025-03-14", "2025-03-15"}
    assert not [p for p in report.problems if p.line is None]  # nothing to say about the workbook itself


def test_several_sheets_formulas_and_merged_cells_are_said(user):
    report = run(user, data=workbook([row("X1"), row("X2")], sheets=3, formula=True, merged=True), dry_run=True)
    said = " ".join(warnings(report))
    assert "3 sheets: only the first" in said
    assert "formulas" in said and "merged cells" in said
    assert report.outcome == "imported" and count(Firearm) == 0


def test_dates_written_day_first_are_read_day_first(user):
    report = run(user, [row("D1", seized_on="14/03/2025"), row("D2", "S-2", seized_on="3/4/2025")])
    assert report.outcome == "imported"
    assert sorted(str(s.seized_on) for s in Seizure.query.all()) == ["2025-03-14", "2025-04-03"]
    ambiguous = [p for p in report.problems if p.severity == "warning" and p.column == "seized_on"]
    assert [p.line for p in ambiguous] == [3] and "April 3, 2025" in ambiguous[0].message


def test_a_day_that_does_not_exist_is_one_clear_error(user):
    report = run(user, [row("D1", seized_on="31/02/2025")])
    assert report.rejected
    found = [p for p in report.problems if p.column == "seized_on"]
    assert len(found) == 1 and "does not exist" in found[0].message and found[0].value == "31/02/2025"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n...", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
                                  b"PK\x03\x04" + b"\0" * 100, b"\x89PNG\r\n\x1a\n"])
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_naming_the_formats(user, data):
    report = run(user, data=data)
    assert report.rejected and count(Firearm) == 0
    assert "neither CSV nor an Excel workbook" in report.problems[0].message


def test_a_row_with_several_bad_values_reports_each(user):
    report = run(user, [row("B1", state="Atlantis", firearm_type="catapult", serial_status="lost",
                            country_of_manufacture="Narnia")])
    assert {p.column for p in report.problems if p.severity == "error"} >= {
        "state", "firearm_type", "serial_status", "country_of_manufacture"}


def test_the_template_lists_the_columns_and_the_allowed_values(login_as):
    page = login_as("officer", "FGE-SON", locale="es")
    assert 'href="/seizures/import/template.xlsx"' in page.get("/seizures/import").get_data(as_text=True)
    answer = page.get("/seizures/import/template.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data), read_only=True)
    first, guide = book.worksheets
    rows = list(first.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS) and rows[1][COLUMNS.index("firearm_type")] == "pistola"
    lines = {r[0]: r[2] for r in guide.iter_rows(min_row=2, values_only=True)}
    assert "26 Sonora" in lines["state"] and "pistola" in lines["firearm_type"]
    assert "Obligatorio" in lines["external_id"] or "Required" not in lines["external_id"]
    assert guide.title == "Valores permitidos"


def test_the_template_imports_as_it_is(user):
    from tracer.seizures.import_template import template_workbook
    report = run(user, data=template_workbook())
    assert report.outcome == "imported" and report.imported_rows == 1
    assert str(Seizure.query.one().seized_on) == "2025-03-14"


def test_csv_still_reads_as_before(user):
    assert run(user, data=csv_bytes([row("C1")])).imported_rows == 1
