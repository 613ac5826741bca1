"""Firearms in every state of trace readiness, for the tracing tests."""
from __future__ import annotations

from tests import factories

# A Glock with a serial of Glock's shape, made in Austria, imported: nothing missing, nothing suspect.
READY = {"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
         "serial_number": "BXK123", "serial_status": "intact", "country_of_manufacture": "AT",
         "importer": "Glock Inc."}


def ready_firearm(case=None, **fields):
    """A trace-ready firearm (reference data loaded) in a seizure of ``case`` (a new FGR case by default)."""
    return factories.seizure(case, firearms=[{**READY, **fields}]).firearms[0]


def not_ready_firearm(case=None, **fields):
    """A firearm made abroad whose importer nobody wrote down: not ready for a trace."""
    return ready_firearm(case, importer="", **fields)
