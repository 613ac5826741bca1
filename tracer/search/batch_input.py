"""A batch serial search as the web page receives it: a pasted list or an uploaded file.

A pasted list has one serial per line, optionally followed by ``;`` (or a tab, as
when two columns are pasted from a spreadsheet) and the manufacturer. A file is
either the same list as text or a CSV file (SPEC §8: UTF-8, header row, comma)
with the columns ``q``, ``mode`` and ``manufacturer``. Blank lines are skipped;
every other line keeps its line number, so a problem on the page points at it.
The file is checked by content: what is not UTF-8 text is refused whole.
"""
from __future__ import annotations

import io


from tracer.core.csv_files import BOM, CsvLayout, CsvRows, FileRejected
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.search.batch import MAX_QUERIES, BatchQuery, batch_size_problem

# A list of MAX_QUERIES serials with their makers fits many times over.
MAX_UPLOAD_BYTES = 256 * 1024
LAYOUT = CsvLayout(columns=("q", "mode", "manufacturer"), required=("q",))
# Between a serial and its manufacturer on a pasted line.
SEPARATORS = (";", "\t")


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"file": [message]})


def queries_from_text(text: str | None) -> list[BatchQuery]:
    """The lines of a pasted list (or a text file), blank lines left out, each with its line number.

    Only the line breaks split the text: any other control character stays in its line,
    whose answer then names it. Raises ``ValidationFailed`` on ``queries`` past
    ``MAX_QUERIES`` lines (counted, not kept)."""
    queries, count = [], 0
    # Read as a stream: a list pasted many times over is counted without being copied.
    for number, line in enumerate(io.StringIO(text or "", newline="\n"), start=1):
        line = line.removesuffix("\n").removesuffix("\r")
        if not line.strip(" \t"):
            continue
        count += 1
        if count > MAX_QUERIES:
            continue
        cut = min((line.find(mark) for mark in SEPARATORS if mark in line), default=-1)
        serial, maker = (line, "") if cut < 0 else (line[:cut], line[cut + 1:])
        queries.append(BatchQuery(serial.strip(" \t"), None, maker.strip(" \t") or None, number))
    _check_count(count)
    return queries


def _check_count(count: int) -> None:
    problem = batch_size_problem(count)
    if problem:
        raise ValidationFailed(problem, {"queries": [problem]})


def _text_of(data: bytes) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is too large (at most %(kb)d KB): a batch holds at most %(max)d serial numbers.",
                            kb=MAX_UPLOAD_BYTES // 1024, max=MAX_QUERIES))
    if b"\x00" in data:
        raise _file_error(_("The file is not a CSV or text file. Save the list as “CSV UTF-8” or as plain text."))
    try:
        return data.decode("utf-8").removeprefix(BOM.decode("utf-8"))
    except UnicodeDecodeError:
        raise _file_error(_("The file is not UTF-8 text. Save the list as “CSV UTF-8” or as plain text.")) from None


def _is_csv(text: str, filename: str | None) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return (filename or "").lower().endswith(".csv") or "," in first


def queries_from_upload(data: bytes, filename: str | None = None) -> list[BatchQuery]:
    """The lines of an uploaded file: a CSV file (``q``, ``mode``, ``manufacturer``) when it is
    named .csv or its first line holds a comma, otherwise a list of one serial per line.

    Raises ``ValidationFailed`` on ``file`` for a file that is too large, not UTF-8 text, or a
    CSV file without a ``q`` column or with a broken structure; on ``queries`` for no line or
    more than ``MAX_QUERIES``."""
    text = _text_of(data)
    if not _is_csv(text, filename):
        return queries_from_text(text)
    try:
        rows = CsvRows(io.BytesIO(data), LAYOUT)
        # A short row leaves its last columns empty; a long one keeps the columns it names.
        queries = [BatchQuery(row.values.get("q", "").strip(" \t"), row.values.get("mode", "").strip() or None,
                              row.values.get("manufacturer", "").strip(" \t") or None, row.line) for row in rows]
    except FileRejected as rejected:
        problem = rejected.problem
        message = problem.message if problem.line is None else _(
            "Line %(line)d: %(message)s", line=problem.line, message=problem.message)
        raise _file_error(message) from None
    _check_count(len(queries))
    return queries
