"""What an import keeps in its scratch database comes back as it went in, of every type a checked
row holds, and reading it back runs no code whatever the blob says."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum

import pytest

from tracer.core.scratch import dump, load


class Colour(str, Enum):
    RED = "red"


def test_a_row_of_plain_values_comes_back_equal():
    row = {"firearm_type": "pistol", "manufacturer_id": 15, "latitude": 19.29349, "converted": False,
           "notes": None, "external_id": "SAMPLE-1-0000001-01", "modelo": "Glock 19 «Gen 5»"}
    assert load(dump(row)) == row


@pytest.mark.parametrize("value", [
    {"seized_on": date(2019, 1, 21), "seized_time": time(14, 30), "at": datetime(2026, 3, 1, 8, tzinfo=timezone.utc)},
    {"amount": Decimal("12.50"), "pair": (1, "a"), "seen": {3, 4}, "frozen": frozenset({"x"})},
    {1: "a key that is no string", "nested": [{"day": date(2020, 2, 29)}, [(1, 2)]]},
    {"$t": "a field named like the tag", "v": 1},
    [date(2024, 1, 1), None, [Decimal("1")]],
])
def test_every_kept_type_comes_back_as_itself(value):
    back = load(dump(value))
    assert back == value
    assert type(back) is type(value)


def test_a_subclass_of_a_plain_type_is_kept_as_its_value():
    assert load(dump({"colour": Colour.RED})) == {"colour": "red"}


def test_a_value_the_scratch_cannot_keep_is_refused():
    with pytest.raises(TypeError):
        dump({"callback": print})


def test_a_blob_that_names_no_known_type_runs_nothing():
    with pytest.raises(KeyError):
        load(b'{"$t": "eval", "v": "__import__(\'os\').system(\'true\')"}')
