"""Reading an import file (SPEC §8: UTF-8, header row, comma) as a stream of numbered rows.

The file is read line by line from its bytes, never whole: memory does not
grow with its length. Each line is decoded on its own, so a file that is not
UTF-8 is refused naming the line where decoding failed. Rows are numbered as a
spreadsheet numbers them: the header is line 1, and a row whose quoted value
spans lines keeps the number of its first line. Each import names its columns
in a ``CsvLayout``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator


from tracer.core.import_report import Problem, shorten
from tracer.core.translation import gettext as _

# The longest value any column holds (notes and markings); longer is refused unread.
MAX_VALUE_LENGTH = 2000
# A line longer than this cannot be a row of these formats (and is not kept in memory).
MAX_LINE_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"
# What a written file starts with, so that spreadsheets read it as UTF-8.
BOM_TEXT = "\ufeff"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvLayout:
    """The columns of one import format: documented (in order), also understood, required."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> frozenset[str]:
        return frozenset(self.columns + self.optional)


class FileRejected(Exception):
    """The file as a whole cannot be imported; ``problem`` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class Row:
    """One data row: its line number, its values by column, and what is wrong
    with its shape (wrong number of fields, a value too long to read)."""

    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


class CsvRows:
    """Iterate over the data rows of ``stream`` (binary), checking the header first.

    ``bytes_read`` follows the reading, for a progress bar. Raises
    ``FileRejected`` for an empty file, a file that is not UTF-8, a broken CSV
    structure or a missing required column.
    """

    def __init__(self, stream: BinaryIO, layout: CsvLayout):
        self.layout = layout
        self.bytes_read = 0
        self._physical = 0
        self._stream = stream
        self._reader = csv.reader(self._lines(), strict=True)
        self.columns = self._header()
        known = layout.known
        self.unknown_columns = [name or _("(unnamed)") for name in self.columns if name not in known]

    def _lines(self) -> Iterator[str]:
        while True:
            raw = self._stream.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self._physical += 1
            self.bytes_read += len(raw)
            if len(raw) > MAX_LINE_BYTES:
                raise FileRejected(Problem(self._physical, None, None, _(
                    "This line is longer than %(n)d bytes: the file is not a CSV file of this format.",
                    n=MAX_LINE_BYTES)))
            if self._physical == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as problem:
                sample = raw[max(0, problem.start - 10):problem.end + 10].decode("utf-8", "replace")
                raise FileRejected(Problem(self._physical, None, shorten(sample.strip()), _(
                    "The file is not UTF-8 text (byte %(byte)d of this line). Save it as “CSV UTF-8” "
                    "and import it again.", byte=problem.start + 1))) from None

    def _next_record(self) -> tuple[int, list[str]] | None:
        start = self._reader.line_num + 1
        try:
            return start, next(self._reader)
        except StopIteration:
            return None
        except csv.Error as problem:
            raise FileRejected(Problem(self._reader.line_num or start, None, None, _(
                "The CSV structure is broken here (%(detail)s). Check the quotes of this line.",
                detail=str(problem)))) from None

    def _header(self) -> list[str]:
        record = self._next_record()
        while record is not None and not any(value.strip() for value in record[1]):
            record = self._next_record()
        if record is None:
            raise FileRejected(Problem(None, None, None, _("The file is empty: it has no header and no rows.")))
        line, names = record
        return header_columns(line, names, self.layout)

    def __iter__(self) -> Iterator[Row]:
        columns, width = self.columns, len(self.columns)
        while (record := self._next_record()) is not None:
            line, fields = record
            if not fields or not any(value.strip() for value in fields):
                continue  # blank lines, and the empty rows spreadsheets leave at the end
            row = Row(line, dict(zip(columns, fields)))
            if len(fields) != width:
                row.problems.append(Problem(line, None, None, _(
                    "This row has %(given)d fields; the header has %(expected)d. Check the commas and quotes.",
                    given=len(fields), expected=width)))
            for name, value in row.values.items():
                if len(value) > MAX_VALUE_LENGTH:
                    row.problems.append(Problem(line, name, shorten(value), _(
                        "This value is too long (%(given)d characters; at most %(n)d).",
                        given=len(value), n=MAX_VALUE_LENGTH)))
            yield row


def header_columns(line: int, names: list[str], layout: CsvLayout) -> list[str]:
    """The column names of a header row, lowercased; ``FileRejected`` for a name given twice or a
    required column missing (a CSV file's or a workbook's header alike)."""
    columns = [name.strip().lower() for name in names]
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise FileRejected(Problem(line, name, None, _("The column %(column)s appears twice in the header.",
                                                           column=name)))
        seen.add(name)
    missing = [name for name in layout.required if name not in seen]
    if missing:
        raise FileRejected(Problem(line, ", ".join(missing), None, _(
            "Missing columns: %(missing)s. The header must name these columns (in any order): %(expected)s.",
            missing=", ".join(missing), expected=", ".join(layout.columns))))
    return columns


def neutralise(value) -> str:
    """A cell as text that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
