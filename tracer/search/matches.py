"""Serial-number search (SPEC §4): exact, partial and fuzzy, always through an index.

``find_serial_matches`` is the unscoped core: it runs a query's index lookups
(``search.lookups``), ranks what they return (``search.ranking``) and answers firearm
ids with why they matched, best first. ``search_serials`` (``search.scope``) puts the
user's scope on top: hits in scope with their firearm and case, restricted hits for
the rest. Keys and indexes are described in ``firearms.serials.serial_search_keys`` and
in the migration that creates them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.search.lookups import lookup
from tracer.search.query import MODES, SerialQuery
from tracer.search.ranking import Ranked, best, rank_fuzzy, rank_partial

MAX_LIMIT = 500
_QUERY_TEXT = re.compile(r"^[A-Z0-9?*]{1,64}$")


@dataclass(frozen=True)
class SerialMatch:
    """A firearm whose serial answers a query: ``match`` says why, ``score`` how well (1.0 = exact)."""

    firearm_id: int
    match: str  # "exact" | "lookalike" | "edit" | "letters_ignored" | "partial"
    score: float


def _checked(normalized: str, mode: str, limit: int) -> SerialQuery:
    if mode not in MODES:
        raise ValidationFailed(_("Unknown search mode: choose exact, partial or fuzzy."),
                               {"mode": [_("Unknown search mode: choose exact, partial or fuzzy.")]})
    if not isinstance(normalized, str) or not _QUERY_TEXT.match(normalized) or (
            mode != "partial" and ("?" in normalized or "*" in normalized)):
        message = _("Not a normalised serial number.")
        raise ValidationFailed(message, {"q": [message]})
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        message = _("The limit is a whole number from 1 to %(max)d.", max=MAX_LIMIT)
        raise ValidationFailed(message, {"limit": [message]})
    return SerialQuery(mode, normalized.replace("O", "0"))  # the normalised form writes O as 0


def find_serial_matches(normalized: str, mode: str = "fuzzy", manufacturer_ids: set[int] | None = None,
                        limit: int = 50, exclude_firearm_id: int | None = None) -> list[SerialMatch]:
    """Firearms whose serial (or restored serial) answers ``normalized``, best first, whoever owns them.

    ``normalized`` is a normalised serial (``normalize_serial``); in ``partial`` mode it may
    hold ``?`` (one unknown character) and ``*`` (any run). ``manufacturer_ids`` keeps the
    firearms of those makers only; ``exclude_firearm_id`` leaves one firearm out (the one
    being compared). Not scoped: callers showing results apply the user's scope
    (``search_serials``). Raises ``ValidationFailed`` for a mode, query or limit it cannot use.
    """
    query = _checked(normalized, mode, limit)
    if manufacturer_ids is not None and not manufacturer_ids:
        return []
    connection = db.session.connection()  # Core rows, in the session's transaction, without the ORM's layer
    statement, values = lookup(query, connection.dialect.name, manufacturer_ids, exclude_firearm_id, limit)
    return best_matches(rank_rows(query, connection.execute(statement, values)), limit)


def rank_rows(query: SerialQuery, rows: Iterable) -> dict[int, Ranked]:
    """How each candidate row (id, serial_normalized, restored_serial_normalized, …) answers
    ``query``, by firearm id; candidates that do not answer it are left out."""
    found: dict[int, Ranked] = {}
    regex = _pattern_regex(query) if query.mode == "partial" else None
    for firearm_id, serial, restored, *_rest in rows:
        if firearm_id in found:  # found by another lookup: the same serials, ranked already
            continue
        if regex is None:
            ranked = best(rank_fuzzy(query.text, serial), rank_fuzzy(query.text, restored))
            if query.mode == "exact" and ranked is not None and ranked.match != "exact":
                ranked = None
        else:
            ranked = best(*(rank_partial(query.text, value) for value in (serial, restored)
                            if value and regex.fullmatch(value)))
        if ranked is not None:
            found[firearm_id] = ranked
    return found


def best_matches(ranked: dict[int, Ranked], limit: int) -> list[SerialMatch]:
    """The ``limit`` best, highest score first, the newest firearm first among equals."""
    ordered = sorted(ranked.items(), key=lambda item: (-item[1].score, -item[0]))
    return [SerialMatch(firearm_id, match.match, match.score) for firearm_id, match in ordered[:limit]]


def _pattern_regex(query: SerialQuery) -> re.Pattern:
    if not query.has_wildcards:
        return re.compile(".*" + re.escape(query.text) + ".*")
    return re.compile("".join({"?": ".", "*": ".*"}.get(char, re.escape(char)) for char in query.text))
