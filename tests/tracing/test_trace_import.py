"""``import trace-results``: the file checked whole, all or nothing or --partial, idempotent, its report."""
from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from tests.tracing.result_helpers import RETAIL, csv_bytes, events, liaison, us_office, waiting_request
from tracer.extensions import db
from tracer.tracing.results_import import import_trace_results

NO_TRACE = {"outcome": "no_trace", "no_trace_reason": "too_old"}


def result_row(trace, **changes) -> dict:
    return {"trace_number": trace.trace_number, **RETAIL, **changes}


def run(rows, **options):
    return import_trace_results(io.BytesIO(rows if isinstance(rows, bytes) else csv_bytes(rows)), **options)


@pytest.fixture(autouse=True)
def english(ctx):
    """Reports in English (outside a request, the default is Spanish)."""
    with force_locale("en"):
        yield


@pytest.fixture
def traces(ctx):
    created = [waiting_request() for _ in range(3)]
    db.session.commit()
    return created


def test_a_good_file_records_every_result(traces):
    a, b, c = traces
    report = run([result_row(a), result_row(b, ffl_license="574201014c54321", ffl_state="Arizona",
                                            ffl_city="Phoenix", purchase_date="2018-05-02"),
                  {"trace_number": c.trace_number.lower(), **NO_TRACE}])
    assert (report.outcome, report.rows, report.imported_rows, report.error_rows) == ("imported", 3, 3, 0)
    for trace in traces:
        db.session.refresh(trace)
    assert (a.status, a.time_to_crime_days, a.short_time_to_crime) == ("completed", 429, True)
    assert (b.ffl_license, b.ffl_state, b.origin_source, b.short_time_to_crime) == (
        "5-74-201-01-4C-54321", "AZ", "gazetteer", False)
    assert (c.status, c.no_trace_reason) == ("no_trace", "too_old")
    assert [len(events("trace_request.result", t.id)) for t in traces] == [1, 1, 1]
    assert events("trace_request.result", a.id)[0].details["source"] == "import"
    assert "John Q. Buyer" not in str([e.details for e in events("trace_request.result")])
    summary = events("import.trace_results")[-1]
    assert summary.details["recorded"] == 3 and summary.outcome == "success"


def test_a_second_import_of_the_same_file_changes_nothing(traces):
    rows = [result_row(traces[0]), result_row(traces[1], **{"outcome": "no_trace", "no_trace_reason": "other",
                                                             "ffl_name": "", "ffl_license": "", "ffl_street": "",
                                                             "ffl_city": "", "ffl_state": "", "ffl_zip": "",
                                                             "purchase_date": "", "purchaser_name": "",
                                                             "multiple_sale": ""})]
    assert run(rows).imported_rows == 2
    versions = [t.version for t in traces[:2]]
    logged = len(events("trace_request.result")) + len(events("import.trace_results"))
    again = run(rows)
    assert (again.outcome, again.imported_rows, again.already_imported) == ("imported", 0, 2)
    assert again.headline() == "Nothing new: every row had already been imported."
    for trace in traces[:2]:
        db.session.refresh(trace)
    assert [t.version for t in traces[:2]] == versions
    assert len(events("trace_request.result")) + len(events("import.trace_results")) == logged


def test_one_bad_row_rejects_the_file_and_the_report_names_row_column_value_and_reason(traces):
    a, b, c = traces
    report = run([result_row(a), result_row(b, purchase_date="2025-06-01"), result_row(c, ffl_state="Texsas")])
    assert (report.outcome, report.imported_rows, report.error_rows) == ("rejected", 0, 2)
    for trace in traces:
        db.session.refresh(trace)
    assert [t.outcome for t in traces] == [None, None, None]
    lines = report.lines()
    assert lines[0] == "The file was rejected: nothing was written."
    assert ("  Error: line 3, column purchase_date, value “2025-06-01”: The purchase date (2025-06-01) is after the "
            "seizure date (2025-03-14): a firearm is bought before it is seized.") in lines
    assert ("  Error: line 4, column ffl_state, value “Texsas”: Unknown US state: use its abbreviation (TX) or its "
            "name (Texas).") in lines


def test_partial_records_the_good_rows_and_reports_the_rest(traces):
    a, b, c = traces
    report = run([result_row(a), result_row(b, ffl_license="5-74-201-01-4C"), result_row(c)], partial=True)
    assert (report.outcome, report.imported_rows, report.error_rows) == ("partial", 2, 1)
    assert report.headline() == "Partial import: the results without errors were recorded; the rest were not."
    for trace in traces:
        db.session.refresh(trace)
    assert [t.status for t in traces] == ["completed", "submitted", "completed"]
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (3, "ffl_license", "5-74-201-01-4C")
    assert "X-XX-XXX-XX-XX-XXXXX" in problem.message


