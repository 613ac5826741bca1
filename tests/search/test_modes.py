"""The serial search's rules (SPEC §4), through the index-backed core ``find_serial_matches``."""
from __future__ import annotations

import pytest

from tests import factories
from tracer.core.errors import ValidationFailed
from tracer.extensions import db
from tracer.firearms.reference import resolve_manufacturer
from tracer.firearms.serials import lookalike_skeleton
from tracer.search.matches import find_serial_matches
from tracer.search.ranking import weighted_distance, within_one_edit


@pytest.fixture
def register(ctx, reference_data):
    """``register(*serials, manufacturer=...)`` records one firearm per serial; {serial: id}."""

    def record(*serials, manufacturer="Glock", **fields):
        firearms = factories.seizure(firearms=[factories.firearm_values(
            serial_number=serial, manufacturer=manufacturer, **fields) for serial in serials]).firearms
        db.session.flush()
        return {firearm.serial_number: firearm.id for firearm in firearms}

    return record


def kinds(matches) -> dict[int, str]:
    return {match.firearm_id: match.match for match in matches}


# --- exact -------------------------------------------------------------------------------------------


def test_exact_compares_normalised_serials(register):
    ids = register("GLK-123 456", "GLK123457", "6LK123456")
    found = find_serial_matches("GLK123456", "exact")
    assert [(m.firearm_id, m.match, m.score) for m in found] == [(ids["GLK-123 456"], "exact", 1.0)]


def test_exact_finds_a_restored_serial(register):
    ids = register("", serial_status="restored", restored_serial="RST-90210")
    assert kinds(find_serial_matches("RST90210", "exact")) == {ids[None]: "exact"}


def test_exact_runs_for_a_query_of_lookalikes_only(register):
    ids = register("0000", "OOOO1")
    assert kinds(find_serial_matches("0000", "exact")) == {ids["0000"]: "exact"}


# --- fuzzy: look-alikes, one true edit, letters ignored ----------------------------------------------


def test_lookalikes_rank_above_any_true_edit(register):
    ids = register("GLK123456", "6LKIZ3456", "GLK123457", "GLK12345", "8LK1Z3456")
    found = find_serial_matches("GLK123456")
    order = [m.firearm_id for m in found]
    assert found[0].firearm_id == ids["GLK123456"] and found[0].match == "exact" and found[0].score == 1.0
    # Three look-alike mistakes still rank above a single true edit.
    assert kinds(found)[ids["6LKIZ3456"]] == "lookalike"
    assert kinds(found)[ids["GLK123457"]] == "edit" and kinds(found)[ids["GLK12345"]] == "edit"
    assert order.index(ids["6LKIZ3456"]) < order.index(ids["GLK123457"])
    assert order.index(ids["6LKIZ3456"]) < order.index(ids["GLK12345"])
    scores = {m.firearm_id: m.score for m in found}
    assert scores[ids["6LKIZ3456"]] > scores[ids["GLK123457"]]
    # 8LK1Z3456 (a true edit G→8 and a look-alike 2→Z) ranks below the clean one-edit serial.
    assert kinds(found)[ids["8LK1Z3456"]] == "edit"
    assert scores[ids["GLK123457"]] > scores[ids["8LK1Z3456"]]


def test_fewer_lookalike_mistakes_rank_higher(register):
    ids = register("BXK1Z3", "8XK1Z3")
    found = find_serial_matches("BXK123")
    assert [m.firearm_id for m in found] == [ids["BXK1Z3"], ids["8XK1Z3"]]
    assert all(m.match == "lookalike" for m in found)


BASE = "KXR4T9"
ONE_EDITS = {
    "substitute at the start": "MXR4T9", "substitute in the middle": "KXRMT9", "substitute at the end": "KXR4TM",
    "insert at the start": "MKXR4T9", "insert in the middle": "KXR4MT9", "insert at the end": "KXR4T9M",
    "delete at the start": "XR4T9", "delete in the middle": "KXRT9", "delete at the end": "KXR4T",
}


@pytest.mark.parametrize("typed", ONE_EDITS.values(), ids=ONE_EDITS.keys())
def test_one_true_edit_on_six_characters_is_always_found(register, typed):
    ids = register(BASE, "KXA4T9Q", "PXR4T1", "KXQQT9")
    found = find_serial_matches(typed)
    assert kinds(found).get(ids[BASE]) == "edit", found


@pytest.mark.parametrize("stored", ONE_EDITS.values(), ids=ONE_EDITS.keys())
def test_a_stored_serial_one_edit_away_is_found(register, stored):
    ids = register(stored)
    assert kinds(find_serial_matches(BASE)) == {ids[stored]: "edit"}


