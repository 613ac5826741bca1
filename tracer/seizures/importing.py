"""Importing seizures from a CSV file (SPEC §6 ``import seizures``, §8), for the
command line and the upload page alike.

The file is checked whole before anything is written. The first pass reads it
once, streaming, and checks every row with the rules of the forms and the API
(``importing_rows``), keeping what it learns in a scratch database on disk
(``importing_staging``); then the checks across rows run there: an external_id
repeated in the file, rows of one seizure_ref that disagree on its date or
place, a seizure_ref already recorded with other values. By default one bad
row rejects the file; with ``partial`` the seizures whose rows are all good
are written and the rest reported (a seizure is written whole or not at all,
since its rows must agree). The second pass writes, in batches
(``importing_writer``): one transaction for an all-or-nothing import, a commit
per batch for a partial one. A row whose external_id the importing agency already
holds was imported before: it is counted, never written again. Reference and
external_id belong to the agency that records them (SPEC §2): only its own are
looked up, so what another agency uses is never revealed.

The import commits its own work: it is a batch job, not a request that a view
could wrap in one transaction.
"""
from __future__ import annotations

import itertools
import logging
from typing import BinaryIO, Callable

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlalchemy.exc import SQLAlchemyError

from tracer.audit.services import record, write_pending
from tracer.auth.models import Agency
from tracer.cases.models import Case
from tracer.cases.services import CASE_WRITERS, case_query, may_edit
from tracer.core.errors import DomainError, Forbidden
from tracer.core.scratch import ScratchFull, scratch_full_stops, stopped_message
from tracer.core.translation import gettext as _
from tracer.core.translation import ngettext
from tracer.core.value_lists import probed
from tracer.extensions import db
from tracer.core.sheet_files import read_rows
from tracer.seizures.importing_csv import LAYOUT, FileRejected
from tracer.seizures.importing_report import (IMPORTED, MAX_SHOWN, PARTIAL, REJECTED, SKIPPED, ImportReport,
                                              Problem, shorten)
from tracer.seizures.importing_rows import CheckedRow, RowChecker
from tracer.seizures.importing_staging import ALREADY, BAD, GROUP_COLUMNS, NEW, Staging, dump, load
from tracer.seizures.importing_writer import BulkWriter, SeizureToWrite
from tracer.seizures.models import Seizure
from tracer.seizures.signals import seizure_import_written

log = logging.getLogger(__name__)

BATCH_ROWS = 1000
# The seizures already recorded, looked up by reference (``_join_recorded_seizures``).
_RECORDED = aliased(Seizure, name="recorded")
Progress = Callable[[str, int, int | None], None]


class AgencyActor:
    """Who an import from the command line acts as when it names an agency but no user.

    It opens the agency's cases and sees what the agency's case workers see;
    the audit trail records the agency and no user (source ``cli``).
    """

    id = None
    username = None
    full_name = None
    role = "analyst"
    active = True

    def __init__(self, agency: Agency):
        self.agency = agency
        self.agency_id = agency.id
        self.locale = None


def import_seizures(actor, stream: BinaryIO, *, partial: bool = False, dry_run: bool = False,
                    source: str | None = None, progress: Progress | None = None) -> ImportReport:
    """Check the CSV file in ``stream`` (binary) whole, then write it unless ``dry_run``.

    ``actor`` is a user (officer, analyst or supervisor) or an ``AgencyActor``;
    new cases belong to its agency and new seizures are seized by it unless a
    row names another agency. Returns the report; commits what it writes.
    """
    if not actor.active or actor.role not in CASE_WRITERS:
        raise Forbidden(_("Your role does not allow importing seizures."))
    progress = progress or (lambda phase, done, total: None)
    report = ImportReport(dry_run=dry_run, partial=partial)
    try:
        with Staging() as staging, scratch_full_stops():
            try:
                notes = _first_pass(actor, stream, staging, report, progress)
            except FileRejected as rejected:
                report.outcome, report.errors, report.problems = REJECTED, 1, [rejected.problem]
                return _finish(actor, report, source)
            _check_across_rows(actor, staging, partial)
            _count(staging, report)
            # What reading a workbook decided (other sheets, formulas, merged cells) comes first.
            report.problems, report.warnings = notes + report.problems, report.warnings + len(notes)
            if not dry_run and report.outcome != REJECTED and report.imported_rows:
                _second_pass(actor, staging, report, progress)
            report.problems += staging.first_problems(MAX_SHOWN - len(report.problems))
    except ScratchFull as full:  # while checking: nothing was written yet
        db.session.rollback()
        report.stopped(full.message)
        report.seizures = report.cases = 0
    return _finish(actor, report, source)


# -- first pass: every row ------------------------------------------------------------------------


def _first_pass(actor, stream: BinaryIO, staging: Staging, report: ImportReport,
                progress: Progress) -> list[Problem]:
    """Check every row into ``staging``; returns the reader's notes about the file itself."""
    rows = read_rows(stream, LAYOUT)
    report.unknown_columns = list(dict.fromkeys(rows.unknown_columns))
    checker = RowChecker(actor)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            _stage(staging, checker.check_batch(batch))
            batch = []
            progress("check", rows.bytes_read, None)
    if batch:
        _stage(staging, checker.check_batch(batch))
    progress("check", rows.bytes_read, None)
    if staging.is_empty():
        raise FileRejected(Problem(None, None, None, _("The file has a header but no rows.")))
    return rows.notes


