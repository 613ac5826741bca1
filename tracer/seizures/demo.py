"""Demo cases, seizures and firearms for ``flask seed-demo``.

The seizures are drawn by ``demo_data`` (states, makers, calibers and serial
states following published figures; see its docstring for the sources) and
written through the seizure import, as an officer of each owning agency would
upload them: every row passes the same checks, every firearm opens its custody
chain, every write is audited. Cases of several kinds come out: a case per
seizure (as the import opens them) and longer investigations that gather
seizures, some ``open``, some ``investigating``. A few firearms are recovered
more than once, in different seizures and agencies, sometimes with their serial
misread: the import links them as possible same firearms.

Deterministic for a given seed, and idempotent: seizures are keyed by their
``DEMO-`` seizure_ref and external_id, investigations by their ``DEMO/``
carpeta number, so running it again adds nothing.
"""
from __future__ import annotations

import csv
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, or_, select

from tracer.audit.services import record
from tracer.auth.services import user_by_username
from tracer.cases.models import Case
from tracer.cases.services import create_case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.demo_data import STATE_WEIGHTS, firearm_values, seizure_size, seizure_values
from tracer.seizures.importing import import_seizures
from tracer.seizures.importing_csv import COLUMNS
from tracer.seizures.models import Seizure

PREFIX = "DEMO"
# The demo officer who uploads each owning agency's seizures (tracer.auth.demo.USERS).
OFFICERS = {"FGR": "agente.fgr", "SEDENA": "agente.sedena", "GN": "agente.gn", "FGE-SON": "agente.son",
            "FGE-JAL": "agente.jal", "FGE-CHIH": "agente.chih"}
STATE_AGENCIES = {"26": "FGE-SON", "14": "FGE-JAL", "08": "FGE-CHIH"}
FEDERAL_OWNERS = (("FGR", .65), ("SEDENA", .2), ("GN", .15))
# Who seizes for each owner: the Army and the National Guard make most seizures.
SEIZERS = {"FGR": (("SEDENA", .45), ("GN", .35), ("FGR", .2)), "SEDENA": (("SEDENA", 1),), "GN": (("GN", 1),)}
STATE_SHARE = .55  # of the seizures in Sonora, Jalisco and Chihuahua, those the state prosecutor owns
INVESTIGATION_SHARE = .35  # of the seizures, those filed under a longer investigation
# Of the firearms, those that are a recurring firearm recovered again (possible same firearm),
# drawn from a pool of one recurring firearm per REPEAT_POOL_DIVISOR demo firearms.
REPEAT_SHARE, REPEAT_POOL_DIVISOR = .08, 500
# What a misreading officer writes for a character of a serial (SPEC §4 look-alikes).
LOOKALIKE_SWAPS = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z",
                   "Z": "2", "6": "G", "G": "6"}
INVESTIGATIONS = (
    ("Tráfico de armas por la ruta Nogales–Hermosillo",
     "Armas compradas en Arizona y cruzadas por Nogales en vehículos particulares."),
    ("Compras por prestanombres en Tucson y Phoenix",
     "Varias armas del mismo modelo compradas por las mismas personas en pocas semanas."),
    ("Fusiles de alto poder asegurados en la sierra",
     "Fusiles tipo AK y AR asegurados tras enfrentamientos; se solicita rastreo de todos."),
    ("Tráfico hormiga por Ciudad Juárez",
     "Armas cortas internadas de una en una por el puente internacional."),
    ("Arsenal en inmueble de Zapopan", "Cateo con orden judicial; armas, cargadores y cartuchos."),
    ("Fusiles calibre .50 en la frontera", "Fusiles Barrett asegurados en retenes carreteros."),
    ("Armas con número de serie limado", "Restauración química de números de serie en el laboratorio."),
    ("Paquetería con piezas de armas", "Receptores y piezas enviados por paquetería para armarse en México."),
)


@dataclass
class DemoSummary:
    """What the demo holds after seeding, and what this run added."""

    cases: int = 0
    seizures: int = 0
    firearms: int = 0
    new_cases: int = 0
    new_seizures: int = 0
    new_firearms: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"Demo data: {self.cases} cases, {self.seizures} seizures, {self.firearms} firearms"


def _weighted(rng: random.Random, choices) -> str:
    names, weights = zip(*choices)
    return rng.choices(names, weights)[0]


def _owner(rng: random.Random, state: str) -> str:
    if state in STATE_AGENCIES and rng.random() < STATE_SHARE:
        return STATE_AGENCIES[state]
    return _weighted(rng, FEDERAL_OWNERS)


def _seizer(rng: random.Random, owner: str) -> str:
    return _weighted(rng, SEIZERS.get(owner, ((owner, .6), ("SEDENA", .2), ("GN", .2))))


def demo_seizures(firearms: int, seed: int, investigations: dict[str, list[str]] | None = None):
    """(owning agency, rows) of each demo seizure, ``firearms`` rows in all."""
    investigations = investigations or {}
    states, weights = list(STATE_WEIGHTS), list(STATE_WEIGHTS.values())
    made, number = 0, 0
    while made < firearms:
        number += 1
        rng = random.Random(f"{PREFIX}:{seed}:{number}")
        state = rng.choices(states, weights)[0]
        owner = _owner(rng, state)
        seizure_ref = f"{PREFIX}-{seed}-{number:07d}"
        pool = investigations.get(owner) or []
        case_reference = rng.choice(pool) if pool and rng.random() < INVESTIGATION_SHARE else ""
        seizure = {"seizure_ref": seizure_ref, **seizure_values(rng, state), "agency": _seizer(rng, owner),
                   "case_reference": case_reference}
        size = min(seizure_size(rng), firearms - made)
        yield owner, [{"external_id": f"{seizure_ref}-{i + 1:02d}", **seizure, **_firearm(rng, seed, firearms)}
                      for i in range(size)]
        made += size


