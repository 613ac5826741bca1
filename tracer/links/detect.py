"""Possible same firearm: finding recorded firearms whose identity matches a new one.

The identity of a firearm is manufacturer + model + caliber + serial (SPEC §3),
and the same firearm may be recovered again, by another agency, in another
state. When a firearm is recorded its identity is compared with every firearm
already recorded — system-wide, whatever the recording user may see, since the
point is to find the same gun in another agency's case — and each match becomes
a ``FirearmLink`` (status ``possible``) for an analyst to confirm or dismiss.

How a pair is judged:

- Manufacturer: the same reference row. When the maker is unknown (text that
  names no reference row) the folded texts must be equal; a firearm with no
  maker at all is not compared (the same serial under different makers is a
  different firearm, so a serial alone proves nothing).
- Serial (the engraved one and the restored one, either side): ``exact``,
  ``lookalike`` (differs only by characters taken for one another),
  ``edit`` (one true insertion, deletion or substitution) or
  ``letters_ignored`` (equal once letters are dropped), as the serial search
  ranks them (``search.ranking.rank_fuzzy``: one edit on serials of six
  characters or more, letters ignored with five digits or more). Letters ignored
  links only serials whose letters differ by letters left out (369J257, 369257):
  the same digits under other letters (AB12345, XY12345) are another series of
  the maker, not a misreading. A one-edit pair whose only true difference is
  one digit for another digit is *not* linked: that is how consecutive serials
  differ, and consecutive serials are distinct firearms of one production run,
  often bought together by one straw purchaser and recovered together.
- Two firearms of one seizure are not linked: one seizure does not recover the
  same firearm twice.
- Whether a pair is linked depends on the maker and the serials only, never on model
  or caliber: a link is also how another agency learns that a record of theirs
  matches (SPEC §2, deconfliction), and nothing it is told may change with the hidden
  record's model or caliber. Model and caliber weigh on the score, which only a reader
  who may see both firearms is shown, and by which analysts sort their work:
- Caliber: two different reference calibers make the pair unlikely (x0.3): the same
  serial in another caliber is usually another firearm, sometimes a caliber written
  wrong. A caliber missing on one side, or known on one side only, lowers the score
  (x0.85); two unknown calibers written differently lower it more (x0.7), since
  unlisted calibers are not normalised and may be one cartridge written two ways.
- Model: compared folded, and "17" agrees with "G17 Gen 4" (one contains the other),
  since officers write models with and without series and generation. A model missing
  on one side lowers the score (x0.9); two different models lower it (x0.6): a model
  is the identifier most often misread or written from memory.

The score is the serial kind's weight (exact 1.0, lookalike 0.9, one edit 0.7,
letters ignored 0.6) times the model and caliber factors. A link joins the newer record (``firearm_id``) to
the older one, so each pair is stored once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import insert, select, tuple_

from tracer.audit.services import record
from tracer.core.value_lists import among
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.reference import fold_key
from tracer.firearms.serials import LOOKALIKE_REPRESENTATIVE
from tracer.links.models import LINK_MATCHES, FirearmLink
from tracer.search.matches import find_serial_matches

KIND_WEIGHTS = {"exact": 1.0, "lookalike": 0.9, "edit": 0.7, "letters_ignored": 0.6}
MODEL_MISSING, MODEL_DIFFERENT = 0.9, 0.6
CALIBER_UNCERTAIN, CALIBER_UNLISTED_DIFFERENT, CALIBER_DIFFERENT = 0.85, 0.7, 0.3
# Candidates asked of the serial search per serial; a serial shared by more firearms
# than this is a placeholder ("000000", "SN") rather than an identity.
SEARCH_LIMIT = 50
DETECTED = "firearm_link.detect"


@dataclass(frozen=True)
class Identity:
    """What a firearm's identity is compared on, folded once."""

    id: int
    seizure_id: int
    case_id: int
    manufacturer_id: int | None
    maker_key: str
    model_key: str
    caliber_id: int | None
    caliber_key: str
    serials: tuple[str, ...]

    @classmethod
    def of(cls, row: Any) -> "Identity":
        """From a ``Firearm`` or a row with the columns of ``IDENTITY_COLUMNS``."""
        serials = tuple(dict.fromkeys(s for s in (row.serial_normalized, row.restored_serial_normalized) if s))
        return cls(row.id, row.seizure_id, row.case_id, row.manufacturer_id,
                   "" if row.manufacturer_id else fold_key(row.manufacturer_text or ""),
                   fold_key(row.model or ""), row.caliber_id,
                   "" if row.caliber_id else fold_key(row.caliber_text or ""), serials)

    @property
    def comparable(self) -> bool:
        return bool(self.serials) and bool(self.manufacturer_id or self.maker_key)


