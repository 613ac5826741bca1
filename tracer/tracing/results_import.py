"""Importing trace results from a CSV file (SPEC §6 ``import trace-results``, §8), for the
command line and the liaison officers' upload page alike.

The file is checked whole before anything is written: one streaming pass
checks every row with the rules of the form and the API (``check_result_values``)
against the trace request its ``trace_number`` names, keeping the clean values
in a scratch database on disk so memory stays flat; then a trace_number given
twice is refused. By default one bad row rejects the file; with ``partial`` the
good rows are written and the rest reported. A row whose request already holds
exactly that result changes nothing, so importing a file twice is harmless.

The import commits its own work: it is a batch job, not a request that a view
could wrap in one transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import BinaryIO, Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from tracer.audit.services import record, write_pending
from tracer.core.csv_files import CsvLayout, CsvRows, FileRejected, Row
from tracer.core.errors import DomainError
from tracer.core.import_report import (ERROR, IMPORTED, MAX_SHOWN, PARTIAL, REJECTED, WARNING, BaseImportReport,
                                       Problem, shorten)
from tracer.core.scratch import (CHUNK, ScratchDatabase, ScratchFull, dump, load, scratch_full_stops,
                                 stopped_message)
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure
from tracer.geo.geocoding import geocode_us_city
from tracer.tracing.models import TraceRequest
from tracer.tracing.purchaser import PREFIX, PURCHASER_FIELDS, check_purchaser
from tracer.tracing.results import (EXTRA_RESULT_FIELDS, RESULT_FIELDS, WORKABLE_STATUSES, check_result_values,
                                    is_unchanged, requests_worked_by)
from tracer.tracing.results_writer import PURCHASER_KEY, write_batch

log = logging.getLogger(__name__)

LAYOUT = CsvLayout(columns=("trace_number",) + RESULT_FIELDS, required=("trace_number", "outcome"),
                   optional=("notes",) + EXTRA_RESULT_FIELDS + PURCHASER_FIELDS)
BATCH_ROWS = 500
TRACE_NUMBER_MAX = 20
# Row states in the scratch database.
NEW, BAD, SAME = 0, 1, 2
Progress = Callable[[str, int, int | None], None]


@dataclass
class TraceResultsReport(BaseImportReport):
    """Counts and problems of one trace-result import; ``corrections`` are rows that change
    a result recorded before."""

    corrections: int = 0

    PARTIAL_HEADLINES = (
        _l("Dry run: only the rows without errors would be recorded. Nothing was written."),
        _l("Partial import: the results without errors were recorded; the rest were not."),
    )

    def counts(self) -> list[tuple[str, int]]:
        """(label, number) pairs, in the order a person reads them."""
        would = self.dry_run
        return [
            (_("Rows read"), self.rows),
            (_("Results to record") if would else _("Results recorded"), self.imported_rows),
            (_("Of which corrections of a recorded result"), self.corrections),
            (_("Rows already recorded (unchanged)"), self.already_imported),
            (_("Rows with errors"), self.error_rows),
            (_("Warnings"), self.warnings),
        ]


class ResultStaging(ScratchDatabase):
    """The rows of a trace-result file, checked: their request, state and clean values."""

    schema = ("CREATE TABLE rows (line INTEGER PRIMARY KEY, trace_number TEXT, request_id INTEGER, "
              "state INTEGER, correction INTEGER, clean BLOB);")

    def add_rows(self, rows: list[tuple]) -> None:
        """(line, trace_number, request_id, state, correction, clean) tuples."""
        self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)", rows)

    def repeated_numbers(self) -> list[tuple[int, str, int]]:
        """(line, trace_number, first line) of each row repeating an earlier row's trace_number."""
        self.db.execute("CREATE INDEX rows_number ON rows (trace_number, line)")
        return self.db.execute(
            "SELECT r.line, r.trace_number, (SELECT MIN(o.line) FROM rows o WHERE o.trace_number = r.trace_number) "
            "FROM rows r WHERE r.trace_number IS NOT NULL AND EXISTS (SELECT 1 FROM rows o WHERE "
            "o.trace_number = r.trace_number AND o.line < r.line) ORDER BY r.line").fetchall()

    def mark_bad(self, lines: list[int]) -> None:
        self.db.executemany("UPDATE rows SET state = ? WHERE line = ?", [(BAD, line) for line in lines])

    def counts(self) -> dict[str, int]:
        states = dict(self.db.execute("SELECT state, COUNT(*) FROM rows GROUP BY state").fetchall())
        corrections = self.db.execute("SELECT COUNT(*) FROM rows WHERE state = ? AND correction", (NEW,)).fetchone()[0]
        return {"rows": sum(states.values()), "new": states.get(NEW, 0), "bad": states.get(BAD, 0),
                "same": states.get(SAME, 0), "corrections": corrections, **self.problem_counts()}

    def rows_to_write(self):
        """Chunks of (request_id, clean values) in file order."""
        after = 0
        while batch := self.db.execute("SELECT line, request_id, clean FROM rows WHERE state = ? AND line > ? "
                                       "ORDER BY line LIMIT ?", (NEW, after, CHUNK)).fetchall():
            after = batch[-1][0]
            yield [(request_id, load(clean)) for _line, request_id, clean in batch]