def test_unknown_numbers_drafts_and_repeats_are_errors(ctx):
    good, draft = waiting_request(), waiting_request(status="draft", submitted_at=None)
    db.session.commit()
    report = run([result_row(good), {"trace_number": "RT-1999-000001", **NO_TRACE},
                  {"trace_number": draft.trace_number, **NO_TRACE}, result_row(good, ffl_zip="77003")])
    messages = {(p.line, p.column): p.message for p in report.problems}
    assert report.outcome == "rejected"
    assert messages[(3, "trace_number")] == "Trace request not found: check the number."
    assert "still a draft" in messages[(4, "trace_number")]
    assert messages[(5, "trace_number")] == ("This trace_number is also on line 2: a file holds one result per "
                                             "trace request.")


def test_a_liaison_finds_only_requests_addressed_to_their_agency(ctx):
    ours, theirs = waiting_request(), waiting_request(addressed_to=us_office("ATF-HOU"))
    db.session.commit()
    officer = liaison()
    report = run([result_row(ours), result_row(theirs)], user=officer, partial=True)
    assert (report.outcome, report.imported_rows) == ("partial", 1)
    [problem] = report.problems
    assert (problem.line, problem.column, problem.value) == (3, "trace_number", theirs.trace_number)
    assert problem.message.startswith("Trace request not found")
    db.session.refresh(theirs)
    assert theirs.outcome is None
    assert events("trace_request.result", ours.id)[0].user_id == officer.id


def test_a_correction_by_file_is_counted_and_a_dry_run_writes_nothing(traces):
    run([result_row(traces[0])])
    preview = run([result_row(traces[0], ffl_zip="77003"), result_row(traces[1])], dry_run=True)
    assert (preview.outcome, preview.imported_rows, preview.corrections) == ("imported", 2, 1)
    assert preview.headline() == "Dry run: the file would be imported. Nothing was written."
    db.session.refresh(traces[0])
    db.session.refresh(traces[1])
    assert (traces[0].ffl_zip, traces[1].outcome) == ("77002", None)


def test_a_city_outside_the_gazetteer_is_a_warning_not_an_error(traces):
    report = run([result_row(traces[0], ffl_city="Smallville")])
    assert (report.outcome, report.imported_rows, report.warnings) == ("imported", 1, 1)
    assert report.problems[0].severity == "warning" and report.problems[0].column == "ffl_city"


def test_a_file_without_the_required_columns_is_refused_whole(ctx):
    report = run(b"trace,result\nRT-1,us_retail\n")
    assert report.outcome == "rejected"
    assert report.problems[0].message.startswith("Missing columns: trace_number, outcome.")


def test_the_command_line(app, traces, tmp_path):
    path = tmp_path / "resultados.csv"
    path.write_bytes(csv_bytes([result_row(traces[0]), result_row(traces[1], purchase_date="2030-01-01")]))
    runner = app.test_cli_runner()
    rejected = runner.invoke(args=["import", "trace-results", str(path), "--lang", "en"])
    assert rejected.exit_code == 1, rejected.output
    assert rejected.stdout.splitlines()[0] == "The file was rejected: nothing was written."
    assert "line 3, column purchase_date, value “2030-01-01”" in rejected.stdout
    partial = runner.invoke(args=["import", "trace-results", str(path), "--partial", "--lang", "en"])
    assert partial.exit_code == 0 and "  Results recorded: 1" in partial.stdout
    again = runner.invoke(args=["import", "trace-results", str(path), "--partial", "--lang", "en"])
    assert "  Rows already recorded (unchanged): 1" in again.stdout and "  Results recorded: 0" in again.stdout
    assert events("import.trace_results")[0].details["file"] == "resultados.csv"


def test_a_trace_number_with_a_control_character_is_simply_not_found(traces):
    report = run([{"trace_number": "RT-2099\x00-1", **NO_TRACE}, {"trace_number": "R" * 300, **NO_TRACE}])
    assert report.outcome == "rejected"
    assert [(p.line, p.column, p.message) for p in report.problems] == [
        (2, "trace_number", "Trace request not found: check the number."),
        (3, "trace_number", "Trace request not found: check the number.")]