def _group_key(row: CheckedRow) -> str:
    # A row without seizure_ref is a seizure of its own.
    return row.seizure_ref if row.seizure_ref is not None else f"\x00{row.line}"


def _stage(staging: Staging, checked: list[CheckedRow]) -> None:
    rows, groups, problems, grouped = [], [], [], set()
    empty = (None,) * len(GROUP_COLUMNS)
    for row in checked:
        state = ALREADY if row.already else BAD if row.bad else NEW
        grp = _group_key(row)
        place = row.place_ok and not row.already
        rows.append((row.line, row.external_id, grp, state, place, *(row.group_values if place else empty),
                     row.raw_group if place else None, dump(row.firearm) if state == NEW else None))
        if place and grp not in grouped:  # the group's first good row speaks for it (the rest must agree)
            grouped.add(grp)
            groups.append((grp, row.line, row.seizure_ref, row.seizure["agency_id"], dump(row.seizure),
                           row.case_id, row.owner_id))
        problems.extend(row.problems)
    staging.add_rows(rows)
    staging.add_groups(groups)
    staging.add_problems(problems)


# -- checks across rows -----------------------------------------------------------------------------


def _check_across_rows(actor, staging: Staging, partial: bool) -> None:
    staging.finish_loading()
    _record_problems(staging, (
        (line, [Problem(line, "external_id", shorten(external_id), _(
            "This external_id is also on line %(line)d: every row needs its own.", line=first))])
        for line, external_id, first in staging.duplicates()))
    _record_problems(staging, (
        (line, [Problem(line, column, shorten(values[index]) or None, _(
            "The rows of seizure %(ref)s must agree on its date and place: this value differs from line "
            "%(line)d.", ref=seizure_ref, line=first)) for index, column in enumerate(GROUP_COLUMNS)
            if differs[index]])
        for line, first, seizure_ref, values, differs in staging.disagreements()))
    for chunk in staging.groups_with_new_rows():
        _join_recorded_seizures(actor, staging, chunk)
    staging.mark_bad_groups()
    if partial:
        staging.add_problems(
            Problem(line, "seizure_ref", shorten(seizure_ref), ngettext(
                "This row was left out with its seizure: line %(line)d of the same seizure has errors, and a "
                "seizure is imported whole or not at all.",
                "These %(num)d rows were left out with their seizure: line %(line)d of the same seizure has "
                "errors, and a seizure is imported whole or not at all.", count, line=bad_line), SKIPPED)
            for line, seizure_ref, bad_line, count in staging.skipped_groups())


def _record_problems(staging: Staging, found) -> None:
    """Store (line, problems) pairs as they come, a thousand at a time, and mark those lines bad."""
    found = iter(found)
    while chunk := list(itertools.islice(found, 1000)):
        staging.add_problems(problem for _line, problems in chunk for problem in problems)
        staging.mark_rows_bad(line for line, _problems in chunk)


def _join_recorded_seizures(actor, staging: Staging, chunk: list[tuple]) -> None:
    """Rows whose seizure_ref the importing agency has already recorded join that seizure,
    provided they agree with it and the actor may add to its case. A reference is looked
    up among the importing agency's own seizures only: one that another agency uses is
    answered as an unused one (a new seizure), so no report tells whether it exists."""
    # On (recording agency, seizure_ref): the unique index of seizures answers it, a probe a reference.
    found = probed({seizure_ref for _grp, _line, seizure_ref, _agency, _values, _case in chunk},
                   _RECORDED.seizure_ref, _RECORDED.recorded_by_agency_id == actor.agency_id,
                   returning=_RECORDED.id).subquery()
    recorded = {s.seizure_ref: s for s in db.session.scalars(select(Seizure).where(
        Seizure.id.in_(select(found.c.id))))}
    if not recorded:
        return  # the usual case: nothing of this chunk was recorded before
    editable = {case.id: case for case in db.session.scalars(
        case_query(actor).where(Case.id.in_({s.case_id for s in recorded.values()}))) if may_edit(actor, case)}
    links, problems, bad = [], [], []
    for grp, line, seizure_ref, _agency_id, blob, case_id in chunk:
        seizure = recorded.get(seizure_ref)
        if seizure is None:
            continue
        values = load(blob)
        case = editable.get(seizure.case_id)
        differs = _differences(seizure, values, case_id)
        if case is None:
            problems.append(Problem(line, "seizure_ref", shorten(seizure_ref), _(
                "This seizure_ref is already used by a seizure you may not add to: choose another.")))
        elif differs:
            problems.extend(Problem(line, column, None, _(
                "Seizure %(ref)s is already recorded with another value here; rows added to it must agree.",
                ref=seizure_ref)) for column in differs)
        else:
            links.append((seizure.id, case.id, case.owner_agency_id, grp))
            continue
        bad.append(line)
    staging.add_problems(problems)
    staging.mark_rows_bad(bad)
    staging.join_existing(links)


