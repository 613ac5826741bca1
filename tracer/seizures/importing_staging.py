"""Scratch space on disk for one seizure import (see ``tracer.core.scratch``).

Checking a seizure file whole needs to remember every row: which external ids
came before (duplicates), what each seizure's first row said about its date
and place (agreement), which seizures have a bad row (``--partial`` skips them
whole). The checked values wait there too, so the file is read once, the rows
come back grouped by seizure for writing, and the problems come back sorted.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from tracer.core.scratch import CHUNK, ScratchDatabase, dump, load

__all__ = ["ALREADY", "BAD", "CHUNK", "GROUP_COLUMNS", "NEW", "RAW_SEPARATOR", "Staging", "dump", "load"]

# Row states.
NEW, BAD, ALREADY = 0, 1, 2
# The seizure's own columns, compared between the rows of one seizure_ref.
GROUP_COLUMNS = ("seized_on", "state", "municipality", "locality", "latitude", "longitude", "agency",
                 "case_reference")
# Between the values of GROUP_COLUMNS as written, kept to quote them in a report.
RAW_SEPARATOR = "\x1f"

_SCHEMA = f"""
CREATE TABLE rows (
    line INTEGER PRIMARY KEY, ext TEXT, grp TEXT, state INTEGER, place_ok INTEGER,
    {", ".join(f"c_{name}" for name in GROUP_COLUMNS)}, raw TEXT, firearm BLOB);
CREATE TABLE groups (
    grp TEXT PRIMARY KEY, first_line INTEGER, seizure_ref TEXT, agency_id INTEGER, seizure BLOB,
    case_id INTEGER, owner_id INTEGER, seizure_id INTEGER, bad INTEGER DEFAULT 0);
