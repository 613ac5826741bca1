"""The serial search keys stay current on every way a firearm is written, and the
migration that adds them fills them for the firearms already recorded."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from tests import factories
from tests.core.test_migrations import flask, head_revision
from tests.seizures.import_helpers import officer, row, run
from tracer.extensions import db
from tracer.firearms import services
from tracer.firearms.models import Firearm
from tracer.firearms.serials import pattern_grams, position_grams, serial_search_keys

BXK1Z3456_GRAMS = ("u9x0xb a9x0xbx g9x0xbk u9x1xx a9x1xxk g9x1xx1 u9x2xk a9x2xk1 g9x2xkz u9x3x1 a9x3x1z g9x3x13 "
                   "u9x4xz a9x4xz3 g9x4xz4 u9x5x3 a9x5x34 g9x5x35 u9x6x4 a9x6x45 g9x6x46 u9x7x5 a9x7x56 u9x8x6")
from tracer.search.matches import find_serial_matches

PREVIOUS_REVISION = "1a80daf62bce"


def keys(firearm: Firearm) -> tuple:
    db.session.flush()
    db.session.refresh(firearm)
    return firearm.serial_skeleton, firearm.serial_skeleton_reversed, firearm.serial_digits


def test_the_keys_of_a_serial():
    assert serial_search_keys("BXK1Z3456", None) == {
        "serial_skeleton": "8XK123456", "serial_skeleton_reversed": "654321KX8", "serial_digits": "13456",
        "serial_positions": BXK1Z3456_GRAMS}
    # The restored serial is the firearm's number; the visible one is a remnant.
    assert serial_search_keys("AB", "SGD0V7")["serial_skeleton"] == "5600U1"
    assert serial_search_keys("ABCDEF", None)["serial_digits"] is None
    assert serial_search_keys(None, None) == {"serial_skeleton": None, "serial_skeleton_reversed": None,
                                              "serial_digits": None, "serial_positions": None}


def test_the_position_grams_of_a_serial():
    """Length, position (from 0) and the character; two neighbours; two characters one apart."""
    assert serial_search_keys("N3Y649", None)["serial_positions"] == (
        "u6x0xn a6x0xn3 g6x0xny u6x1x3 a6x1x3y g6x1x36 u6x2xy a6x2xy6 g6x2xy4 u6x3x6 a6x3x64 g6x3x69 "
        "u6x4x4 a6x4x49 u6x5x9")
    # Both serials, each once; none without a serial.
    assert serial_search_keys("AB", "SGD")["serial_positions"] == "u2x0xa a2x0xab u2x1xb u3x0xs a3x0xsg g3x0xsd " \
        "u3x1xg a3x1xgd u3x2xd"
    assert serial_search_keys("AB", "AB")["serial_positions"] == "u2x0xa a2x0xab u2x1xb"
    assert serial_search_keys(None, "AB")["serial_positions"] == "u2x0xa a2x0xab u2x1xb"
    assert serial_search_keys("A" * 64, None)["serial_positions"].endswith("g64x61xaa u64x62xa a64x62xaa u64x63xa")


def test_a_pattern_asks_for_its_pairs_and_its_lone_characters():
    assert pattern_grams("N?Y6?96") == ["g7x0xny", "a7x2xy6", "g7x3x69", "a7x5x96"]
    assert pattern_grams("A??B??C??D") == ["u10x0xa", "u10x3xb", "u10x6xc", "u10x9xd"]
    assert pattern_grams("AB???C") == ["a6x0xab", "u6x5xc"]


def test_a_firearm_recorded_on_the_form_gets_its_keys(ctx, reference_data):
    firearm = factories.firearm(serial_number="bxk-1z3456")
    assert keys(firearm) == ("8XK123456", "654321KX8", "13456")


def test_a_corrected_serial_changes_its_keys_and_the_substring_index(ctx, reference_data):
    firearm = factories.firearm(serial_number="BXK1Z3456")
    user = factories.user("officer", firearm.case.owner_agency)
    services.update_firearm(user, firearm, {"serial_number": "QRT-777999"}, firearm.version)
    assert keys(firearm) == ("0RT111999", "999111TR0", "777999")
    assert [m.firearm_id for m in find_serial_matches("T777", "partial")] == [firearm.id]
    assert find_serial_matches("XK1Z3", "partial") == []
    assert [m.firearm_id for m in find_serial_matches("Q?T?7?9?9", "partial")] == [firearm.id]
    assert find_serial_matches("B?K?Z?4?6", "partial") == []
    # Another change leaves the serial, and what finds it, as they were.
    services.update_firearm(user, firearm, {"model": "17"}, firearm.version)
    db.session.flush()
    assert [m.firearm_id for m in find_serial_matches("Q?T?7?9?9", "partial")] == [firearm.id]
    services.update_firearm(user, firearm, {"serial_status": "restored", "restored_serial": "RST-90210",
                                            "serial_number": ""}, firearm.version)
    assert keys(firearm) == ("R5T90210", "01209T5R", "90210")
    assert [m.match for m in find_serial_matches("R5T9021O")] == ["lookalike"]


def test_imported_firearms_get_their_keys(ctx, reference_data):
    user = officer()
    report = run(user, [row("K-1", serial_number="bxk 1z3456"), row("K-2", serial_number="ZZ-0190")])
    assert (report.outcome, report.imported_rows) == ("imported", 2), report.problems
    stored = dict(db.session.execute(select(Firearm.external_id, Firearm.serial_skeleton)).all())
    assert stored == {"K-1": "8XK123456", "K-2": "220190"}
    found = find_serial_matches("8XK123456")
    assert [m.match for m in found] == ["lookalike"]
    assert len(find_serial_matches("Z019", "partial")) == 1


@pytest.fixture
def old_database(tmp_path):
    database = tmp_path / "before.db"
    flask(database, "db", "upgrade", PREVIOUS_REVISION)
    # Firearms alone: the backfill reads nothing else (foreign keys are off on a bare sqlite3 connection).
    with sqlite3.connect(database) as connection:
        for firearm_id, serial, restored in ((1, "BXK1Z3456", None), (2, "AB", "SGD0V7"), (3, None, None)):
            connection.execute(
                "INSERT INTO firearms (id, seizure_id, case_id, agency_id, firearm_type, serial_normalized, "
                "restored_serial_normalized, serial_status, converted_to_automatic, custody_status, version, "
                "created_at, updated_at) VALUES (?, 1, 1, 1, 'pistol', ?, ?, 'intact', 0, 'seized', 1, "
                "'2025-01-01', '2025-01-01')", (firearm_id, serial, restored))
    return database


def test_the_migration_fills_the_keys_of_recorded_firearms(old_database):
    flask(old_database, "db", "upgrade")
    with sqlite3.connect(old_database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
        rows = connection.execute("SELECT id, serial_skeleton, serial_skeleton_reversed, serial_digits, "
                                  "serial_positions FROM firearms ORDER BY id").fetchall()
        assert rows == [(1, "8XK123456", "654321KX8", "13456", BXK1Z3456_GRAMS),
                        (2, "5600U1", "1U0065", "07", "u2x0xa a2x0xab u2x1xb " + " ".join(position_grams("SGD0V7"))),
                        (3, None, None, None, None)]
        # So does the index of position grams: B??1??4 on nine characters, S?D0 on six.
        grams = "SELECT rowid FROM firearm_serials_fts_grams WHERE firearm_serials_fts_grams MATCH ?"
        assert connection.execute(grams, ("u9x0xb u9x3x1 u9x6x4",)).fetchall() == [(1,)]
        assert connection.execute(grams, ("u8x0xb u8x3x1 u8x6x4",)).fetchall() == []
        assert connection.execute(grams, ("g6x0xsd a6x2xd0",)).fetchall() == [(2,)]
        connection.execute("UPDATE firearms SET serial_positions = 'u2x0xq' WHERE id = 2")
        assert connection.execute(grams, ("g6x0xsd a6x2xd0",)).fetchall() == []
        assert connection.execute(grams, ("u2x0xq",)).fetchall() == [(2,)]
        # The substring index holds the firearms already there, and follows later changes.
        like = "SELECT rowid FROM firearm_serials_fts WHERE serial_normalized LIKE ?"
        assert connection.execute(like, ("%K1Z3%",)).fetchall() == [(1,)]
        connection.execute("UPDATE firearms SET serial_normalized = 'QRT777999' WHERE id = 1")
        assert connection.execute(like, ("%K1Z3%",)).fetchall() == []
        assert connection.execute(like, ("%T777%",)).fetchall() == [(1,)]


def test_the_migration_is_undone_with_firearms_that_other_records_refer_to(tmp_path):
    database = tmp_path / "linked.db"
    flask(database, "db", "upgrade")
    with sqlite3.connect(database) as connection:
        for firearm_id, serial in ((1, "BXK1Z3456"), (2, "8XK123456")):
            connection.execute(
                "INSERT INTO firearms (id, seizure_id, case_id, agency_id, firearm_type, serial_normalized, "
                "serial_status, converted_to_automatic, custody_status, version, created_at, updated_at) "
                "VALUES (?, 1, 1, 1, 'pistol', ?, 'intact', 0, 'seized', 1, '2025-01-01', '2025-01-01')",
                (firearm_id, serial))
        connection.execute("INSERT INTO firearm_links (firearm_id, other_firearm_id, match, score, status, "
                           "detected_at, version) VALUES (2, 1, 'lookalike', 0.9, 'possible', '2025-01-01', 1)")
    flask(database, "db", "downgrade", PREVIOUS_REVISION)
    with sqlite3.connect(database) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(firearms)")}
        assert not columns & {"serial_skeleton", "serial_skeleton_reversed", "serial_digits", "serial_positions"}
        assert connection.execute("SELECT count(*) FROM firearm_links").fetchone()[0] == 1
    flask(database, "db", "upgrade")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT serial_skeleton FROM firearms ORDER BY id").fetchall() == [
            ("8XK123456",), ("8XK123456",)]
