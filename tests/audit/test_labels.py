"""Every action code the code records has a readable label and a kind.

The codes are found in the source: ``record("code", …)`` (also ``record("a" if x
else "b", …)``), ``record(NAME, …)`` with ``NAME = "code"`` in the same file, and
events queued as ``append(("code", {...}))`` for a later ``record``. A room that
adds a code adds one line to ``tracer/audit/labels.py``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracer.audit.labels import ACCOUNT, ACCOUNT_ACTIONS, ACTIONS, CASE, action_label

SOURCE = Path(__file__).resolve().parents[2] / "tracer"
CALL = re.compile(r"(?<![\w.])record\(\s*([^,)]*)")
STRING = re.compile(r"\"([a-z_]+(?:\.[a-z_]+)*)\"")
CONSTANT = re.compile(r"^([A-Z_]+)\s*=\s*\"([a-z_]+(?:\.[a-z_]+)*)\"", re.M)
QUEUED = re.compile(r"append\(\(\s*\"([a-z_]+\.[a-z_]+)\"")


def recorded_codes() -> dict[str, str]:
    """Every action code written in tracer/, with where it is written."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        constants = dict(CONSTANT.findall(text))
        where = str(path.relative_to(SOURCE.parent))
        for match in CALL.finditer(text):
            if text[max(0, match.start() - 4):match.start()] == "def ":
                continue
            argument = match.group(1)
            for code in STRING.findall(argument):
                found.setdefault(code, where)
            for name in re.findall(r"\b[A-Z][A-Z_]+\b", argument):  # NAME, or A if x else B
                if name in constants:
                    found.setdefault(constants[name], where)
        for code in QUEUED.findall(text):
            found.setdefault(code, where)
    return found


def test_the_scan_finds_the_codes_it_should():
    codes = recorded_codes()
    # A literal, a conditional, a constant and a queued event.
    assert {"login", "agency.permission_change", "agency.update", "firearm_link.decide", "seizure.update"} <= set(codes)
    assert len(codes) >= 40


def test_every_recorded_action_has_a_label():
    missing = {code: where for code, where in recorded_codes().items() if code not in ACTIONS}
    assert missing == {}, "add a line for each to ACTIONS in tracer/audit/labels.py"


def test_every_label_names_a_recorded_action():
    assert set(ACTIONS) - set(recorded_codes()) == set(), "labels of codes no longer recorded"


@pytest.mark.parametrize("code", sorted(ACTIONS))
def test_each_action_has_a_kind_and_a_label(code, app):
    assert ACTIONS[code].kind in (ACCOUNT, CASE)
    with app.test_request_context():
        assert action_label(code) and action_label(code) != code


def test_administrators_read_no_case_work():
    case_rooms = ("case.", "seizure.", "firearm", "custody.", "attachment.", "search.", "trace_request.",
                  "import.", "personal_data.")
    assert not [code for code in ACCOUNT_ACTIONS if code.startswith(case_rooms)]
    assert {"login", "logout", "user.create", "agency.create", "api_token.create", "user.mfa_reset",
            "reference.load", "manufacturer.create"} <= ACCOUNT_ACTIONS


def test_an_unknown_code_shows_as_itself(app):
    with app.test_request_context():
        assert action_label("room.new_thing") == "room.new_thing"
        assert action_label(None) == ""