CREATE TABLE events (id INTEGER PRIMARY KEY, event BLOB);
CREATE TABLE bad_lines (line INTEGER);
"""


class Staging(ScratchDatabase):
    """The tables of a seizure import."""

    schema = _SCHEMA

    # -- loading --------------------------------------------------------------------------------

    def add_rows(self, rows: list[tuple]) -> None:
        """(line, ext, grp, state, place_ok, *group values, raw, firearm) tuples."""
        marks = ",".join("?" * (7 + len(GROUP_COLUMNS)))
        # Safe for B608: placeholders only.
        self.db.executemany(f"INSERT INTO rows VALUES ({marks})", rows)  # nosec B608

    def add_groups(self, groups: list[tuple]) -> None:
        """(grp, first_line, seizure_ref, seizing agency_id, seizure, case_id, owner_id); the first
        row of a group wins."""
        self.db.executemany("INSERT OR IGNORE INTO groups (grp, first_line, seizure_ref, agency_id, seizure, "
                            "case_id, owner_id) VALUES (?, ?, ?, ?, ?, ?, ?)", groups)

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM rows LIMIT 1").fetchone() is None

    def finish_loading(self) -> None:
        """Index what the cross-row checks look up (faster built once than kept up while loading)."""
        self.db.execute("CREATE INDEX rows_ext ON rows (ext)")
        self.db.execute("CREATE INDEX rows_grp ON rows (grp, line)")
        self.db.execute("CREATE INDEX groups_first_line ON groups (first_line)")

    # -- checks across rows ---------------------------------------------------------------------

    # The queries below are read as they go (never fetched whole); what the caller learns
    # from them goes to other tables (problems, bad_lines) until ``mark_bad_groups``.

    def duplicates(self) -> Iterator[tuple[int, str, int]]:
        """(line, external_id, first line with that external_id) for every repeat."""
        return self.db.execute(
            "SELECT r.line, r.ext, (SELECT MIN(o.line) FROM rows o WHERE o.ext = r.ext) AS first "
            "FROM rows r WHERE r.ext IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM rows o WHERE o.ext = r.ext AND o.line < r.line) ORDER BY r.line")

    def disagreements(self) -> Iterator[tuple[int, int, str, list[str], tuple[bool, ...]]]:
        """(line, first line, seizure_ref, values as written, which group columns differ) for
        every row whose date or place differs from the first good row of its seizure_ref."""
        differs = [f"r.c_{name} IS NOT f.c_{name}" for name in GROUP_COLUMNS]
        # The column names come from GROUP_COLUMNS, this module's constant; no value is spliced in.
        found = self.db.execute(
            # Safe for B608: constant names.
            f"SELECT r.line, f.line, g.seizure_ref, r.raw, {', '.join(differs)} "  # nosec B608
            "FROM rows r JOIN groups g ON g.grp = r.grp JOIN rows f ON f.line = g.first_line "
            f"WHERE r.place_ok AND r.state != ? AND r.line != f.line AND ({' OR '.join(differs)})"
            " ORDER BY r.line", (ALREADY,))
        for line, first, ref, raw, *flags in found:
            yield line, first, ref, raw.split(RAW_SEPARATOR), tuple(bool(flag) for flag in flags)

    def mark_rows_bad(self, lines: Iterable[int]) -> None:
        """Rows found bad across rows; their state changes in ``mark_bad_groups``."""
        self.db.executemany("INSERT INTO bad_lines VALUES (?)", [(line,) for line in lines])

    def groups_with_new_rows(self) -> Iterator[list[tuple[str, int, str, int, bytes, int | None]]]:
        """Chunks of (grp, first_line, seizure_ref, seizing agency_id, seizure values (``load``
        them), case_id) of the groups that have rows to write and carry a seizure_ref (only those
        can already exist)."""
        after = 0  # keyset pages: the caller updates these tables between pages
        while batch := self.db.execute(
                "SELECT grp, first_line, seizure_ref, agency_id, seizure, case_id FROM groups WHERE first_line > ? AND "
                "seizure_ref IS NOT NULL AND EXISTS (SELECT 1 FROM rows r WHERE r.grp = groups.grp AND r.state = "
                "?) ORDER BY first_line LIMIT ?", (after, NEW, CHUNK)).fetchall():
            after = batch[-1][1]
            yield batch

    def join_existing(self, links: list[tuple[int, int, int, str]]) -> None:
        """(seizure_id, case_id, owner_id, grp): new rows go to a seizure already recorded."""
        self.db.executemany("UPDATE groups SET seizure_id = ?, case_id = ?, owner_id = ? WHERE grp = ?", links)

    def mark_bad_groups(self) -> None:
        """Apply ``mark_rows_bad``; mark the groups that have a bad row."""
        self.db.execute("UPDATE rows SET state = ? WHERE line IN (SELECT line FROM bad_lines)", (BAD,))
        self.db.execute("UPDATE groups SET bad = 1 WHERE grp IN (SELECT grp FROM rows WHERE state = ?)", (BAD,))

    def skipped_groups(self) -> Iterator[tuple[int, str, int, int]]:
        """(first good line, seizure_ref, first bad line, good rows) of each bad group that had good rows."""
        return self.db.execute(
            "SELECT MIN(r.line), g.seizure_ref, (SELECT MIN(b.line) FROM rows b WHERE b.grp = g.grp "
            "AND b.state = ?), COUNT(*) FROM groups g JOIN rows r ON r.grp = g.grp "
            "WHERE g.bad AND r.state = ? GROUP BY g.grp ORDER BY 1", (BAD, NEW))

    # -- audit events waiting for the end of a long transaction ---------------------------------

    def add_events(self, events: list[tuple[str, dict]]) -> None:
        self.db.executemany("INSERT INTO events (event) VALUES (?)", [(dump(event),) for event in events])

    def events(self) -> Iterator[list[tuple[str, dict]]]:
        """The events in the order they were added, in chunks."""
        after = 0
        while batch := self.db.execute("SELECT id, event FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                       (after, CHUNK)).fetchall():
            after = batch[-1][0]
            yield [load(blob) for _id, blob in batch]

    # -- results --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows by state, rows and seizures and cases to write, problems by severity."""
        one = self.db.execute
        states = dict(one("SELECT state, COUNT(*) FROM rows GROUP BY state").fetchall())
        writable, seizures, cases = one(
            "SELECT COUNT(*), COUNT(DISTINCT g.grp), COUNT(DISTINCT CASE WHEN g.case_id IS NULL THEN g.grp END) "
            "FROM rows r JOIN groups g ON g.grp = r.grp WHERE r.state = ? AND NOT g.bad", (NEW,)).fetchone()
        existing = one("SELECT COUNT(DISTINCT g.grp) FROM rows r JOIN groups g ON g.grp = r.grp WHERE r.state = "
                       "? AND NOT g.bad AND g.seizure_id IS NOT NULL", (NEW,)).fetchone()[0]
        return {
            "rows": sum(states.values()), "bad": states.get(BAD, 0), "already": states.get(ALREADY, 0),
            "new": states.get(NEW, 0), "writable": writable, "seizures": seizures - existing, "cases": cases,
            **self.problem_counts(),
        }

    def rows_to_write(self) -> Iterator[tuple]:
        """(line, firearm, grp, seizure_ref, seizure, case_id, owner_id, seizure_id) of every row to
        write, grouped by seizure, seizures in file order."""
        cursor = self.db.cursor()
        cursor.execute("SELECT r.line, r.firearm, g.grp, g.seizure_ref, g.seizure, g.case_id, g.owner_id, "
                       "g.seizure_id FROM rows r JOIN groups g ON g.grp = r.grp "
                       "WHERE r.state = ? AND NOT g.bad ORDER BY g.first_line, r.line", (NEW,))
        while batch := cursor.fetchmany(CHUNK):
            yield from batch
