"""Importing IBIS correlation leads from a CSV file (SPEC §6 ``import ibis-leads``, §8), for the
command line and the examiners' upload page alike.

Each row names two IBIS acquisition references (``ibis_ref_a``, ``ibis_ref_b``), IBIS's
``rank`` and ``score``, and optional ``notes``. The file is checked whole before anything
is written: one streaming pass finds, a batch of rows at a time, the items the references
name among those the importer may see, keeping each checked row in a scratch database on
disk so memory stays flat. A reference that names no item and one that names another
agency's item out of the importer's scope get the same answer, word for word: the report
says nothing of records the importer may not see.

A pair already joined (by an earlier import, an examiner, or an earlier row of the same
file) is reported as already present and changes nothing, so importing a file twice is
harmless; a row joining an item to itself is an error. By default one bad row rejects the
file; with ``partial`` the good rows are written and the rest reported; ``dry_run`` writes
nothing. Leads are written a batch at a time (``ibis_writer``), each batch audited as one
event naming the links it created. The import commits its own work.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import BinaryIO, Callable

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from tracer.audit.services import record, write_pending
from tracer.ballistics.ibis_writer import PendingLead, among, write_leads
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.ballistics.services import NOTES_MAX, ensure_examiner, item_query
from tracer.core.csv_files import CsvLayout, CsvRows, FileRejected, Row
from tracer.core.errors import DomainError
from tracer.core.import_report import (ERROR, IMPORTED, MAX_SHOWN, PARTIAL, REJECTED, SKIPPED, BaseImportReport,
                                       Problem, shorten)
from tracer.core.scratch import ScratchDatabase, ScratchFull, scratch_full_stops, stopped_message
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.core.validation import Checker
from tracer.extensions import db

log = logging.getLogger(__name__)

LAYOUT = CsvLayout(columns=("ibis_ref_a", "ibis_ref_b", "rank", "score"),
                   required=("ibis_ref_a", "ibis_ref_b", "rank", "score"), optional=("notes",))
# Rows checked, and leads written, per round trip: a few statements for each batch.
BATCH_ROWS = 2_000
IBIS_REF_MAX = 80  # as BallisticItem.ibis_ref
RANK_MAX = 1_000_000
SCORE_MAX = 1_000_000.0
# Row states in the scratch database.
NEW, BAD, SAME = 0, 1, 2
Progress = Callable[[str, int, int | None], None]


@dataclass
class IbisLeadsReport(BaseImportReport):
    """Counts and problems of one IBIS import; ``already_imported`` are pairs already joined."""

    PARTIAL_HEADLINES = (
        _l("Dry run: only the leads without errors would be created. Nothing was written."),
        _l("Partial import: the leads without errors were created; the rest were not."),
    )

    def counts(self) -> list[tuple[str, int]]:
        """(label, number) pairs, in the order a person reads them."""
        return [
            (_("Rows read"), self.rows),
            (_("Leads to create") if self.dry_run else _("Leads created"), self.imported_rows),
            (_("Pairs already joined (unchanged)"), self.already_imported),
            (_("Rows with errors"), self.error_rows),
        ]


class LeadStaging(ScratchDatabase):
    """The rows of an IBIS file, checked: the two items (lower id first), their agencies, and the lead."""

    schema = ("CREATE TABLE rows (line INTEGER PRIMARY KEY, item_a INTEGER, item_b INTEGER, agency_a INTEGER, "
              "agency_b INTEGER, case_a INTEGER, mismatch INTEGER, state INTEGER, rank INTEGER, score REAL, "
              "notes TEXT);")

    def add_rows(self, rows: list[tuple]) -> None:
        self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def repeated_pairs(self) -> list[tuple[int, int]]:
        """(line, first line) of each good row joining the same two items as an earlier good row."""
        self.db.execute("CREATE INDEX rows_pair ON rows (item_a, item_b, line)")
        return self.db.execute(
            "SELECT r.line, (SELECT MIN(o.line) FROM rows o WHERE o.item_a = r.item_a AND o.item_b = r.item_b "
            "AND o.state <> ?) FROM rows r WHERE r.state = ? AND EXISTS (SELECT 1 FROM rows o "
            "WHERE o.item_a = r.item_a AND o.item_b = r.item_b AND o.state <> ? AND o.line < r.line) "
            "ORDER BY r.line", (BAD, NEW, BAD)).fetchall()

    def mark_same(self, lines: list[int]) -> None:
        self.db.executemany("UPDATE rows SET state = ? WHERE line = ?", [(SAME, line) for line in lines])

    def counts(self) -> dict[str, int]:
        states = dict(self.db.execute("SELECT state, COUNT(*) FROM rows GROUP BY state").fetchall())
        return {"rows": sum(states.values()), "new": states.get(NEW, 0), "bad": states.get(BAD, 0),
                "same": states.get(SAME, 0), **self.problem_counts()}

    def leads_to_write(self):
        """Chunks of ``PendingLead`` in file order."""
        after = 0
        while batch := self.db.execute(
                "SELECT line, item_a, item_b, agency_a, agency_b, case_a, mismatch, rank, score, notes FROM rows "
                "WHERE state = ? AND line > ? ORDER BY line LIMIT ?", (NEW, after, BATCH_ROWS)).fetchall():
            after = batch[-1][0]
            yield [PendingLead(*row[1:6], bool(row[6]), *row[7:]) for row in batch]


@dataclass(frozen=True)
class _Item:
    id: int
    agency_id: int
    case_id: int
    caliber_id: int | None


class RowChecker:
    """Checks rows against the items the importer may see, a batch at a time."""

    def __init__(self, user) -> None:
        columns = (BallisticItem.ibis_ref, BallisticItem.id, BallisticItem.agency_id, BallisticItem.case_id,
                   BallisticItem.caliber_id)
        # The command line without --user works every item; a person, the items of their scope.
        self.statement = (select(*columns) if user is None
                          else item_query(user).with_only_columns(*columns, maintain_column_froms=True))

    def check_batch(self, rows: list[Row]) -> tuple[list[tuple], list[Problem]]:
        """Check a batch of rows with two queries: the items its references name (in scope),
        and the pairs among them already joined."""
        references = {ref for row in rows for ref in (Checker().text("ref", row.values.get(column), IBIS_REF_MAX)
                                                     for column in ("ibis_ref_a", "ibis_ref_b")) if ref}
        # Plain rows on the session's connection: no ORM loading for thousands of tuples.
        connection = db.session.connection()
        found = {ref: _Item(*values) for ref, *values in connection.execute(
            self.statement.where(among(BallisticItem.ibis_ref, references)))} if references else {}
        staged, problems = [], []
        for row in rows:
            staged.append(self._check(row, found, problems))
        pairs = {(entry[1], entry[2]) for entry in staged if entry[7] == NEW}
        if pairs:
            joined = set(connection.execute(select(BallisticLink.item_a_id, BallisticLink.item_b_id).where(
                among(BallisticLink.item_a_id, {first for first, _second in pairs}))).tuples()) & pairs
            staged = [entry[:7] + (SAME,) + entry[8:] if (entry[1], entry[2]) in joined and entry[7] == NEW
                      else entry for entry in staged]
        return staged, problems

    def _check(self, row: Row, found: dict[str, _Item], problems: list[Problem]) -> tuple:
        bad = (row.line, None, None, None, None, None, 0, BAD, None, None, None)
        if row.problems:  # a row of the wrong shape is not read further
            problems.extend(row.problems)
            return bad
        check = Checker()
        items = []
        for column in ("ibis_ref_a", "ibis_ref_b"):
            reference = check.text(column, row.values.get(column), IBIS_REF_MAX, required=True)
            item = found.get(reference) if reference else None
            if reference and item is None:
                # Absent, or another agency's out of scope: the same words either way.
                check.error(column, _("No ballistic item you may see has this IBIS reference."))
            items.append(item)
        rank = check.integer("rank", row.values.get("rank"), 1, RANK_MAX)
        if rank is None and not check.errors.get("rank"):
            check.error("rank", _("This field is required."))
        score = check.decimal("score", row.values.get("score"), 0, SCORE_MAX)
        if score is None and not check.errors.get("score"):
            check.error("score", _("This field is required."))
        notes = check.text("notes", row.values.get("notes"), NOTES_MAX, multiline=True)
        first, second = items
        if first is not None and second is not None and first.id == second.id:
            check.error("ibis_ref_b", _("A lead joins two different items."))
        for name, messages in check.errors.items():
            value = shorten(row.values.get(name)) or None
            problems.extend(Problem(row.line, name, value, message, ERROR) for message in messages)
        if check.errors:
            return bad
        first, second = sorted(items, key=lambda item: item.id)
        mismatch = first.caliber_id is not None and second.caliber_id is not None and \
            first.caliber_id != second.caliber_id
        return (row.line, first.id, second.id, first.agency_id, second.agency_id, first.case_id, int(mismatch),
                NEW, rank, score, notes)


def import_ibis_leads(stream: BinaryIO, *, user=None, partial: bool = False, dry_run: bool = False,
                      source: str | None = None, progress: Progress | None = None) -> IbisLeadsReport:
    """Check the CSV file in ``stream`` (binary) whole, then create its leads unless ``dry_run``.

    ``user`` is the examiner importing (only items of their scope are found; the audit
    trail names them); None is the command line run by the system, which finds every
    item. Returns the report; commits what it writes."""
    if user is not None:
        ensure_examiner(user)
    progress = progress or (lambda phase, done, total: None)
    report = IbisLeadsReport(dry_run=dry_run, partial=partial)
    try:
        with LeadStaging() as staging, scratch_full_stops():
            try:
                _first_pass(stream, RowChecker(user), staging, report, progress)
            except FileRejected as rejected:
                report.outcome, report.errors, report.problems = REJECTED, 1, [rejected.problem]
                return _finish(user, report, source)
            repeated = staging.repeated_pairs()
            staging.add_problems(Problem(line, "ibis_ref_b", None, _(
                "Line %(line)d joins the same two items: one lead is created for both.", line=first), SKIPPED)
                for line, first in repeated)
            staging.mark_same([line for line, _first in repeated])
            _count(staging, report)
            if not dry_run and report.outcome != REJECTED and report.imported_rows:
                _second_pass(user, staging, report, progress, source)
            report.problems += staging.first_problems(MAX_SHOWN - len(report.problems))
    except ScratchFull as full:  # while checking: nothing was written yet
        db.session.rollback()
        report.stopped(full.message)
    return _finish(user, report, source)


def _first_pass(stream: BinaryIO, checker: RowChecker, staging: LeadStaging, report: IbisLeadsReport,
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


def _stage(staging: LeadStaging, checked: tuple[list[tuple], list[Problem]]) -> None:
    rows, problems = checked
    staging.add_rows(rows)
    staging.add_problems(problems)


def _count(staging: LeadStaging, report: IbisLeadsReport) -> None:
    counts = staging.counts()
    report.rows, report.error_rows, report.already_imported = counts["rows"], counts["bad"], counts["same"]
    report.errors, report.skipped = counts["errors"], counts["skipped"]
    if not counts["bad"]:
        report.outcome = IMPORTED
    elif report.partial and counts["new"]:
        report.outcome = PARTIAL
    else:
        report.outcome = REJECTED
    if report.outcome != REJECTED:
        report.imported_rows = counts["new"]


def _second_pass(user, staging: LeadStaging, report: IbisLeadsReport, progress: Progress,
                 source: str | None) -> None:
    """Write the good rows: one transaction for an all-or-nothing import, a commit per batch
    for a partial one."""
    written, committed = 0, 0
    try:
        with scratch_full_stops():
            for chunk in staging.leads_to_write():
                write_leads(user, chunk, source)
                write_pending()  # the batch's audit event is chained now, not held until the end
                written += len(chunk)
                if report.partial:
                    db.session.commit()
                    committed = written
                progress("write", written, report.imported_rows)
        committed = written
    except (SQLAlchemyError, DomainError) as failure:
        db.session.rollback()
        log.warning("IBIS lead import stopped by the database: %s", failure)
        report.problems.append(Problem(None, None, None, stopped_message(failure, committed) or (_(
            "The database refused part of the import (the same leads created at the same time?). Leads written "
            "before stay written; import the file again to complete it.") if committed else _(
            "The database refused the import (the same leads created at the same time?). Nothing was written."))))
        report.errors += 1
        report.outcome = PARTIAL if committed else REJECTED
    report.imported_rows = committed


def _finish(user, report: IbisLeadsReport, source: str | None) -> IbisLeadsReport:
    """Audit an import that wrote leads or was rejected, then commit. A dry run, and an
    import that found nothing new, change nothing and leave no event."""
    if report.dry_run or (report.outcome == IMPORTED and not report.imported_rows):
        return report
    record("import.ibis_leads", object_type="import", actor=user,
           outcome="failure" if report.rejected else "success",
           details={"file": source, "outcome": report.outcome, "partial": report.partial, "rows": report.rows,
                    "created": report.imported_rows, "already_present": report.already_imported,
                    "error_rows": report.error_rows})
    db.session.commit()
    return report