def _differences(seizure: Seizure, values: dict, case_id: int | None) -> list[str]:
    """The columns in which a group's values contradict the seizure already recorded."""
    pairs = [("seized_on", seizure.seized_on, values["seized_on"]),
             ("state", seizure.state_code, values["state_code"]),
             ("municipality", seizure.municipality_code, values["municipality_code"]),
             ("locality", seizure.locality, values["locality"]),
             ("agency", seizure.agency_id, values["agency_id"]),
             ("case_reference", seizure.case_id, case_id if case_id is not None else seizure.case_id)]
    if values.get("coordinate_source") == "gps":
        pairs += [("latitude", seizure.latitude, values["latitude"]),
                  ("longitude", seizure.longitude, values["longitude"])]
    return [column for column, recorded, given in pairs if recorded != given]


def _count(staging: Staging, report: ImportReport) -> None:
    counts = staging.counts()
    report.rows, report.already_imported, report.error_rows = counts["rows"], counts["already"], counts["bad"]
    report.skipped_rows = counts["new"] - counts["writable"]
    report.errors, report.warnings, report.skipped_seizures = counts["errors"], counts["warnings"], counts["skipped"]
    if not counts["bad"]:
        report.outcome = IMPORTED
    elif report.partial and counts["writable"]:
        report.outcome = PARTIAL
    else:
        report.outcome = REJECTED
    if report.outcome != REJECTED:
        report.imported_rows, report.seizures, report.cases = counts["writable"], counts["seizures"], counts["cases"]


# -- second pass: writing --------------------------------------------------------------------------


def _batches(staging: Staging):
    """Lists of whole seizures of about ``BATCH_ROWS`` firearms, in file order."""
    batch: list[SeizureToWrite] = []
    size, current, current_grp = 0, None, None
    for _line, firearm, grp, seizure_ref, seizure, case_id, owner_id, seizure_id in staging.rows_to_write():
        if grp != current_grp:
            if size >= BATCH_ROWS:
                yield batch
                batch, size = [], 0
            current, current_grp = SeizureToWrite(seizure_ref, load(seizure), case_id, owner_id, seizure_id), grp
            batch.append(current)
        current.firearms.append(load(firearm))
        size += 1
    if batch:
        yield batch


def _record(actor, events) -> None:
    for action, fields in events:
        record(action, actor=actor, **fields)
    write_pending()


def _second_pass(actor, staging: Staging, report: ImportReport, progress: Progress) -> None:
    """Write the good seizures. A partial import commits each batch with its audit events.
    An all-or-nothing import is one transaction; its audit events wait on disk and are
    chained at its end, so that on PostgreSQL the audit-chain lock, which every audited
    write in the system queues for, is held for that last step only."""
    writer = BulkWriter(actor)
    committed = None
    written = 0
    try:
        with scratch_full_stops():
            for batch in _batches(staging):
                writer.write(batch)
                written += sum(len(item.firearms) for item in batch)
                if report.partial:
                    _record(actor, writer.take_events())
                    db.session.commit()
                    committed = (writer.counts.firearms, writer.counts.seizures, writer.counts.cases)
                else:
                    staging.add_events(writer.take_events())
                progress("write", written, report.imported_rows)
            if not report.partial:  # one transaction: ``_finish`` commits it with the import's own event
                for events in staging.events():
                    _record(actor, events)
                committed = (writer.counts.firearms, writer.counts.seizures, writer.counts.cases)
        for _receiver, (lines, limit) in seizure_import_written.send(actor, hidden=writer.hidden):
            report.restricted.extend(lines)
            report.restricted_limit = limit or report.restricted_limit
    except (SQLAlchemyError, DomainError) as failure:
        db.session.rollback()
        log.warning("seizure import stopped by the database: %s", failure)
        report.problems.append(Problem(None, None, None, stopped_message(failure, committed) or (_(
            "The database refused part of the import (another import of the same rows at the same time?). "
            "Rows written before stay written; import the file again to complete it.") if committed else _(
            "The database refused the import (another import of the same rows at the same time?). "
            "Nothing was written."))))
        report.errors += 1
        report.outcome = PARTIAL if committed else REJECTED
    report.imported_rows, report.seizures, report.cases = committed or (0, 0, 0)


def _finish(actor, report: ImportReport, source: str | None) -> ImportReport:
    """Audit an import that wrote rows or was rejected, then commit. A dry run, and an
    import that found nothing new, change nothing and leave no event."""
    if report.dry_run or (report.outcome == IMPORTED and not report.imported_rows):
        return report
    record("import.seizures", object_type="import", actor=actor,
           outcome="failure" if report.rejected else "success",
           details={"file": source, "outcome": report.outcome, "partial": report.partial, "rows": report.rows,
                    "firearms": report.imported_rows, "seizures": report.seizures, "cases": report.cases,
                    "already_imported": report.already_imported, "error_rows": report.error_rows,
                    "skipped_rows": report.skipped_rows})
    db.session.commit()
    return report


