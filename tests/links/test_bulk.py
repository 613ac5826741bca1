"""Possible same firearm for a CSV import: found after each batch is written, in a few joins."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select

from tests import factories
from tests.seizures.import_helpers import officer, row, run
from tests.tracing.helpers import READY
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.models import FirearmLink


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


@pytest.fixture
def chihuahua(reference_data):
    """A Glock 19 recorded by the Chihuahua prosecutor before the import."""
    firearm = factories.seizure(factories.case("FGE-CHIH"),
                                firearms=[{**READY, "serial_number": "BXK12345"}]).firearms[0]
    db.session.commit()
    return firearm


def imported(external_id: str) -> Firearm:
    return db.session.scalar(select(Firearm).where(Firearm.external_id == external_id))


def pairs() -> dict[tuple[int, int], str]:
    return {(link.firearm_id, link.other_firearm_id): link.match for link in db.session.scalars(select(FirearmLink))}


def test_an_import_links_its_rows_one_edit_ones_included(app, chihuahua):
    user = officer("FGR")
    report = run(user, [
        row("E1", "S-1", serial_number="BXK 123 45"),            # the Chihuahua Glock again
        row("E2", "S-2", serial_number="8XK12345"),              # and again, misread
        row("E3", "S-3", serial_number="BXK1345"),               # one digit left out
        row("E4", "S-4", serial_number="BXK12345", manufacturer="Smith & Wesson", model="M&P9"),  # another maker
        row("E5", "S-5", serial_number="BXK12346"),              # the next serial of the run
        row("E6", "S-6", serial_number="BXK12345", caliber=".40 S&W", model="22"),  # another caliber
    ])
    assert report.outcome == "imported" and report.imported_rows == 6
    e1, e2, e3, e6 = imported("E1"), imported("E2"), imported("E3"), imported("E6")
    # The import links exact, look-alike and one-edit serials as it writes them; another caliber
    # is linked too (a link never depends on what another agency may not be told), with a low score.
    caliber_pairs = {(e6.id, chihuahua.id): "exact", (e6.id, e1.id): "exact", (e6.id, e2.id): "lookalike",
                     (e6.id, e3.id): "edit"}
    assert pairs() == {
        (e1.id, chihuahua.id): "exact", (e2.id, chihuahua.id): "lookalike", (e3.id, chihuahua.id): "edit",
        (e2.id, e1.id): "lookalike", (e3.id, e1.id): "edit", (e3.id, e2.id): "edit", **caliber_pairs}
    scores = {(link.firearm_id, link.other_firearm_id): link.score for link in db.session.scalars(select(FirearmLink))}
    assert max(scores[pair] for pair in caliber_pairs) < min(scores[(e1.id, chihuahua.id)], scores[(e2.id, e1.id)])
    detected = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "firearm_link.detect")))
    assert len(detected) == 10 and {e.user_id for e in detected} == {user.id}
    assert {e.case_id for e in detected} == {e1.case_id, e2.case_id, e3.case_id, e6.case_id}

    # Nothing is left for the re-check pass.
    done = app.test_cli_runner().invoke(args=["tracing", "detect-links"])
    assert done.exit_code == 0 and "possible same firearms found: 0" in done.output


def test_importing_the_file_again_adds_no_link(chihuahua):
    user = officer("FGR")
    rows = [row("E1", "S-1", serial_number="BXK12345")]
    run(user, rows)
    assert len(pairs()) == 1
    report = run(user, rows)
    assert report.already_imported == 1 and len(pairs()) == 1


def test_detection_costs_a_few_statements_per_batch_not_per_row(chihuahua):
    user = officer("FGR")
    counted: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "firearm_links" in statement or "serial_skeleton" in statement:
            counted.append(statement)

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        run(user, [row(f"A{i}", f"SA-{i}") for i in range(20)])
        small = len(counted)
        counted.clear()
        run(user, [row(f"B{i}", f"SB-{i}") for i in range(200)])
        large = len(counted)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert large <= small + 2, (small, large)


SWAPPED = {"E1": "XBK12345", "E2": "BXK21345", "E3": "BXK13245", "E4": "BXK12354"}


def test_an_import_finds_two_neighbours_swapped_anywhere(app, chihuahua):
    """The commonest typing slip, two neighbouring characters swapped, is one true edit: the
    import links it wherever it stands (first two, across the middle, last two)."""
    run(officer("FGR"), [row(external_id, f"S-{external_id}", serial_number=serial)
                         for external_id, serial in SWAPPED.items()])
    # The import's own lookups link every one of them.
    assert pairs() == {(imported(external_id).id, chihuahua.id): "edit" for external_id in SWAPPED}
    done = app.test_cli_runner().invoke(args=["tracing", "detect-links"])
    assert done.exit_code == 0 and "possible same firearms found: 0" in done.output


@pytest.mark.parametrize("serial", ["KXR4T9", "KXR4T9P", "AC3E5F7H", "AC3E5F7HJ", "AC3E5F7HJ4K9"])
def test_the_bulk_lookups_give_every_swap_at_every_position(reference_data, serial):
    """Each of the bulk lookups' conditions, for every swap of two neighbours at every position
    of serials of six characters or more, odd and even lengths: one of them lets it through."""
    from tracer.links.bulk import _candidate_pairs

    swaps = {serial[:i] + serial[i + 1] + serial[i] + serial[i + 2:] for i in range(len(serial) - 1)}
    base = factories.seizure(firearms=[{**READY, "serial_number": serial}]).firearms[0]
    others = factories.seizure(firearms=[{**READY, "serial_number": swap} for swap in swaps]).firearms
    db.session.flush()
    found = _candidate_pairs([base.id], near=True)
    assert {other.serial_number for other in others if (base.id, other.id) not in found} == set()


def test_an_import_links_one_edit_serials_of_a_maker_not_in_the_list(chihuahua):
    """A maker the reference list does not hold counts as one maker of its own: its serials one
    edit apart are linked, and none is linked to the listed maker's same serial."""
    report = run(officer("FGR"), [
        row("U1", "S-U1", serial_number="BXK12345", manufacturer="Armería Hernández"),
        row("U2", "S-U2", serial_number="BXK1345", manufacturer="Armería Hernández"),
        row("U3", "S-U3", serial_number="BXK21345", manufacturer="Armería Hernández"),
    ])
    assert report.outcome == "imported" and report.imported_rows == 3
    u1, u2, u3 = imported("U1"), imported("U2"), imported("U3")
    assert u1.manufacturer_id is None and u1.manufacturer_text == "Armería Hernández"
    assert pairs() == {(u2.id, u1.id): "edit", (u3.id, u1.id): "edit", (u3.id, u2.id): "edit"}