class RowChecker:
    """Checks rows against the requests the importer may work, a batch at a time."""

    def __init__(self, user, agency) -> None:
        self.statement = requests_worked_by(user)
        if agency is not None:
            self.statement = self.statement.where(TraceRequest.addressed_to_id == agency.id)
        self.scoped = user is not None or agency is not None
        # The purchaser's details are personal data: someone accountable records them (--user).
        self.records_people = user is not None
        # Dealers cluster in a few cities: each (state, city) is looked up once per import.
        self.geocode = lru_cache(maxsize=20_000)(geocode_us_city)

    def check_batch(self, rows: list[Row]) -> tuple[list[tuple], list[Problem]]:
        numbers = {self._number(row) for row in rows} - {None}
        # The request and its seizure date, not the whole firearm and seizure: a file has many rows.
        found = {t.trace_number: (t, seized_on, country) for t, seized_on, country in db.session.execute(
            self.statement.add_columns(Seizure.seized_on, Firearm.country_code)
            .join(Firearm, Firearm.id == TraceRequest.firearm_id).join(Seizure, Seizure.id == Firearm.seizure_id)
            .where(TraceRequest.trace_number.in_(numbers)).execution_options(populate_existing=True))
        } if numbers else {}
        staged, problems = [], []
        for row in rows:
            staged.append(self._check(row, found, problems))
        return staged, problems

    @staticmethod
    def _number(row: Row) -> str | None:
        number = (row.values.get("trace_number") or "").strip().upper()
        # No stored number is longer or holds a control character (PostgreSQL text cannot even hold NUL).
        if not number or len(number) > TRACE_NUMBER_MAX or forbidden_character(number) is not None:
            return None
        return number

    def _check(self, row: Row, found: dict[str, tuple[TraceRequest, date, str | None]],
               problems: list[Problem]) -> tuple:
        written = (row.values.get("trace_number") or "").strip()
        number = self._number(row)
        if row.problems:  # a row of the wrong shape is not read further
            problems.extend(row.problems)
            return (row.line, number, None, BAD, 0, None)
        trace_request, seized_on, country = found.get(number, (None, None, None)) if number else (None, None, None)
        if trace_request is None:
            message = (_("Trace request not found: check the number (only requests addressed to your agency can "
                         "take a result).") if self.scoped else _("Trace request not found: check the number."))
            problems.append(Problem(row.line, "trace_number", shorten(written) or None,
                                    message if written else _("This field is required.")))
            return (row.line, number, None, BAD, 0, None)
        if trace_request.status not in WORKABLE_STATUSES:
            problems.append(Problem(row.line, "trace_number", shorten(written), _(
                "Trace request %(number)s is still a draft: it can take a result once it is submitted.",
                number=trace_request.trace_number)))
            return (row.line, number, trace_request.id, BAD, 0, None)
        check = Checker()
        values = {name: row.values.get(name) for name in RESULT_FIELDS}
        for name in ("notes",) + EXTRA_RESULT_FIELDS + PURCHASER_FIELDS:
            if name in row.values:
                values[name] = row.values[name]
        made_in = (trace_request.identifiers or {}).get("country_of_manufacture") or country
        clean = check_result_values(values, seized_on, check, self.geocode, made_in)
        person = check_purchaser(check, values, clean)
        if person is not None and not self.records_people:
            check.error(PREFIX + "last_names", _(
                "The purchaser's details are personal data, recorded in the name of the liaison officer who "
                "returns them: import this file with --user and their username, or leave the purchaser_ "
                "columns empty."))
        for severity, fields in ((ERROR, check.errors), (WARNING, check.warnings)):
            for name, messages in fields.items():
                value = shorten(row.values.get(name)) or None
                problems.extend(Problem(row.line, name, value, message, severity) for message in messages)
        if check.errors:
            return (row.line, number, trace_request.id, BAD, 0, None)
        state = SAME if is_unchanged(trace_request, clean) and person is None else NEW
        if person is not None:
            clean[PURCHASER_KEY] = person
        return (row.line, number, trace_request.id, state, int(trace_request.outcome is not None), dump(clean))


