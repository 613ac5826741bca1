"""The revision that stores the seizure's custody note as a code and marks the entries of
seizures recorded without a time, on a SQLite file that already holds them."""
from __future__ import annotations

import sqlite3

import pytest

from tests.core.test_migrations import flask, head_revision

BEFORE = "b8c3d5e7f9a1"
ROWS = """
INSERT INTO agencies (id, name, acronym, level, active, created_at, updated_at) VALUES
  (1, 'FGE Sonora', 'FGE-SON', 'state', 1, '2025-01-01', '2025-01-01');
INSERT INTO cases (id, reference, title, status, priority, owner_agency_id, version, created_at, updated_at) VALUES
  (1, 'TR-1', 'c1', 'open', 'normal', 1, 1, '2025-01-01', '2025-01-01');
-- 1: seized at 10:30; 2: no time recorded.
INSERT INTO seizures (id, case_id, agency_id, recorded_by_agency_id, seized_on, seized_time, state_code,
                      coordinates_outside_state, magazines_count, cartridges_count, seizure_ref, version,
                      created_at, updated_at) VALUES
  (1, 1, 1, 1, '2025-01-01', '10:30:00.000000', '26', 0, 0, 0, 'S-1', 1, '2025-01-01', '2025-01-01'),
  (2, 1, 1, 1, '2025-01-02', NULL, '26', 0, 0, 0, 'S-2', 1, '2025-01-01', '2025-01-01');
INSERT INTO firearms (id, seizure_id, case_id, agency_id, recorded_by_agency_id, firearm_type, serial_normalized,
                      serial_status, converted_to_automatic, custody_status, trace_ready, version, created_at,
                      updated_at) VALUES
  (1, 1, 1, 1, 1, 'pistol', 'BXK1', 'intact', 0, 'seized', 0, 1, '2025-01-01', '2025-01-01'),
  (2, 2, 1, 1, 1, 'pistol', 'BXK2', 'intact', 0, 'seized', 0, 1, '2025-01-01', '2025-01-01');
INSERT INTO custody_events (id, firearm_id, event, occurred_at, notes, recorded_at) VALUES
  (1, 1, 'seized', '2025-01-01 16:30:00', 'Registrado junto con el aseguramiento.', '2025-01-01'),
  (2, 2, 'seized', '2025-01-02 06:00:00', 'Recorded with the seizure.', '2025-01-01'),
  (3, 2, 'packaged', '2025-01-02 08:00:00', 'Sellado en bolsa 4.', '2025-01-01');
"""
STORED = "SELECT id, note_code, notes, time_recorded FROM custody_events ORDER BY id"


@pytest.fixture
def recorded(tmp_path):
    database = tmp_path / "recorded.db"
    flask(database, "db", "upgrade", BEFORE)
    with sqlite3.connect(database) as connection:
        connection.executescript(ROWS)
    return database


def test_stored_notes_become_codes_and_untimed_seizures_are_marked(recorded):
    flask(recorded, "db", "upgrade")
    with sqlite3.connect(recorded) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        assert connection.execute(STORED).fetchall() == [
            (1, "recorded_with_seizure", None, 1),
            (2, "recorded_with_seizure", None, 0),
            (3, None, "Sellado en bolsa 4.", 1),  # what a person typed stays as typed
        ]
        # The chain is append-only again.
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE custody_events SET notes = 'x'")


def test_the_revision_is_undone_with_the_words_back(recorded):
    flask(recorded, "db", "upgrade")
    flask(recorded, "db", "downgrade", BEFORE)
    with sqlite3.connect(recorded) as connection:
        notes = connection.execute("SELECT notes FROM custody_events ORDER BY id").fetchall()
        assert notes == [("Registrado junto con el aseguramiento.",)] * 2 + [("Sellado en bolsa 4.",)]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute("UPDATE custody_events SET notes = 'x'")
