"""Seizure files that are not what they should be: refused whole, or row by row, with a reason."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.seizures.import_helpers import count, officer, row, run
from tests.seizures.sample_csv import csv_bytes
from tracer.firearms.models import Firearm
from tracer.seizures.importing_csv import COLUMNS, MAX_VALUE_LENGTH


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def user(ctx):
    return officer("FGR")


def errors(report):
    # Without the reference lists loaded, every maker and caliber is unknown: a warning.
    return [p for p in report.problems if p.severity == "error"]


def only_problem(report):
    assert report.rejected and len(errors(report)) == 1, report.problems
    return errors(report)[0]


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(user):
    data = csv_bytes([row("E1"), row("E2", locality="Bahía de Kino"), row("E3")], encoding="latin-1")
    problem = only_problem(run(user, data=data))
    assert problem.line == 3 and problem.column is None
    assert "UTF-8" in problem.message
    assert count(Firearm) == 0


def test_a_latin1_file_is_refused_even_with_partial(user):
    data = csv_bytes([row("E1"), row("E2", notes="Número limado")], encoding="latin-1")
    assert run(user, data=data, partial=True).rejected
    assert count(Firearm) == 0


def test_utf8_with_a_byte_order_mark_is_fine(user):
    report = run(user, data=b"\xef\xbb\xbf" + csv_bytes([row("E1", locality="Bahía de Kino")]))
    assert report.outcome == "imported" and report.imported_rows == 1


def test_windows_line_endings_are_fine(user):
    data = csv_bytes([row("E1"), row("E2")]).replace(b"\n", b"\r\n")
    assert run(user, data=data).imported_rows == 2


def test_a_missing_required_column_is_named(user):
    columns = [c for c in COLUMNS if c != "seized_on"]
    problem = only_problem(run(user, data=csv_bytes([row("E1")], columns)))
    assert problem.column == "seized_on" and problem.line == 1
    assert "seized_on" in problem.message and "external_id, seizure_ref" in problem.message


def test_an_empty_file_is_refused(user):
    problem = only_problem(run(user, data=b""))
    assert "empty" in problem.message
    assert "empty" in only_problem(run(user, data=b"\n\n")).message


def test_a_header_without_rows_is_refused(user):
    problem = only_problem(run(user, data=csv_bytes([])))
    assert "no rows" in problem.message


def test_unknown_columns_are_a_warning(user):
    report = run(user, data=csv_bytes([row("E1", color="negro")], list(COLUMNS) + ["color"]))
    assert report.outcome == "imported" and report.unknown_columns == ["color"]
    assert any("color" in line for line in report.lines())


def test_a_column_named_twice_is_refused(user):
    data = csv_bytes([row("E1")]).replace(b"notes", b"model", 1)
    problem = only_problem(run(user, data=data))
    assert problem.column == "model"


def test_rows_with_too_many_or_too_few_fields(user):
    good = csv_bytes([row("E1", "S-1"), row("E2", "S-2"), row("E3", "S-3")]).decode().splitlines()
    good[2] += ",extra"
    good[3] = ",".join(good[3].split(",")[:5])
    report = run(user, data="\n".join(good).encode(), partial=True)
    assert report.outcome == "partial" and report.imported_rows == 1
    assert {(p.line, p.column) for p in report.problems if p.severity == "error"} == {(3, None), (4, None)}
    assert any("has 20 fields; the header has 19" in p.message for p in report.problems)


def test_a_value_over_the_limit_is_an_error(user):
    report = run(user, [row("E1", notes="x" * (MAX_VALUE_LENGTH + 1))])
    problem = only_problem(report)
    assert (problem.line, problem.column) == (2, "notes")
    assert len(problem.value) == 60 and problem.value.endswith("…")


def test_a_quoted_value_over_several_lines_keeps_its_row_number(user):
    data = csv_bytes([row("E1", notes="Primera línea\nsegunda línea"), row("E2", state="Narnia")])
    problem = only_problem(run(user, data=data))
    assert (problem.line, problem.column) == (4, "state")


def test_a_broken_quote_is_refused_with_its_line(user):
    data = csv_bytes([row("E1")]) + b'E2,S-2,"2025-03-14,Sonora\n'
    problem = only_problem(run(user, data=data))
    assert problem.line == 3


def test_control_characters_and_lookalike_serials_are_refused(user):
    report = run(user, [row("E1", "S-1", model="G\u200b19"), row("E2", "S-2", serial_number="АВС123")])
    assert {(p.line, p.column) for p in errors(report)} == {(2, "model"), (3, "serial_number")}


def test_the_report_lists_the_first_200_problems_and_counts_the_rest(user):
    rows = [row(f"E{i}", f"S-{i}", state="Atlantis", manufacturer="", caliber="") for i in range(250)]
    report = run(user, rows)
    assert report.rejected and report.errors == 250
    assert len(report.problems) == 200 and report.hidden_problems == 50
    assert report.problems[0].line == 2 and report.problems[-1].line == 201
    assert report.lines()[-1] == "… and 50 more problems not listed."


def test_blank_lines_are_skipped(user):
    data = csv_bytes([row("E1")]) + b"\n,,,,,,,,,,,,,,,,,,\n\n" + csv_bytes([row("E2")]).split(b"\n", 1)[1]
    report = run(user, data=data)
    assert (report.outcome, report.rows) == ("imported", 2)


def test_memory_stays_flat_as_the_file_grows(user, monkeypatch):
    """Four times the rows, about the same peak: rows go to disk, memories are bounded."""
    import io
    import tracemalloc

    from tests.seizures.sample_csv import HEADER
    from tracer.seizures import importing, importing_rows, importing_staging
    from tracer.seizures.demo_data import sample_rows
    from tracer.seizures.importing import import_seizures

    monkeypatch.setattr(importing_rows, "SEIZURE_CACHE_SIZE", 50)
    monkeypatch.setattr(importing_rows, "CACHE_SIZE", 200)
    # Small windows, so that both files fill them: what still grows, grows with the rows.
    monkeypatch.setattr(importing, "BATCH_ROWS", 200)
    monkeypatch.setattr(importing_staging, "CHUNK", 50)
    peaks = {}
    for rows in (200, 800, 3200):  # the first run loads the gazetteer and the like: not measured
        stream = io.BytesIO(csv_bytes(sample_rows(rows, 3, agencies=("FGR", "SEDENA")), HEADER))
        tracemalloc.start()
        try:
            report = import_seizures(user, stream, dry_run=True)
            peaks[rows] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.rows == rows and not report.rejected
    assert peaks[3200] < peaks[800] + 300_000, peaks  # a leak of 125 bytes a row would show
