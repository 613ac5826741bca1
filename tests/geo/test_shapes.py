"""Which state a point lies in, from the shipped state outlines."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracer.geo.shapes import in_mexico, point_in_state, state_of_point

DATA = Path(__file__).resolve().parents[2] / "tracer" / "geo" / "data"

# The reference points of the data's README (INEGI seats).
REFERENCE_POINTS = [
    ("Tijuana", 32.53246, -117.01891, "02"),
    ("Heroica Nogales", 31.32590, -110.94579, "26"),
    ("Culiacán Rosales", 24.80881, -107.39376, "25"),
    ("Reynosa", 26.09235, -98.27813, "28"),
    ("Juárez", 31.74647, -106.48502, "08"),
]


@pytest.mark.parametrize("name, lat, lon, state", REFERENCE_POINTS)
def test_reference_points_lie_in_their_state(name, lat, lon, state):
    assert state_of_point(lat, lon) == state
    assert point_in_state(lat, lon, state)
    assert point_in_state(lat, lon, int(state))  # a code given as a number
    assert not point_in_state(lat, lon, "14")
    assert in_mexico(lat, lon)


@pytest.mark.parametrize("where, lat, lon", [
    ("Gulf of Mexico", 25.0, -92.0),
    ("Pacific, off Sinaloa", 22.0, -109.0),
    ("Houston, Texas", 29.76328, -95.36327),
    ("El Paso, Texas, across from Juárez", 31.7587, -106.4869),
    ("San Diego, California", 32.7157, -117.1611),
    ("Guatemala City", 14.6349, -90.5069),
])
def test_points_outside_mexico(where, lat, lon):
    assert state_of_point(lat, lon) is None
    assert not in_mexico(lat, lon)
    assert not point_in_state(lat, lon, "02")


def test_islands_are_in_their_state():
    assert state_of_point(20.42, -86.92) == "23"  # Cozumel
    assert state_of_point(29.03, -118.28) == "02"  # Isla Guadalupe


def test_a_hole_is_outside():
    # The estuary near Guaymas that INEGI leaves out of Sonora is an interior ring of its outline.
    assert point_in_state(27.9, -110.95, "26")  # the land just beside it
    assert not point_in_state(27.96792, -110.867445, "26")
    assert state_of_point(27.96792, -110.867445) is None


@pytest.mark.parametrize("lat, lon", [(None, None), ("north", "-100"), (float("nan"), -100.0), (95, -100),
                                      (25, -200), (float("inf"), 0)])
def test_nonsense_points_are_nowhere(lat, lon):
    assert state_of_point(lat, lon) is None
    assert not in_mexico(lat, lon)
    assert not point_in_state(lat, lon, "26")


def test_unknown_state_codes():
    assert not point_in_state(32.53246, -117.01891, "99")
    assert not point_in_state(32.53246, -117.01891, None)


def test_every_municipality_seat_lies_in_its_state():
    with open(DATA / "mx_municipalities.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    wrong = [row["cvegeo"] for row in rows
             if state_of_point(float(row["latitude"]), float(row["longitude"])) != row["state_code"]]
    assert wrong == []