IDENTITY_COLUMNS = (Firearm.id, Firearm.seizure_id, Firearm.case_id, Firearm.manufacturer_id,
                    Firearm.manufacturer_text, Firearm.model, Firearm.caliber_id, Firearm.caliber_text,
                    Firearm.serial_normalized, Firearm.restored_serial_normalized)


def _identities(ids: Iterable[int]) -> dict[int, Identity]:
    found: dict[int, Identity] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        rows = db.session.execute(select(*IDENTITY_COLUMNS).where(among(Firearm.id, ids[start:start + 500])))
        found.update((row.id, Identity.of(row)) for row in rows)
    return found


# --- judging one pair ---------------------------------------------------------------------------------


def _same_maker(new: Identity, other: Identity) -> bool:
    if new.manufacturer_id or other.manufacturer_id:
        return new.manufacturer_id == other.manufacturer_id
    return bool(new.maker_key) and new.maker_key == other.maker_key


def caliber_factor(new: Identity, other: Identity) -> float:
    """How the calibers weigh on the pair."""
    if new.caliber_id and other.caliber_id:
        return 1.0 if new.caliber_id == other.caliber_id else CALIBER_DIFFERENT
    if new.caliber_key and other.caliber_key:
        return 1.0 if new.caliber_key == other.caliber_key else CALIBER_UNLISTED_DIFFERENT
    return CALIBER_UNCERTAIN


def model_factor(new: Identity, other: Identity) -> float:
    a, b = new.model_key, other.model_key
    if not a or not b:
        return MODEL_MISSING
    return 1.0 if a in b or b in a else MODEL_DIFFERENT


def _same_character(a: str, b: str) -> bool:
    return LOOKALIKE_REPRESENTATIVE.get(a, a) == LOOKALIKE_REPRESENTATIVE.get(b, b)


def consecutive_serials(a: str, b: str) -> bool:
    """Two serials of one length whose only true difference (look-alikes aside) is one
    digit for another digit: neighbours of one production run, not one misread serial."""
    if len(a) != len(b):
        return False
    differing = [(x, y) for x, y in zip(a, b) if not _same_character(x, y)]
    return len(differing) == 1 and differing[0][0].isdigit() and differing[0][1].isdigit()


def _subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(char in rest for char in short)


def letters_dropped(a: str, b: str) -> bool:
    """Two serials with the same digits whose letters differ only by letters left out of one
    of them (369J257 and 369257): a letter missed, not another series (AB12345, XY12345)."""
    letters_a, letters_b = (re.sub(r"[^A-Z]", "", serial) for serial in (a, b))
    return _subsequence(letters_a, letters_b) or _subsequence(letters_b, letters_a)


def _kind_allowed(match: str, new: Identity, other: Identity) -> bool:
    pairs = [(a, b) for a in new.serials for b in other.serials]
    if match == "edit":
        return not any(consecutive_serials(a, b) for a, b in pairs)
    if match == "letters_ignored":
        return any(letters_dropped(a, b) for a, b in pairs)
    return True


def pair_score(new: Identity, other: Identity, match: str) -> float | None:
    """The score of a possible link between ``new`` and ``other`` whose serials match as
    ``match``; None when the pair is not a possible same firearm (see the module docstring)."""
    if match not in KIND_WEIGHTS or new.id == other.id or new.seizure_id == other.seizure_id:
        return None
    if not _same_maker(new, other) or not _kind_allowed(match, new, other):
        return None
    return round(KIND_WEIGHTS[match] * model_factor(new, other) * caliber_factor(new, other), 3)


