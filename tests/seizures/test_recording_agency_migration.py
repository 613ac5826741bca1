"""The revision that gives seizures and firearms their recording agency, on a SQLite file
that already holds seizures, firearms and custody entries (PostgreSQL runs the same
statements without rebuilding tables)."""
from __future__ import annotations

import sqlite3

import pytest

from tests.core.test_migrations import flask, head_revision

BEFORE = "5d6e7f8091a2"
ROWS = """
INSERT INTO agencies (id, name, acronym, level, active, created_at, updated_at) VALUES
  (1, 'FGR', 'FGR', 'federal', 1, '2025-01-01', '2025-01-01'),
  (2, 'SEDENA', 'SEDENA', 'federal', 1, '2025-01-01', '2025-01-01'),
  (3, 'FGE Sonora', 'FGE-SON', 'state', 1, '2025-01-01', '2025-01-01');
INSERT INTO users (id, username, full_name, role, agency_id, locale, password_hash, password_changed_at,
                   must_change_password, active, created_at, updated_at) VALUES
  (1, 'fgr', 'F', 'officer', 1, 'es', 'x', '2025-01-01', 0, 1, '2025-01-01', '2025-01-01'),
  (2, 'son', 'S', 'officer', 3, 'es', 'x', '2025-01-01', 0, 1, '2025-01-01', '2025-01-01');
INSERT INTO cases (id, reference, title, status, priority, owner_agency_id, version, created_at, updated_at) VALUES
  (1, 'TR-1', 'c1', 'open', 'normal', 1, 1, '2025-01-01', '2025-01-01'),
  (2, 'TR-2', 'c2', 'open', 'normal', 3, 1, '2025-01-01', '2025-01-01');
-- 1 and 2: an FGR officer recorded S-1 for the SEDENA and for the FGR; 3: S-1 of the FGE-SON;
-- 4: imported in the FGE-SON's name, without a user.
INSERT INTO seizures (id, case_id, agency_id, seized_on, state_code, coordinates_outside_state, magazines_count,
                      cartridges_count, seizure_ref, created_by_id, version, created_at, updated_at) VALUES
  (1, 1, 2, '2025-01-01', '26', 0, 0, 0, 'S-1', 1, 1, '2025-01-01', '2025-01-01'),
  (2, 1, 1, '2025-01-01', '26', 0, 0, 0, 'S-1', 1, 1, '2025-01-01', '2025-01-01'),
  (3, 2, 3, '2025-01-01', '26', 0, 0, 0, 'S-1', 2, 1, '2025-01-01', '2025-01-01'),
  (4, 2, 3, '2025-01-01', '26', 0, 0, 0, 'S-9', NULL, 1, '2025-01-01', '2025-01-01');
INSERT INTO firearms (id, seizure_id, case_id, agency_id, firearm_type, serial_normalized, serial_status,
                      converted_to_automatic, custody_status, version, created_at, updated_at, external_id) VALUES
  (1, 1, 1, 1, 'pistol', 'BXK1', 'intact', 0, 'seized', 1, '2025-01-01', '2025-01-01', 'E1'),
  (2, 2, 1, 1, 'pistol', 'BXK2', 'intact', 0, 'seized', 1, '2025-01-01', '2025-01-01', 'E2'),
  (3, 3, 2, 3, 'pistol', 'BXK3', 'intact', 0, 'seized', 1, '2025-01-01', '2025-01-01', 'E1'),
  (4, 4, 2, 3, 'pistol', 'QRT777999', 'intact', 0, 'seized', 1, '2025-01-01', '2025-01-01', 'E4');
INSERT INTO custody_events (id, firearm_id, event, occurred_at, recorded_at) VALUES
  (1, 1, 'seized', '2025-01-01', '2025-01-01'), (2, 4, 'seized', '2025-01-01', '2025-01-01');
"""


@pytest.fixture
def recorded(tmp_path):
    database = tmp_path / "recorded.db"
    flask(database, "db", "upgrade", BEFORE)
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(ROWS)
    return database


def test_rows_already_recorded_get_the_agency_that_recorded_them(recorded):
    flask(recorded, "db", "upgrade")
    with sqlite3.connect(recorded) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        seizures = connection.execute("SELECT id, recorded_by_agency_id FROM seizures ORDER BY id").fetchall()
        # The FGR keeps its own S-1; the one it recorded for the SEDENA stays with the SEDENA.
        assert seizures == [(1, 2), (2, 1), (3, 3), (4, 3)]
        firearms = connection.execute("SELECT id, recorded_by_agency_id FROM firearms ORDER BY id").fetchall()
        assert firearms == [(1, 2), (2, 1), (3, 3), (4, 3)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM custody_events").fetchone()[0] == 2
        # The substring index of serials still follows the firearms table.
        like = "SELECT rowid FROM firearm_serials_fts WHERE serial_normalized LIKE ?"
        assert connection.execute(like, ("%T777%",)).fetchall() == [(4,)]
        connection.execute("UPDATE firearms SET serial_normalized = 'ZZZ123' WHERE id = 4")
        assert connection.execute(like, ("%T777%",)).fetchall() == []
        # A reference is now unique within the recording agency, whoever seized.
        connection.execute("PRAGMA foreign_keys=ON")
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute("INSERT INTO seizures (case_id, agency_id, recorded_by_agency_id, seized_on, "
                               "state_code, coordinates_outside_state, magazines_count, cartridges_count, seizure_ref, "
                               "version, created_at, updated_at) VALUES (2, 2, 3, '2025-01-02', '26', 0, 0, 0, 'S-1', "
                               "1, '2025-01-01', '2025-01-01')")


def test_the_revision_is_undone_and_done_again_with_rows_that_refer_to_them(recorded):
    flask(recorded, "db", "upgrade")
    flask(recorded, "db", "downgrade", BEFORE)
    with sqlite3.connect(recorded) as connection:
        assert "recorded_by_agency_id" not in {row[1] for row in connection.execute("PRAGMA table_info(seizures)")}
        assert connection.execute("SELECT count(*) FROM firearms").fetchone()[0] == 4
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    flask(recorded, "db", "upgrade")
