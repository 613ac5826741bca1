"""The queries the bench times, drawn from the register: serials as recorded, serials
misread (look-alike characters), serials with one true edit as well (two neighbours swapped
among them), serials that are not there, partial fragments with ``?`` and ``*``, and
partial patterns of scattered known characters (``N?Y6?96``: four or more, never three in a
row), as read off a partly ground serial."""
from __future__ import annotations

import random

from sqlalchemy import text

from tracer.core.errors import ValidationFailed
from tracer.firearms.serials import LOOKALIKE_GROUPS, LOOKALIKE_REPRESENTATIVE
from tracer.search.query import parse_serial_query

ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_GROUP_OF = {char: sorted(group - {"O"}) for group in LOOKALIKE_GROUPS for char in group}


def _sample(rng: random.Random, count: int) -> list[tuple[int, str]]:
    """``count`` firearms picked at random: (id, the serial they are searched by)."""
    from tracer.extensions import db

    low, high = db.session.execute(text("SELECT min(id), max(id) FROM firearms")).one()
    ids = sorted(rng.sample(range(low, high + 1), count))
    rows = db.session.execute(text(
        "SELECT id, coalesce(restored_serial_normalized, serial_normalized) FROM firearms WHERE id = ANY(:ids)"),
        {"ids": ids}).all()
    return [(row_id, serial) for row_id, serial in rows if serial]


def _misread(rng: random.Random, serial: str, mistakes: int) -> str | None:
    positions = [i for i, char in enumerate(serial) if len(_GROUP_OF.get(char, ())) > 1]
    if len(positions) < mistakes:
        return None
    chars = list(serial)
    for position in rng.sample(positions, mistakes):
        chars[position] = rng.choice([c for c in _GROUP_OF[chars[position]] if c != chars[position]])
    return "".join(chars)


def _one_edit(rng: random.Random, serial: str) -> str:
    """``serial`` with one true edit: a character inserted, deleted, or replaced by one that
    does not look like it, or two neighbouring characters swapped."""
    position = rng.randrange(len(serial))
    old = serial[position]
    new = rng.choice([c for c in ALPHABET if LOOKALIKE_REPRESENTATIVE.get(c, c) != LOOKALIKE_REPRESENTATIVE.get(old, old)])
    edit = rng.choice(("insert", "delete", "substitute", "swap"))
    if edit == "swap":
        position = min(position, len(serial) - 2)
        return serial[:position] + serial[position + 1] + serial[position] + serial[position + 2:]
    if edit == "insert":
        return serial[:position] + new + serial[position:]
    if edit == "delete":
        return serial[:position] + serial[position + 1:]
    return serial[:position] + new + serial[position + 1:]


def _absent(rng: random.Random) -> str:
    return "".join(rng.choice("QWXYZ") for _ in range(2)) + "".join(rng.choice("0123456789") for _ in range(7))


def _fragment(rng: random.Random, serial: str) -> str:
    size = rng.randint(4, min(6, len(serial)))
    start = rng.randrange(len(serial) - size + 1)
    return serial[start:start + size]


def _pattern(rng: random.Random, serial: str) -> str:
    if rng.random() < 0.5:  # the start is legible, one character is not, the end is worn away
        keep = rng.randint(5, len(serial))
        chars = list(serial[:keep])
        chars[rng.randrange(1, keep - 1)] = "?"
        return "".join(chars) + "*"
    return "*" + serial[-rng.randint(4, min(6, len(serial))):]  # only the last characters are legible


def _scattered(rng: random.Random, serial: str) -> str | None:
    """``serial`` partly ground: some characters read, others not (``?``), at least four read
    and never three in a row; None when the serial is too short for that."""
    for _attempt in range(20):
        chars, run = [], 0
        for char in serial:
            if run < SCATTERED_RUN - 1 and rng.random() < 0.7:
                chars.append(char)
                run += 1
            else:
                chars.append("?")
                run = 0
        if sum(char != "?" for char in chars) >= SCATTERED_KNOWN:
            return "".join(chars)
    return None


# The groups of the table: {group: the mode its queries are searched in}.
GROUPS = {"exact": "exact", "partial": "partial", "partial, scattered": "partial", "fuzzy": "fuzzy"}
SCATTERED_RUN, SCATTERED_KNOWN = 3, 4


def make_queries(seed: int, per_mode: int) -> dict[str, list[tuple[str, object, int | None]]]:
    """{group: [(kind, SerialQuery, firearm id it must find or None)]}, ``per_mode`` each."""
    rng = random.Random(seed)
    picked = _sample(rng, per_mode * 3)
    # Its own generator: the other groups' queries stay those of a seed, scattered ones or not.
    grinding = random.Random(seed + 1)
    queries: dict[str, list] = {group: [] for group in GROUPS}

    def add(group: str, kind: str, typed: str | None, source: int | None) -> None:
        if typed is None:
            return
        try:
            query = parse_serial_query(typed, GROUPS[group])
        except ValidationFailed:
            return  # e.g. a fragment of look-alikes only: the page would refuse it too
        if query is not None:
            queries[group].append((kind, query, source))

    quarter = per_mode // 4
    for number, (firearm_id, serial) in enumerate(picked):
        band = number % 3
        if band == 0:
            add("exact", "present", serial, firearm_id)
            add("fuzzy", "present", serial, firearm_id)
        elif band == 1:
            add("fuzzy", "two look-alike mistakes", _misread(rng, serial, 2), firearm_id)
            if len(serial) >= 6:
                misread = _misread(rng, serial, 1) or serial
                add("fuzzy", "one true edit and a look-alike", _one_edit(rng, misread), firearm_id)
            add("partial", "fragment", _fragment(rng, serial), firearm_id)
        else:
            add("partial", "pattern with ? and *", _pattern(rng, serial), firearm_id)
        add("partial, scattered", "partly ground", _scattered(grinding, serial), firearm_id)
    for _ in range(quarter):
        add("exact", "absent", _absent(rng), None)
        add("fuzzy", "absent", _absent(rng), None)
        add("partial", "absent fragment", "*" + _absent(rng)[-6:] + "*", None)
        add("partial, scattered", "absent, partly ground", _scattered(grinding, _absent(grinding)), None)
    for mode in queries:
        rng.shuffle(queries[mode])
        queries[mode] = queries[mode][:per_mode]
    return queries
