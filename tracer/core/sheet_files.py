"""Import files as people keep them: CSV, or an Excel workbook (.xlsx) read directly.

``read_rows(stream, layout)`` looks at the first bytes: a workbook is read from its first
sheet, row by row in openpyxl's read-only mode (memory stays flat), with the values a
spreadsheet shows (a formula gives its last computed value, a date cell its day); anything
else that is not text is refused, naming the formats accepted. Both readers give the same
numbered ``Row``s; what the reader had to decide about a workbook (other sheets left out,
merged cells, formulas) comes back as warnings in ``notes``.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import BinaryIO, Iterator


from tracer.core.csv_files import MAX_VALUE_LENGTH, CsvLayout, CsvRows, FileRejected, Row, header_columns
from tracer.core.import_report import WARNING, Problem, shorten
from tracer.core.translation import gettext as _

ZIP = b"PK\x03\x04"
# Other files people pick by mistake: old Excel, PDF, images, archives.
NOT_TEXT = (b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def _refused() -> FileRejected:
    return FileRejected(Problem(None, None, None, _(
        "This file is neither CSV nor an Excel workbook. Save it as “CSV UTF-8 (.csv)” or as an Excel "
        "workbook (.xlsx) and import it again.")))


def read_rows(stream: BinaryIO, layout: CsvLayout) -> "CsvRows | SheetRows":
    """The rows of an import file, CSV or .xlsx (see the module's description)."""
    start = stream.read(1024)
    stream.seek(0)
    if start.startswith(ZIP):
        return SheetRows(stream, layout)
    if start.startswith(NOT_TEXT) or b"\x00" in start:
        raise _refused()
    rows = CsvRows(stream, layout)
    rows.notes = []
    return rows


def _cell_text(value) -> str:
    """A cell as the text a CSV export of it would hold: a day as YYYY-MM-DD, whole numbers without
    a decimal point."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class SheetRows:
    """The data rows of the first sheet of an .xlsx workbook, with the interface of ``CsvRows``."""

    def __init__(self, stream: BinaryIO, layout: CsvLayout):
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        self.layout = layout
        self.notes: list[Problem] = []
        stream.seek(0, 2)
        self._size = stream.tell()
        stream.seek(0)
        self.bytes_read = 0
        try:
            self._book = load_workbook(stream, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError, ValueError):
            raise _refused() from None
        sheets = self._book.worksheets
        if not sheets:
            raise _refused()
        self._sheet = sheets[0]
        self._scan(stream)
        if len(sheets) > 1:
            self.notes.append(Problem(None, None, shorten(self._sheet.title), _(
                "The workbook has %(n)d sheets: only the first, “%(sheet)s”, was read.",
                n=len(sheets), sheet=shorten(self._sheet.title)), WARNING))
        self._rows = self._sheet.iter_rows(values_only=True)
        self._line = 0
        self._last = self._sheet.max_row or 0
        self.columns = self._header()
        known = layout.known
        self.unknown_columns = [name or _("(unnamed)") for name in self.columns if name not in known]

    def _next(self) -> tuple[int, list[str]] | None:
        try:
            cells = next(self._rows)
        except StopIteration:
            return None
        self._line += 1
        if self._last:
            self.bytes_read = min(self._size, self._size * self._line // self._last)
        return self._line, [_cell_text(value) for value in cells]

    def _header(self) -> list[str]:
        record = self._next()
        while record is not None and not any(value.strip() for value in record[1]):
            record = self._next()
        if record is None:
            raise FileRejected(Problem(None, None, None, _("The file is empty: it has no header and no rows.")))
        line, names = record
        while names and not names[-1].strip():
            names.pop()
        return header_columns(line, names, self.layout)

    def _scan(self, stream: BinaryIO) -> None:
        """Say what the values read are made of: formulas, merged cells (read-only sheets do not
        tell, so the sheet's XML is scanned, chunk by chunk)."""
        from zipfile import ZipFile

        path = getattr(self._sheet, "_worksheet_path", None)
        if not path:
            return
        found, tail = set(), b""
        with ZipFile(stream) as archive, archive.open(path) as sheet:
            while chunk := sheet.read(1 << 20):
                text = tail + chunk
                if b"<f>" in text or b"<f " in text:
                    found.add("formula")
                if b"<mergeCell " in text:
                    found.add("merged")
                tail = text[-16:]
        stream.seek(0)
        if "formula" in found:
            self.notes.append(Problem(None, None, None, _(
                "Some cells hold formulas: the values they last showed in the spreadsheet were read."), WARNING))
        if "merged" in found:
            self.notes.append(Problem(None, None, None, _(
                "The sheet has merged cells: a merged cell's value was read in its first cell only."), WARNING))

    def __iter__(self) -> Iterator[Row]:
        columns, width = self.columns, len(self.columns)
        try:
            while (record := self._next()) is not None:
                line, fields = record
                if not any(value.strip() for value in fields):
                    continue
                extra = [value for value in fields[width:] if value.strip()]
                row = Row(line, dict(zip(columns, fields[:width] + [""] * (width - len(fields)))))
                if extra:
                    row.problems.append(Problem(line, None, None, _(
                        "This row has values beyond the last column of the header.")))
                for name, value in row.values.items():
                    if len(value) > MAX_VALUE_LENGTH:
                        row.problems.append(Problem(line, name, shorten(value), _(
                            "This value is too long (%(given)d characters; at most %(n)d).",
                            given=len(value), n=MAX_VALUE_LENGTH)))
                yield row
        finally:
            self.bytes_read = self._size
            self._book.close()