def _every_swap(serial: str) -> set[str]:
    """``serial`` with two neighbouring characters swapped, at every position (swaps of two
    characters that look alike leave a look-alike serial, not a true edit)."""
    swapped = {serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:] for i in range(len(serial) - 1)}
    return {v for v in swapped if lookalike_skeleton(v) != lookalike_skeleton(serial)}


def _every_one_edit(serial: str) -> set[str]:
    """Every serial one insertion, deletion or substitution (by a character that does not look
    alike) or one swap of two neighbours away from ``serial``, at every position, that has six
    characters or is compared with one that has."""
    other = lambda char: "X" if char != "X" else "W"  # noqa: E731
    variants = {serial[:i] + other(serial[i:i + 1]) + serial[i:] for i in range(len(serial) + 1)}
    variants |= {serial[:i] + serial[i + 1:] for i in range(len(serial))}
    variants |= {serial[:i] + other(serial[i]) + serial[i + 1:] for i in range(len(serial))}
    variants |= _every_swap(serial)
    return {v for v in variants if max(len(v), len(serial)) >= 6 and min(len(v), len(serial)) >= 5}


@pytest.mark.parametrize("serial", ["KR4T9", "KXR4T9", "K1R4T9P", "AB12CD34", "2011AK0123", "KSB20613X",
                                    "40719352864", "AB123CD456EF789GH"])
def test_every_single_edit_at_every_position_is_found_both_ways(register, serial):
    variants = _every_one_edit(serial)
    stored = register(serial, *variants)
    # A letter added or dropped keeps the digits: that is told as "letters ignored".
    one_edit = {"edit", "letters_ignored"}
    for typed in variants:
        assert kinds(find_serial_matches(typed, limit=200)).get(stored[serial]) in one_edit, typed
    found = kinds(find_serial_matches(serial, limit=200))
    assert {stored[v] for v in variants} <= {firearm_id for firearm_id, kind in found.items() if kind in one_edit}


SWAPS = {"at the start": "XKR4T9", "before the middle": "KRX4T9", "across the middle": "KX4RT9",
         "after the middle": "KXRT49", "at the end": "KXR49T"}


@pytest.mark.parametrize("typed", SWAPS.values(), ids=SWAPS.keys())
def test_two_neighbours_swapped_are_one_true_edit(register, typed):
    ids = register(BASE, "KXR4T8", "QXR4T9")  # and two serials one substitution from BASE
    found = find_serial_matches(typed)
    assert found and (found[0].firearm_id, found[0].match) == (ids[BASE], "edit"), found


def test_letters_swapped_are_an_edit_not_letters_ignored(register):
    ids = register("KSB20613X", "369J257")
    assert kinds(find_serial_matches("KBS20613X")) == {ids["KSB20613X"]: "edit"}
    assert kinds(find_serial_matches("36J9257")) == {ids["369J257"]: "edit"}


def test_a_swapped_serial_is_found_first(register):
    ids = register("KSB20613X", "KSB02718X", "KSB0271X")  # two true edits from the query each
    found = find_serial_matches("KSB02613X")
    assert [(m.firearm_id, m.match, m.score) for m in found] == [(ids["KSB20613X"], "edit", 0.75)]


def _found_by_the_lookups(values: dict, stored: str) -> bool:
    """Whether the fuzzy lookups' conditions (``search.lookups``), with the values they are
    given for a query, let the stored skeleton ``stored`` through."""
    n = len(values["skeleton"])
    if stored == values["skeleton"] or stored in {values["swap_start"], values["swap_middle"], values["swap_end"]}:
        return True
    near = values["shortest"] <= len(stored) <= values["longest"]
    prefix = values["prefix_low"] <= stored < values["prefix_high"] and near and (
        stored[len(stored) - values["k"]:] == values["end"] or stored[:n - values["k"]] == values["head"])
    backwards = stored[::-1]
    suffix = values["suffix_low"] <= backwards < values["suffix_high"] and near and (
        backwards[len(backwards) - values["j"]:] == values["start_reversed"]
        or backwards[:n - values["j"]] == values["tail_reversed"])
    return prefix or suffix


@pytest.mark.parametrize("length", range(6, 65))
def test_the_lookups_let_every_single_edit_through_at_every_length(length):
    """The argument of ``_one_edit_ranges``, ``_one_edit_lookups`` and ``_straddling_swaps``,
    checked for every serial length and every position: each insertion, deletion,
    substitution and swap of two neighbours meets the conditions of one lookup."""
    from tracer.search.lookups import lookup_params
    from tracer.search.query import SerialQuery

    symbols = "ACEFHJKMNPRTWXY3490125U68"  # each its own look-alike skeleton
    query = (symbols * 3)[:length]
    values = lookup_params(SerialQuery("fuzzy", query))
    edits = {query[:i] + "#" + query[i:] for i in range(length + 1)}
    edits |= {query[:i] + query[i + 1:] for i in range(length)}
    edits |= {query[:i] + "#" + query[i + 1:] for i in range(length)}
    edits |= {query[:i] + query[i + 1] + query[i] + query[i + 2:] for i in range(length - 1)}
    assert not [edit for edit in edits if not _found_by_the_lookups(values, edit)]


