"""Applying checked values to a record and saying what changed, for the audit trail."""
from __future__ import annotations

from typing import Any


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
