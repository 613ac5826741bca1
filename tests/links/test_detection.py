"""Possible same firearm: which recorded firearms a new one is linked to, and how."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.tracing.helpers import READY
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.links.detect import consecutive_serials, letters_dropped
from tracer.links.models import FirearmLink


def record(agency: str, **fields):
    """A firearm recorded through the seizure service by an officer of ``agency``."""
    case = factories.case(agency)
    return factories.seizure(case, firearms=[{**READY, **fields}]).firearms[0]


def links_of(firearm) -> list[FirearmLink]:
    return list(db.session.scalars(select(FirearmLink).where(
        (FirearmLink.firearm_id == firearm.id) | (FirearmLink.other_firearm_id == firearm.id))))


@pytest.fixture
def first(reference_data):
    """A Glock 19 recovered in Sonora, by the state prosecutor."""
    return record("FGE-SON", serial_number="BXK12345")


def test_a_second_glock_with_the_same_serial_in_another_state_is_linked(first):
    second = record("FGE-CHIH", serial_number="bxk-123 45")
    [link] = links_of(second)
    assert (link.firearm_id, link.other_firearm_id) == (second.id, first.id)  # the newer record first
    assert (link.match, link.score, link.status) == ("exact", 1.0, "possible")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "firearm_link.detect",
                                                       AuditEvent.object_id == str(link.id)))
    assert event is None  # queued in the transaction, written at commit
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "firearm_link.detect",
                                                       AuditEvent.object_id == str(link.id)))
    assert event.details == {"firearm_id": second.id, "other_firearm_id": first.id, "match": "exact", "score": 1.0}
    assert event.case_id == second.case_id


@pytest.mark.parametrize("serial, match", [
    ("8XK1Z345", "lookalike"),      # B read as 8, 2 read as Z
    ("BXK1345", "edit"),        # a digit left out
    ("BXK123456", "edit"),      # a digit too many
    ("BXKJ12345", "letters_ignored"),
])
def test_near_serials_are_linked_with_their_kind(first, serial, match):
    second = record("FGE-JAL", serial_number=serial)
    [link] = links_of(second)
    assert link.match == match and link.other_firearm_id == first.id
    assert link.score < 1.0


def test_kinds_rank_exact_over_lookalike_over_one_edit(reference_data):
    record("FGR", serial_number="BXK12345")
    exact = links_of(record("SEDENA", serial_number="BXK12345"))
    lookalike = links_of(record("FGE-SON", serial_number="8XK12345"))
    one_edit = links_of(record("FGE-JAL", serial_number="BXK1345"))
    top = lambda links: max(link.score for link in links)  # noqa: E731
    assert top(exact) > top(lookalike) > top(one_edit)


@pytest.mark.parametrize("fields", [
    {"manufacturer": "Smith & Wesson", "model": "M&P9"},    # the same serial under another maker
    {"serial_number": "BXK12346"},                          # the next serial of the production run
    {"serial_number": "QRT12345"},                          # the same digits in another letter series
    {"serial_number": "QRT98765"},                          # nothing alike
])
def test_different_firearms_are_not_linked(first, fields):
    second = record("FGE-CHIH", **{"serial_number": "BXK12345", **fields})
    assert links_of(second) == []
    assert links_of(record("FGE-JAL", serial_number="BXK12345")), "the same identity is linked"


def test_another_caliber_is_linked_but_ranks_below_any_agreeing_record(first):
    """Whether a pair is linked never depends on model or caliber (another agency learns of the
    link); a different caliber sinks the score instead."""
    other_caliber = record("FGE-CHIH", serial_number="BXK12345", caliber=".40 S&W", model="22")
    one_edit_away = record("FGE-JAL", serial_number="BXK1234")
    [link] = [link for link in links_of(other_caliber) if link.other_firearm_id == first.id]
    assert link.match == "exact"
    assert link.score < {l.other_firearm_id: l.score for l in links_of(one_edit_away)}[first.id]


def test_a_different_model_lowers_the_score_and_a_missing_one_less(first):
    other_model = record("FGE-CHIH", serial_number="BXK12345", model="17")
    no_model = record("FGE-JAL", serial_number="BXK12345", model="")
    generation = record("SEDENA", serial_number="BXK12345", model="G19 Gen 5")
    score = {f: {link.other_firearm_id: link.score for link in links_of(f)}[first.id]
             for f in (other_model, no_model, generation)}
    assert score[generation] == 1.0  # "19" is in "G19 Gen 5"
    assert score[other_model] < score[no_model] < 1.0


def test_an_unknown_maker_is_compared_on_its_text(reference_data):
    older = record("FGE-SON", manufacturer="Armas Hechizas del Norte", serial_number="HN445566")
    same_text = record("FGE-CHIH", manufacturer="ARMAS HECHIZAS DEL NORTE", serial_number="HN445566")
    other_text = record("FGE-JAL", manufacturer="Taller Sinaloa", serial_number="HN445566")
    assert [link.other_firearm_id for link in links_of(same_text)] == [older.id]
    assert links_of(other_text) == []


def test_firearms_of_one_seizure_are_not_linked_to_each_other(reference_data):
    seizure = factories.seizure(firearms=[{**READY, "serial_number": "BXK55501"},
                                          {**READY, "serial_number": "BXK55501"}])
    assert links_of(seizure.firearms[0]) == []


def test_a_restored_serial_is_compared_too(first):
    restored = record("FGE-CHIH", serial_status="restored", serial_number="", restored_serial="BXK12345")
    [link] = links_of(restored)
    assert link.match == "exact" and link.other_firearm_id == first.id


def test_a_firearm_without_a_serial_is_not_compared(first):
    obliterated = record("FGE-CHIH", serial_status="obliterated", serial_number="")
    assert links_of(obliterated) == []


def test_recording_the_same_pair_again_creates_no_second_link(first):
    from tracer.links.detect import detect_links

    second = record("FGE-CHIH", serial_number="BXK12345")
    assert detect_links(second) == []
    assert len(links_of(second)) == 1


def test_letters_left_out_are_a_misreading_other_letters_another_series():
    assert letters_dropped("369J257", "369257") and letters_dropped("BXK12345", "BK12345")
    assert not letters_dropped("AB12345", "XY12345")


def test_consecutive_serials_are_neighbours_not_misreadings():
    assert consecutive_serials("BXK12345", "BXK12346")
    assert consecutive_serials("BXK12345", "8XK12346")  # a look-alike beside it changes nothing
    assert not consecutive_serials("BXK12345", "BXK1234")
    assert not consecutive_serials("BXK12345", "BXKA2345")  # a letter for a digit: a misreading
    assert not consecutive_serials("BXK12345", "BXK12366")  # two digits: not neighbours either


def test_a_corrected_serial_is_compared_again(first):
    from tracer.firearms.services import update_firearm

    second = record("FGE-JAL", serial_number="QQQ98765")
    assert links_of(second) == []
    editor = factories.user("analyst", second.case.owner_agency)
    update_firearm(editor, second, {"serial_number": "BXK 12345"}, second.version)
    [link] = links_of(second)
    assert (link.firearm_id, link.other_firearm_id, link.match) == (second.id, first.id, "exact")
    update_firearm(editor, second, {"notes": "Revisada"}, second.version)
    assert len(links_of(second)) == 1  # the same pair is not linked twice