def import_trace_results(stream: BinaryIO, *, user=None, agency=None, partial: bool = False,
                         dry_run: bool = False, source: str | None = None,
                         progress: Progress | None = None) -> TraceResultsReport:
    """Check the CSV file in ``stream`` (binary) whole, then record its results unless ``dry_run``.

    ``user`` is the liaison officer importing (only requests addressed to their
    agency are found; the audit trail names them), ``agency`` narrows to the
    requests addressed to one US office; with neither, the command line works
    every request. Returns the report; commits what it writes.
    """
    progress = progress or (lambda phase, done, total: None)
    report = TraceResultsReport(dry_run=dry_run, partial=partial)
    try:
        with ResultStaging() as staging, scratch_full_stops():
            try:
                _first_pass(stream, RowChecker(user, agency), staging, report, progress)
            except FileRejected as rejected:
                report.outcome, report.errors, report.problems = REJECTED, 1, [rejected.problem]
                return _finish(user, report, source)
            repeated = staging.repeated_numbers()
            staging.add_problems(Problem(line, "trace_number", shorten(number), _(
                "This trace_number is also on line %(line)d: a file holds one result per trace request.", line=first))
                for line, number, first in repeated)
            staging.mark_bad([line for line, _number, _first in repeated])
            _count(staging, report)
            if not dry_run and report.outcome != REJECTED and report.imported_rows:
                _second_pass(user, staging, report, progress)
            report.problems += staging.first_problems(MAX_SHOWN - len(report.problems))
    except ScratchFull as full:  # while checking: nothing was written yet
        db.session.rollback()
        report.stopped(full.message)
        report.corrections = 0
    return _finish(user, report, source)


def _first_pass(stream: BinaryIO, checker: RowChecker, staging: ResultStaging, report: TraceResultsReport,
                progress: Progress) -> None:
    rows = CsvRows(stream, LAYOUT)
    report.unknown_columns = list(dict.fromkeys(rows.unknown_columns))
    batch: list[Row] = []
    seen = False
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            _stage(staging, checker.check_batch(batch))
            batch, seen = [], True
            progress("check", rows.bytes_read, None)
    if batch:
        _stage(staging, checker.check_batch(batch))
        seen = True
    progress("check", rows.bytes_read, None)
    if not seen:
        raise FileRejected(Problem(None, None, None, _("The file has a header but no rows.")))


def _stage(staging: ResultStaging, checked: tuple[list[tuple], list[Problem]]) -> None:
    rows, problems = checked
    staging.add_rows(rows)
    staging.add_problems(problems)


def _count(staging: ResultStaging, report: TraceResultsReport) -> None:
    counts = staging.counts()
    report.rows, report.error_rows, report.already_imported = counts["rows"], counts["bad"], counts["same"]
    report.errors, report.warnings = counts["errors"], counts["warnings"]
    if not counts["bad"]:
        report.outcome = IMPORTED
    elif report.partial and counts["new"]:
        report.outcome = PARTIAL
    else:
        report.outcome = REJECTED
    if report.outcome != REJECTED:
        report.imported_rows, report.corrections = counts["new"], counts["corrections"]


def _second_pass(user, staging: ResultStaging, report: TraceResultsReport, progress: Progress) -> None:
    """Write the good rows: one transaction for an all-or-nothing import (its audit events
    chained batch by batch), a commit per batch for a partial one."""
    written, committed = 0, 0
    try:
        with scratch_full_stops():
            for chunk in staging.rows_to_write():
                write_batch(user, chunk)
                write_pending()  # the batch's audit events are chained now, not held until the end
                written += len(chunk)
                if report.partial:
                    db.session.commit()
                    committed = written
                progress("write", written, report.imported_rows)
        committed = written
    except (SQLAlchemyError, StaleDataError, DomainError) as failure:
        db.session.rollback()
        log.warning("trace-result import stopped by the database: %s", failure)
        report.problems.append(Problem(None, None, None, stopped_message(failure, committed) or (_(
            "The database refused part of the import (another change to the same requests at the same time?). "
            "Rows written before stay written; import the file again to complete it.") if committed else _(
            "The database refused the import (another change to the same requests at the same time?). "
            "Nothing was written."))))
        report.errors += 1
        report.outcome = PARTIAL if committed else REJECTED
    report.imported_rows = committed
    if not committed:
        report.corrections = 0


def _finish(user, report: TraceResultsReport, source: str | None) -> TraceResultsReport:
    """Audit an import that wrote rows or was rejected, then commit. A dry run, and an
    import that found nothing new, change nothing and leave no event."""
    if report.dry_run or (report.outcome == IMPORTED and not report.imported_rows):
        return report
    record("import.trace_results", object_type="import", actor=user,
           outcome="failure" if report.rejected else "success",
           details={"file": source, "outcome": report.outcome, "partial": report.partial, "rows": report.rows,
                    "recorded": report.imported_rows, "corrections": report.corrections,
                    "already_recorded": report.already_imported, "error_rows": report.error_rows})
    db.session.commit()
    return report