def test_one_true_edit_with_lookalike_mistakes_is_found(register):
    ids = register("BXK1Z3456", "WWW123456")
    # Two look-alike mistakes (8 for B, 2 for Z) and one true edit (7 for 4, 6 missing).
    for typed in ("8XK123756", "8XK12345"):
        assert kinds(find_serial_matches(typed)).get(ids["BXK1Z3456"]) == "edit", typed


def test_two_true_edits_are_not_a_match(register):
    register("KXR4T9")
    assert find_serial_matches("KMR4TM") == []


def test_letters_ignored(register):
    ids = register("369J257", "AB-3692570")
    found = kinds(find_serial_matches("369257"))
    assert found == {ids["369J257"]: "letters_ignored"}
    assert kinds(find_serial_matches("369J257")) == {ids["369J257"]: "exact"}
    assert kinds(find_serial_matches("Q369257X")).get(ids["369J257"]) == "letters_ignored"


def test_fuzzy_covers_the_restored_serial(register):
    ids = register("", serial_status="restored", restored_serial="RST90210")
    assert kinds(find_serial_matches("RST9021O")) == {ids[None]: "exact"}
    assert kinds(find_serial_matches("R5T90210")) == {ids[None]: "lookalike"}
    assert kinds(find_serial_matches("RST90219")) == {ids[None]: "edit"}


# --- partial -------------------------------------------------------------------------------------------


def test_partial_without_wildcards_is_a_substring(register):
    ids = register("KXR4T9", "AAKXR4", "R4T")
    found = find_serial_matches("XR4", "partial")
    assert set(kinds(found)) == {ids["KXR4T9"], ids["AAKXR4"]}
    assert all(m.match == "partial" for m in found)
    assert kinds(find_serial_matches("R4T", "partial"))[ids["R4T"]] == "exact"


def test_partial_wildcards_cover_the_whole_serial(register):
    ids = register("KXR4T9", "KXR4TT9", "ZKXR4T9")
    assert set(kinds(find_serial_matches("KX?4T9", "partial"))) == {ids["KXR4T9"]}
    assert set(kinds(find_serial_matches("KX*T9", "partial"))) == {ids["KXR4T9"], ids["KXR4TT9"]}
    assert set(kinds(find_serial_matches("*R4T9", "partial"))) == {ids["KXR4T9"], ids["ZKXR4T9"]}


def test_partial_ranks_serials_it_covers_more_first(register):
    ids = register("KXR4T9", "KXR4T9ABCDEF")
    found = find_serial_matches("KXR4*", "partial")
    assert [m.firearm_id for m in found] == [ids["KXR4T9"], ids["KXR4T9ABCDEF"]]
    assert found[0].score > found[1].score


def test_a_fragment_found_everywhere_still_answers_its_whole_serial_first(register, monkeypatch):
    from tracer.search import lookups as search_lookups

    # Three read of six: with two, the two read may be the whole serial and one other (the
    # order rows are read in is the database's), and the page would hold two.
    monkeypatch.setattr(search_lookups, "PARTIAL_READ", 3)
    search_lookups._parts.cache_clear(), search_lookups._combined.cache_clear()
    try:
        ids = register("AK1234", "BK1234", "CK1234", "K1234Z", "ZZK1234", "K1234")
        found = find_serial_matches("K1234", "partial", limit=3)
        assert found[0].firearm_id == ids["K1234"] and found[0].match == "exact"
        assert len(found) == 3 and {m.match for m in found[1:]} == {"partial"}
    finally:
        search_lookups._parts.cache_clear(), search_lookups._combined.cache_clear()


def test_partial_finds_scattered_known_characters(register):
    """A partly ground serial: five characters read, never three together (SPEC §4)."""
    ids = register("N3Y6496", "NAY6X96", "N3Y6496X", "XN3Y6496", "N3Y6497", "M3Y6496", "N3Y649")
    found = find_serial_matches("N?Y6?96", "partial")
    assert set(kinds(found)) == {ids["N3Y6496"], ids["NAY6X96"]}
    assert {(m.match, m.score) for m in found} == {("partial", round(5 / 7, 3))}
    # Four known characters are enough, wherever they stand.
    assert set(kinds(find_serial_matches("N??6?9?", "partial"))) == {ids["N3Y6496"], ids["NAY6X96"],
                                                                      ids["N3Y6497"]}
    assert set(kinds(find_serial_matches("?3?6?9?", "partial"))) == {ids["N3Y6496"], ids["N3Y6497"],
                                                                      ids["M3Y6496"]}