def _firearm(rng: random.Random, seed: int, firearms: int) -> dict[str, str]:
    """A firearm's columns: usually a firearm of its own, sometimes (``REPEAT_SHARE``) one of the
    demo's recurring firearms recovered again — written exactly, with a look-alike misread, or
    with a character left out — which the import links to its other recoveries."""
    if rng.random() >= REPEAT_SHARE:
        return firearm_values(rng)
    number = rng.randrange(max(4, firearms // REPEAT_POOL_DIVISOR))
    identity = random.Random(f"{PREFIX}:{seed}:recurring:{number}")
    row = firearm_values(identity)
    while row["serial_status"] != "intact" or not row["serial_number"]:
        row = firearm_values(identity)
    serial = row["serial_number"]
    variant = rng.random()
    if variant < .2:
        position = rng.randrange(len(serial))
        swapped = LOOKALIKE_SWAPS.get(serial[position].upper())
        if swapped:
            row["serial_number"] = serial[:position] + swapped + serial[position + 1:]
    elif variant < .3 and len(serial) > 6:
        position = rng.randrange(len(serial))
        row["serial_number"] = serial[:position] + serial[position + 1:]
    return row


def _investigations(officers: dict, firearms: int, seed: int, summary: DemoSummary) -> dict[str, list[str]]:
    """The demo's longer investigations per agency (found by carpeta number, or opened)."""
    per_agency = max(2, min(40, firearms // 150))
    found: dict[str, list[str]] = {}
    for acronym, officer in officers.items():
        for index in range(per_agency):
            carpeta = f"{PREFIX}/{acronym}/{seed}/{index + 1:03d}"
            case = db.session.scalar(select(Case).where(Case.carpeta_number == carpeta))
            if case is None:
                title, summary_text = INVESTIGATIONS[(index + len(acronym)) % len(INVESTIGATIONS)]
                case = create_case(officer, {"title": f"{title} ({acronym} {index + 1})",
                                             "summary": summary_text, "carpeta_number": carpeta})
                if index % 2 == 0:
                    case.status = "investigating"
                    record("case.transition", object_type="case", object_id=case.id, case_id=case.id,
                           actor=officer, details={"from": "open", "to": "investigating", "source": "demo"})
                summary.new_cases += 1
            found.setdefault(acronym, []).append(case.reference)
    db.session.commit()
    return found


def seed_seizures(firearms: int, seed: int) -> DemoSummary:
    """Create what is missing of ``firearms`` demo firearms (and their seizures and
    cases) for the seed; needs the demo accounts (``seed_accounts``)."""
    summary = DemoSummary()
    officers = {acronym: user_by_username(name) for acronym, name in OFFICERS.items()}
    officers = {acronym: user for acronym, user in officers.items() if user is not None and user.active}
    if firearms and officers:
        investigations = _investigations(officers, firearms, seed, summary)
        with tempfile.TemporaryDirectory(prefix="tracer-demo-") as folder:
            files = _write_files(Path(folder), firearms, seed, investigations, officers)
            for acronym, path in files.items():
                with path.open("rb") as stream:
                    report = import_seizures(officers[acronym], stream, source="seed-demo")
                summary.new_cases += report.cases
                summary.new_seizures += report.seizures
                summary.new_firearms += report.imported_rows
                summary.problems += [problem.describe() for problem in report.problems if problem.severity == "error"]
    _totals(summary)
    return summary


def _write_files(folder: Path, firearms: int, seed: int, investigations, officers) -> dict[str, Path]:
    """One CSV file per owning agency (streamed to disk: memory stays flat)."""
    handles, writers, paths = {}, {}, {}
    try:
        for owner, rows in demo_seizures(firearms, seed, investigations):
            owner = owner if owner in officers else next(iter(officers))
            if owner not in writers:
                paths[owner] = folder / f"{owner}.csv"
                handles[owner] = paths[owner].open("w", encoding="utf-8", newline="")
                writers[owner] = csv.DictWriter(handles[owner], fieldnames=COLUMNS + ("restored_serial",),
                                                lineterminator="\n")
                writers[owner].writeheader()
            if rows[0]["case_reference"] and rows[0]["case_reference"] not in investigations.get(owner, ()):
                rows = [{**row, "case_reference": ""} for row in rows]
            writers[owner].writerows(rows)
    finally:
        for handle in handles.values():
            handle.close()
    return paths


def _totals(summary: DemoSummary) -> None:
    demo = f"{PREFIX}-%"
    summary.firearms = db.session.scalar(select(func.count()).where(Firearm.external_id.like(demo)))
    seizures = select(Seizure).where(Seizure.seizure_ref.like(demo))
    summary.seizures = db.session.scalar(select(func.count()).select_from(seizures.subquery()))
    summary.cases = db.session.scalar(select(func.count()).select_from(Case).where(or_(
        Case.id.in_(select(Seizure.case_id).where(Seizure.seizure_ref.like(demo))),
        Case.carpeta_number.like(f"{PREFIX}/%"))))