# --- finding and recording ----------------------------------------------------------------------------


def _pair(a: int, b: int) -> tuple[int, int]:
    """(newer, older): the order a link is stored in."""
    return (a, b) if a > b else (b, a)


def _existing(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    pairs_list = sorted(pairs)
    for start in range(0, len(pairs_list), 400):
        chunk = pairs_list[start:start + 400]
        found.update(db.session.execute(select(FirearmLink.firearm_id, FirearmLink.other_firearm_id).where(
            tuple_(FirearmLink.firearm_id, FirearmLink.other_firearm_id).in_(chunk))).tuples())
    return found


def _best(found: dict[tuple[int, int], tuple[str, float]], pair: tuple[int, int], match: str,
          score: float) -> None:
    if pair not in found or score > found[pair][1]:
        found[pair] = (match, score)


def record_links(found: dict[tuple[int, int], tuple[str, float]], case_of: dict[int, int],
                 actor=None, events: list | None = None) -> list[int]:
    """Write the pairs of ``found`` ((newer, older) → (match, score)) not linked yet, with a
    ``firearm_link.detect`` audit event each — recorded now, or appended to ``events`` as
    (action, fields) for a bulk writer that records its events itself. Returns the new link ids."""
    linked = _existing(set(found))
    fresh = {pair: value for pair, value in found.items() if pair not in linked}
    if not fresh:
        return []
    rows = [{"firearm_id": newer, "other_firearm_id": older, "match": match, "score": score,
             "status": "possible", "version": 1}
            for (newer, older), (match, score) in sorted(fresh.items())]
    table = FirearmLink.__table__
    db.session.execute(insert(table), rows)
    ids = dict(((f, o), i) for i, f, o in db.session.execute(
        select(table.c.id, table.c.firearm_id, table.c.other_firearm_id).where(
            tuple_(table.c.firearm_id, table.c.other_firearm_id).in_(list(fresh)))))
    created = []
    for row in rows:
        link_id = ids[(row["firearm_id"], row["other_firearm_id"])]
        created.append(link_id)
        fields = {"object_type": "firearm_link", "object_id": link_id, "case_id": case_of.get(row["firearm_id"]),
                  "details": {"firearm_id": row["firearm_id"], "other_firearm_id": row["other_firearm_id"],
                              "match": row["match"], "score": row["score"]}}
        if events is None:
            record(DETECTED, actor=actor, **fields)
        else:
            events.append((DETECTED, fields))
    return created


def detect_links(firearm: Firearm, actor=None) -> list[FirearmLink]:
    """Link ``firearm`` (just recorded, flushed) to every recorded firearm whose identity
    matches or nearly matches it, system-wide; audited. Returns the links created."""
    new = Identity.of(firearm)
    if not new.comparable:
        return []
    makers = {new.manufacturer_id} if new.manufacturer_id else None
    # An unknown maker is compared on its text after the search, so the search casts wider.
    limit = SEARCH_LIMIT if makers else SEARCH_LIMIT * 4
    hits: dict[int, str] = {}
    for serial in new.serials:
        for hit in find_serial_matches(serial, mode="fuzzy", manufacturer_ids=makers, limit=limit,
                                       exclude_firearm_id=firearm.id):
            if hit.match in LINK_MATCHES and (hit.firearm_id not in hits
                                              or KIND_WEIGHTS[hit.match] > KIND_WEIGHTS[hits[hit.firearm_id]]):
                hits[hit.firearm_id] = hit.match
    found: dict[tuple[int, int], tuple[str, float]] = {}
    for other in _identities(hits).values():
        score = pair_score(new, other, hits[other.id])
        if score is not None:
            _best(found, _pair(new.id, other.id), hits[other.id], score)
    ids = record_links(found, {firearm.id: firearm.case_id}, actor=actor)
    return list(db.session.scalars(select(FirearmLink).where(FirearmLink.id.in_(ids)).order_by(
        FirearmLink.score.desc(), FirearmLink.id))) if ids else []