def test_scattered_characters_match_the_restored_serial_and_the_remnant(register):
    restored = register("", serial_status="restored", restored_serial="RST90210")
    remnant = register("QX7K2M", serial_status="restored", restored_serial="AAA111")
    assert set(kinds(find_serial_matches("R?T9?2?0", "partial"))) == {restored[None]}
    assert set(kinds(find_serial_matches("Q?7?2M", "partial"))) == {remnant["QX7K2M"]}
    # A character of one serial and a character of the other are not one serial.
    assert find_serial_matches("A?7?1?", "partial") == []


def test_a_scattered_pattern_keeps_to_the_maker_and_the_limit(register):
    glock = register("N3Y6496", "N4Y6596", "N5Y6696")
    smith = register("N6Y6796", manufacturer="S&W")
    maker = resolve_manufacturer("Glock")
    found = find_serial_matches("N?Y6?96", "partial", manufacturer_ids={maker.id}, limit=2)
    assert len(found) == 2 and set(kinds(found)) <= set(glock.values())
    assert smith["N6Y6796"] in kinds(find_serial_matches("N?Y6?96", "partial"))


def test_partial_reads_the_restored_serial(register):
    ids = register("", serial_status="restored", restored_serial="RST90210")
    assert set(kinds(find_serial_matches("T902", "partial"))) == {ids[None]}


# --- filters and the contract ------------------------------------------------------------------------------


def test_manufacturer_filter_by_any_alias(register):
    glock = register("SWX12345", manufacturer="Glock")
    smith = register("SWX12345", manufacturer="S&W")
    maker = resolve_manufacturer("Smith and Wesson")
    found = find_serial_matches("SWX12345", "exact", manufacturer_ids={maker.id})
    assert kinds(found) == {smith["SWX12345"]: "exact"}
    assert set(kinds(find_serial_matches("SWX12345", "exact"))) == {glock["SWX12345"], smith["SWX12345"]}
    assert find_serial_matches("SWX12345", "exact", manufacturer_ids=set()) == []


def test_exclude_leaves_one_firearm_out_and_limit_caps(register):
    ids = register("GLK123456", "GLK123457", "GLK123458")
    found = find_serial_matches("GLK123456", exclude_firearm_id=ids["GLK123456"])
    assert ids["GLK123456"] not in kinds(found) and len(found) == 2
    assert len(find_serial_matches("GLK123456", limit=1)) == 1


@pytest.mark.parametrize("normalized,mode", [("abc", "fuzzy"), ("AB%C", "partial"), ("AB*", "fuzzy"),
                                             ("ABC", "regex"), ("", "exact")])
def test_the_core_refuses_what_it_cannot_search(ctx, normalized, mode):
    with pytest.raises(ValidationFailed):
        find_serial_matches(normalized, mode)


# --- the distance itself ------------------------------------------------------------------------------------


def test_weighted_distance_counts_true_edits_before_lookalikes():
    assert weighted_distance("GLK123456", "GLK123456") == (0, 0)
    assert weighted_distance("GLK123456", "6LKIZ3456") == (0, 3)
    assert weighted_distance("GLK123456", "GLK123457") == (1, 0)
    assert weighted_distance("GLK123456", "8LK1Z3456") == (1, 1)
    assert weighted_distance("369257", "369J257") == (1, 0)
    assert within_one_edit("ABCDEF", "ABXDEF") and within_one_edit("ABCDEF", "ABCDE")
    assert within_one_edit("ABCDEF", "XABCDEF") and not within_one_edit("ABCDEF", "XBCDEY")


def test_a_swap_of_two_neighbours_is_one_true_edit():
    assert weighted_distance("KSB02613X", "KSB20613X") == (1, 0)
    assert weighted_distance("AB", "BA") == (1, 0)
    # A swap beside a look-alike mistake; a swap of two look-alikes of the characters swapped.
    assert weighted_distance("KSB02613X", "K5B20613X") == (1, 1)
    assert weighted_distance("K5B0Z613X", "KSB20613X") == (1, 2)
    # Restricted: no character is edited again once swapped (CA → AC → ABC is not 2).
    assert weighted_distance("CA", "ABC") == (3, 0)
    assert weighted_distance("ABCDEF", "BADCFE") == (3, 0)
    assert within_one_edit("KSB02613X", "KSB20613X") and within_one_edit("ABCDEF", "BACDEF")
    assert within_one_edit("ABCDEF", "ABCDFE") and not within_one_edit("ABCDEF", "ACDBEF")
    assert not within_one_edit("ABCDEF", "BADCEF")
