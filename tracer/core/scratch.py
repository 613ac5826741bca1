"""Scratch space on disk for one import, so that memory stays flat however long the file.

Checking a file whole needs to remember every row (repeated keys, what to
write once the whole file is known to be good). Kept in dictionaries, a
million-row file would need hundreds of megabytes; kept in a private SQLite
file next to the process, it needs a page cache. Each import adds its own
tables; the problems table, sorted for the report, is common to all.
"""
from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Iterable, Iterator


from tracer.core.errors import DomainError, is_storage_full
from tracer.core.import_report import ERROR, SKIPPED, WARNING, Problem
from tracer.core.translation import gettext as _

SEVERITY_ORDER = {ERROR: 0, SKIPPED: 1, WARNING: 2}
_SEVERITIES = {order: name for name, order in SEVERITY_ORDER.items()}
# How many rows are read back at a time.
CHUNK = 500

_PROBLEMS = "CREATE TABLE problems (line INTEGER, col TEXT, value TEXT, message TEXT, severity INTEGER);"


# Values kept between the checks and the writes are JSON, with the few Python types JSON lacks
# tagged: reading a blob back runs no code, whatever the file on disk holds.
_TAG = "$t"
_TAGGED = {"date": date.fromisoformat, "datetime": datetime.fromisoformat, "time": time.fromisoformat,
           "decimal": Decimal, "tuple": tuple, "set": set, "frozenset": frozenset,
           "dict": lambda pairs: {key: value for key, value in pairs}}


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _tagged(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [item if type(item) in _PLAIN else _tagged(item) for item in value]
    if kind is dict:
        if _TAG not in value and all(type(key) is str for key in value):
            # The usual value, a row's fields: plain values are taken as they are, without a call.
            return {key: item if type(item) in _PLAIN else _tagged(item) for key, item in value.items()}
        return {_TAG: "dict", "v": [[_tagged(key), _tagged(item)] for key, item in value.items()]}
    if isinstance(value, (bool, int, float, str)):  # a subclass (an enum of strings): its plain value
        return value
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, (date, time)):
        return {_TAG: type(value).__name__, "v": value.isoformat()}
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, (tuple, set, frozenset)):
        return {_TAG: type(value).__name__, "v": [_tagged(item) for item in value]}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    if isinstance(value, dict):
        return _tagged(dict(value))
    raise TypeError(f"cannot keep a {type(value).__name__} in the scratch database")


def _untagged(value: dict[str, Any]) -> Any:
    kind = value.get(_TAG)
    if kind is None or len(value) != 2 or "v" not in value:
        return value
    return _TAGGED[kind](value["v"])


# Made once: ``json.dumps`` and ``json.loads`` with options build an encoder or decoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DECODER = json.JSONDecoder(object_hook=_untagged)


def dump(value: Any) -> bytes:
    return _ENCODER.encode(_tagged(value)).encode()


def load(blob: bytes | None) -> Any:
    return None if blob is None else _DECODER.decode(blob.decode())


class ScratchFull(DomainError):
    """The disk holding the scratch database is full: the import cannot go on."""

    status = 507
    code = "storage_full"


@contextmanager
def scratch_full_stops() -> Iterator[None]:
    """Inside it, a full disk under the scratch database raises ``ScratchFull`` (a ``DomainError``,
    which the imports' write steps already roll back on)."""
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        if is_storage_full(error):
            raise ScratchFull(_("The server's disk is full: the file could not be checked to its end. "
                                "Try again later; if it persists, tell your administrator.")) from error
        raise


def stopped_message(failure: Exception, committed) -> str | None:
    """What a report says of an import whose writing a full disk stopped (None for other failures)."""
    if not isinstance(failure, ScratchFull):
        return None
    if committed:
        return _("The server's disk filled up while the import was written. Rows written before stay written; "
                 "import the file again later to complete it.")
    return _("The server's disk filled up while the import was written. Nothing was written; try again later, "
             "and if it persists, tell your administrator.")


class ScratchDatabase:
    """A private SQLite database in a temporary file without a name (removed as soon as it is
    open), gone with its connection on ``close``; ``schema`` adds tables."""

    schema = ""

    def __init__(self) -> None:
        self.path, self.db = None, None
        with scratch_full_stops():
            try:
                handle, self.path = tempfile.mkstemp(prefix="tracer-import-", suffix=".sqlite")
                os.close(handle)
                self.db = sqlite3.connect(self.path, isolation_level=None)
                # Scratch data: no journal, no fsync; a crash loses nothing worth keeping.
                for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16000", "temp_store=FILE"):
                    self.db.execute(f"PRAGMA {pragma}")
                # The name goes at once (the open file lives as long as the connection): a process
                # killed in the middle of an import leaves nothing in the temporary folder.
                os.unlink(self.path)
                self.path = None
                self.db.executescript(_PROBLEMS + self.schema)
                self.db.execute("BEGIN")
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        try:
            if self.db is not None:
                self.db.close()
        finally:
            if self.path is not None:
                os.unlink(self.path)
                self.path = None

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
