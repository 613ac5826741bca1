"""How the chain of custody reads: its own numbering, the system's note in the reader's
language, and no invented time for a seizure recorded without one."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.firearms.test_custody import handover, post_entry
from tests.seizures.helpers import new_case, text
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent


def chain_rows(page: str) -> list[str]:
    table = page[page.index('<table class="table chain'):]
    table = table[:table.index("</table>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr id=\"entry-\d+\".*?</tr>", table, re.S)]


def recorded(login_as, locale: str, **seizure_values):
    officer = login_as("officer", "FGE-SON", locale=locale)
    firearm = factories.seizure(new_case(officer.user), officer.user, **seizure_values).firearms[0]
    db.session.commit()
    return officer, firearm


@pytest.mark.parametrize(("locale", "note"), [("en", "Recorded with the seizure."),
                                              ("es", "Registrado junto con el aseguramiento.")])
def test_the_seizure_note_is_stored_as_a_code_and_read_in_the_readers_language(login_as, locale, note):
    officer, firearm = recorded(login_as, "es")  # written by a Spanish-speaking officer
    entry = db.session.scalar(select(CustodyEvent).where(CustodyEvent.firearm_id == firearm.id))
    assert entry.note_code == "recorded_with_seizure" and entry.notes is None
    reader = login_as("analyst", "FGE-SON", locale=locale)
    page = text(reader.get(f"/firearms/{firearm.id}"))
    assert note in chain_rows(page)[0]
    other = "Registrado junto" if locale == "en" else "Recorded with the seizure"
    assert other not in page
    assert note in text(reader.get(f"/firearms/{firearm.id}/custody/print"))


def test_a_note_stored_in_words_before_is_read_in_the_readers_language(login_as):
    officer, firearm = recorded(login_as, "en")
    db.session.add(CustodyEvent(firearm_id=firearm.id, event="packaged", occurred_at=firearm.seizure.created_at,
                                notes="Registrado junto con el aseguramiento."))
    db.session.commit()
    rows = chain_rows(text(officer.get(f"/firearms/{firearm.id}")))
    assert all("Registrado" not in row for row in rows)
    assert sum("Recorded with the seizure." in row for row in rows) == 2


@pytest.mark.parametrize(("locale", "missing"), [("en", "2025-03-14 (time not recorded)"),
                                                 ("es", "14/03/2025 (hora no registrada)")])
def test_a_seizure_without_a_time_opens_its_chain_without_an_invented_one(login_as, locale, missing):
    officer, firearm = recorded(login_as, locale, seized_time="")
    entry = db.session.scalar(select(CustodyEvent).where(CustodyEvent.firearm_id == firearm.id))
    assert entry.time_recorded is False
    first = chain_rows(text(officer.get(f"/firearms/{firearm.id}")))[0]
    assert missing in first and "0:00" not in first
    printed = text(officer.get(f"/firearms/{firearm.id}/custody/print"))
    # the evidence and its entries; the footer's time of printing is the clock's, not the record's
    entries = printed[printed.index("<table"):]
    entries = entries[:entries.index("</table>", entries.index("</table>") + 1)]
    assert entries.count(missing) == 2 and "0:00" not in entries
    seizure_page = text(officer.get(f"/seizures/{firearm.seizure_id}"))
    assert ("time not recorded" if locale == "en" else "hora no registrada") in seizure_page


def test_a_seizure_with_a_time_shows_it(login_as):
    officer, firearm = recorded(login_as, "en")  # 10:30 local on 14 March 2025
    assert "2025-03-14 10:30" in chain_rows(text(officer.get(f"/firearms/{firearm.id}")))[0]


def test_entries_are_numbered_within_the_firearms_chain(login_as):
    officer, firearm = recorded(login_as, "en")
    factories.firearm()  # another firearm's chain takes ids in between
    db.session.commit()
    assert post_entry(officer, firearm, handover()).status_code == 302
    wrong = db.session.scalars(select(CustodyEvent).where(CustodyEvent.firearm_id == firearm.id)
                               .order_by(CustodyEvent.id.desc())).first()
    assert post_entry(officer, firearm, handover(seal_number="S-2", corrects_id=str(wrong.id))).status_code == 302
    page = text(officer.get(f"/firearms/{firearm.id}"))
    rows = chain_rows(page)
    assert [row.split()[0] for row in rows] == ["1", "2", "3"]
    assert "corrects entry 2" in rows[2] and "corrected by entry 3" in rows[1]
    assert not re.search(r"#\d", "".join(rows))
    assert '<option value="%d">2 · Handed over' % wrong.id in page  # the correction choice reads the number
