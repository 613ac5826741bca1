"""The sealer: one worker that chains the audit events requests append unsealed.

Requests write their events without any lock and without reading the chain (see
``services``). The sealer (``flask --app wsgi audit seal``, started beside gunicorn)
gives them their place in the chain, oldest ``id`` first, a batch per transaction:

- **One at a time.** On PostgreSQL the sealer holds a session-level advisory lock for as
  long as it runs (no request ever takes it). A second sealer started by mistake, or the
  one of another host, waits for that lock and takes over when the first stops.
- **Nothing lost, nothing chained twice.** A batch is one transaction: a sealer killed in
  the middle leaves its batch unsealed, and the next one seals it. The database lets an
  event's chain columns be set once, from empty, and refuses every other change.
- **Events keep landing when it stops.** They stay unsealed, counted by
  ``GET /api/v1/health`` (``audit_unsealed``) and ``flask audit verify``, and are sealed
  when the sealer runs again.
- **The head leaves the database.** After each pass that moved the chain (and every
  minute) the head ``SEQ:HASH`` is written to ``head_file`` (a temporary file renamed
  over it, so a reader never sees half a line), which ``audit verify --expect-head``
  reads back to show that no newest event was removed.

The window the design accepts: an event is tamper-evident once sealed, not before. An
unsealed event is still protected by the database (its content cannot be updated or
deleted, only its empty chain columns filled), but someone with the rights to bypass that
— the database owner — could alter or remove it before the sealer reaches it, and the
chain would then seal it as altered (or never know it). That window lasts as long as
events wait for the sealer: a fraction of a second while it runs; ``audit_unsealed`` in
the health answer shows when it grows.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from tracer.audit.chain import chain_head, seal_batch

SEALER_LOCK = 7_204_118  # arbitrary constant naming the lock the running sealer holds
HEAD_REPUBLISH_SECONDS = 60.0
REPORT_SECONDS = 60.0  # how often a running sealer says how much it sealed


def write_head_file(path: str | Path, head: tuple[int, str]) -> None:
    """Write ``SEQ:HASH`` to ``path`` atomically: a reader sees the old head or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(f"{head[0]}:{head[1]}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Sealer:
    """Seals unsealed audit events on ``engine``; see the module for the guarantees."""

    def __init__(self, engine: Engine, *, batch: int = 1000, head_file: str | Path | None = None,
                 log: Callable[[str], None] = print,
                 on_batch: Callable[[int, tuple[int, str]], None] | None = None) -> None:
        self.engine = engine
        self.batch = batch
        self.head_file = head_file
        self.log = log
        self.on_batch = on_batch  # called after each committed batch (count, head)
        self.stop = threading.Event()
        self._published: tuple[int, str] | None = None
        self._published_at = 0.0

    # --- the lock that makes one sealer work at a time ------------------------------------------

    def _try_lock(self, connection: Connection) -> bool:
        if connection.dialect.name != "postgresql":
            return True
        held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SEALER_LOCK}).scalar()
        connection.commit()  # a session-level lock outlives the transaction
        return bool(held)

    def _unlock(self, connection: Connection) -> None:
        if connection.dialect.name != "postgresql" or connection.closed or connection.invalidated:
            return
        try:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SEALER_LOCK})
            connection.commit()
        except DBAPIError:  # a lost connection has released the lock already
            pass

    # --- sealing ----------------------------------------------------------------------------------

    def seal_pending(self, connection: Connection) -> int:
        """Seal every event waiting now, a batch per transaction; returns how many."""
        total = 0
        while not self.stop.is_set():
            with connection.begin():
                count, head = seal_batch(connection, self.batch)
            if count:
                total += count
                if self.on_batch:
                    self.on_batch(count, head)
            if count < self.batch:
                break
        return total

    def publish_head(self, connection: Connection, force: bool = False) -> tuple[int, str]:
        with connection.begin():
            head = chain_head(connection)
        due = time.monotonic() - self._published_at >= HEAD_REPUBLISH_SECONDS
        if self.head_file and (force or due or head != self._published):
            write_head_file(self.head_file, head)
            self._published, self._published_at = head, time.monotonic()
        return head

    def run(self, *, once: bool = False, interval: float = 0.5) -> int | None:
        """Seal until ``stop`` is set (or one pass with ``once``); returns how many events were
        sealed, or None when ``once`` found another sealer at work."""
        total, waiting_said, failures = 0, False, 0
        unreported, reported_at = 0, time.monotonic()
        while not self.stop.is_set():
            try:
                with self.engine.connect() as connection:
                    if not self._try_lock(connection):
                        if once:
                            self.log("another sealer is at work: nothing done")
                            return None
                        if not waiting_said:
                            self.log("another sealer is at work: waiting to take over")
                            waiting_said = True
                        self.stop.wait(interval)
                        continue
                    try:
                        self.log("sealing audit events")
                        self.publish_head(connection, force=True)
                        while not self.stop.is_set():
                            sealed = self.seal_pending(connection)
                            total, failures = total + sealed, 0
                            head = self.publish_head(connection)
                            unreported += sealed
                            if unreported and (once or time.monotonic() - reported_at >= REPORT_SECONDS):
                                self.log(f"sealed {unreported} events; head {head[0]}:{head[1]}")
                                unreported, reported_at = 0, time.monotonic()
                            if once:
                                return total
                            self.stop.wait(interval)
                    finally:
                        self._unlock(connection)
            except OperationalError as error:  # the database went away: wait for it, then resume
                if once:
                    raise
                self.log(f"database unreachable ({error.orig}); trying again")
                self.stop.wait(max(interval, 1.0))
            except Exception as error:  # noqa: BLE001  (a worker left running must not die of one failure)
                if once:
                    raise
                failures += 1
                pause = min(2.0 ** failures, 60.0)
                self.log(f"sealing failed ({error!r}); trying again in {pause:.0f} s")
                self.stop.wait(pause)
        return total
