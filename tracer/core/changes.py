"""Applying checked values to a record, saying what changed for the audit trail, and
turning a save over someone else's newer version into a conflict."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from sqlalchemy.orm.exc import StaleDataError

from tracer.core.errors import Conflict
from tracer.extensions import db


def apply_changes(record: Any, clean: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set on ``record`` the values of ``clean`` that differ from what it holds;
    returns the old and the new values of exactly those fields."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in clean.items():
        if getattr(record, name) != value:
            old[name], new[name] = getattr(record, name), value
            setattr(record, name, value)
    return old, new


@contextmanager
def stale_as_conflict(row: Any, conflict: Callable[[Any], Conflict]) -> Iterator[None]:
    """Writes inside this block that find ``row``'s version moved on (another transaction saved
    it between our read and our write) roll back and raise ``conflict(stored)``, built from the
    values stored now."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        stored = db.session.get(type(row), row.id, populate_existing=True)
        raise conflict(stored or row) from None
