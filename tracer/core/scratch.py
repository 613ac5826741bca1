"""Scratch space on disk for one import, so that memory stays flat however long the file.

Checking a file whole needs to remember every row (repeated keys, what to
write once the whole file is known to be good). Kept in dictionaries, a
million-row file would need hundreds of megabytes; kept in a private SQLite
file next to the process, it needs a page cache. Each import adds its own
tables; the problems table, sorted for the report, is common to all.
"""
from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from typing import Any, Iterable

from tracer.core.import_report import ERROR, SKIPPED, WARNING, Problem

SEVERITY_ORDER = {ERROR: 0, SKIPPED: 1, WARNING: 2}
_SEVERITIES = {order: name for name, order in SEVERITY_ORDER.items()}
# How many rows are read back at a time.
CHUNK = 500

_PROBLEMS = "CREATE TABLE problems (line INTEGER, col TEXT, value TEXT, message TEXT, severity INTEGER);"


def dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load(blob: bytes | None) -> Any:
    return None if blob is None else pickle.loads(blob)


class ScratchDatabase:
    """A private SQLite database in a temporary file, removed on ``close``; ``schema`` adds tables."""

    schema = ""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="tracer-import-", suffix=".sqlite")
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        # Scratch data: no journal, no fsync; a crash loses nothing worth keeping.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16000", "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_PROBLEMS + self.schema)
        self.db.execute("BEGIN")

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            os.unlink(self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add_problems(self, problems: Iterable[Problem]) -> None:
        self.db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?, ?)",
                            ((p.line, p.column, p.value, p.message, SEVERITY_ORDER[p.severity])
                             for p in problems))

    def problem_counts(self) -> dict[str, int]:
        """Problems by severity: ``errors``, ``skipped``, ``warnings``."""
        found = dict(self.db.execute("SELECT severity, COUNT(*) FROM problems GROUP BY severity").fetchall())
        return {"errors": found.get(0, 0), "skipped": found.get(1, 0), "warnings": found.get(2, 0)}

    def first_problems(self, limit: int) -> list[Problem]:
        """Errors first, then rows skipped, then warnings; each in file order."""
        found = self.db.execute("SELECT line, col, value, message, severity FROM problems "
                                "ORDER BY severity, line, rowid LIMIT ?", (max(0, limit),)).fetchall()
        return [Problem(line, col, value, message, _SEVERITIES[severity])
                for line, col, value, message, severity in found]
