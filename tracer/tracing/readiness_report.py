"""How trace-ready the recorded firearms are: how many are ready, which identifiers are
missing, which are suspect and why — the figures behind "half of the traces fail for
missing or wrong identifiers", measured on this database.

Every firearm is judged by ``trace_readiness``, the one service the pages, the API
and the backlog use, so the report says what a user would be told firearm by firearm.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.tracing.readiness import IDENTIFIERS, Suspect, trace_readiness

BATCH = 2000
# What each kind of suspect identifier means, as the report names it.
SUSPECT_KINDS = ("type_other", "unknown_manufacturer", "unknown_caliber", "caliber_type_mismatch",
                 "serial_pattern", "altered_serial")


@dataclass
class ReadinessCounts:
    """Firearms by readiness: ``missing`` and ``suspect`` count firearms (one firearm may be
    missing several identifiers, or suspect for several reasons)."""

    firearms: int = 0
    ready: int = 0
    ready_with_warnings: int = 0
    missing: Counter = field(default_factory=Counter)
    suspect: Counter = field(default_factory=Counter)

    @property
    def not_ready(self) -> int:
        return self.firearms - self.ready

    def percent(self, count: int) -> float:
        return round(100 * count / self.firearms, 1) if self.firearms else 0.0


def suspect_kinds(firearm: Firearm, suspects: list[Suspect]) -> set[str]:
    """The kinds of the suspect identifiers ``trace_readiness`` found on ``firearm``."""
    kinds = set()
    serial_doubts = 0
    for item in suspects:
        if item.field == "firearm_type":
            kinds.add("type_other")
        elif item.field == "manufacturer":
            kinds.add("unknown_manufacturer")
        elif item.field == "caliber":
            kinds.add("unknown_caliber" if firearm.caliber_id is None else "caliber_type_mismatch")
        elif item.field == "serial_number":
            serial_doubts += 1
    altered = firearm.serial_status == "altered"
    if altered and serial_doubts:
        kinds.add("altered_serial")
    if serial_doubts > (1 if altered else 0):
        kinds.add("serial_pattern")
    return kinds


def readiness_counts(statement=None) -> ReadinessCounts:
    """Count the readiness of the firearms of ``statement`` (a ``SELECT`` of ``Firearm``;
    every firearm by default), reading them a batch at a time."""
    statement = select(Firearm) if statement is None else statement
    counts = ReadinessCounts()
    last_id = 0
    while True:
        batch = list(db.session.scalars(statement.where(Firearm.id > last_id).order_by(Firearm.id).limit(BATCH)))
        if not batch:
            break
        for firearm in batch:
            readiness = trace_readiness(firearm)
            counts.firearms += 1
            counts.missing.update(readiness.missing)
            kinds = suspect_kinds(firearm, readiness.suspect)
            counts.suspect.update(kinds)
            if readiness.ready:
                counts.ready += 1
                counts.ready_with_warnings += bool(kinds)
        last_id = batch[-1].id
        for firearm in batch:  # memory stays flat however many firearms there are
            db.session.expunge(firearm)
    return counts


def _labels() -> dict[str, str]:
    return {
        "firearm_type": _("Type"), "manufacturer": _("Manufacturer"), "model": _("Model"),
        "caliber": _("Caliber"), "serial_number": _("Serial number"),
        "country_of_manufacture": _("Country of manufacture"), "importer": _("Importer"),
        "type_other": _("Type “Other”"), "unknown_manufacturer": _("Manufacturer not in the reference list"),
        "unknown_caliber": _("Caliber not in the reference list"),
        "caliber_type_mismatch": _("Caliber that does not fit the type"),
        "serial_pattern": _("Serial without the manufacturer's shape"),
        "altered_serial": _("Altered serial number"),
    }


def report_lines(counts: ReadinessCounts) -> list[str]:
    """The report as text lines, in the user's language."""
    labels = _labels()

    def line(label: str, count: int) -> str:
        return f"  {label:<42} {count:>9,} {counts.percent(count):>6.1f} %"

    lines = [_("Trace readiness of %(n)s recorded firearms", n=f"{counts.firearms:,}"),
             line(_("Ready for a trace request"), counts.ready),
             line(_("… of which with something to check"), counts.ready_with_warnings),
             line(_("Not ready (an identifier is missing)"), counts.not_ready),
             _("Missing identifiers (each blocks a request):")]
    lines += [line(labels[name], counts.missing[name]) for name in IDENTIFIERS]
    lines.append(_("Suspect identifiers (warnings):"))
    lines += [line(labels[kind], counts.suspect[kind]) for kind in SUSPECT_KINDS]
    return lines
