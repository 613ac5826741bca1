"""An item's own chain of custody: the firearms' custody service and its database guard, numbered per item."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text as sql
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests import factories
from tests.ballistics.test_pages import sign_in
from tracer.extensions import db
from tracer.firearms.models import Attachment, CustodyEvent


def handover(**fields):
    return {"event": "sent_to_lab", "occurred_at": "2026-01-10T09:00", "handed_over_by_name": "Mariana Duarte",
            "received_by_name": "Lab. de Balística", "seal_number": "S-77", **fields}


def chain_of(item) -> list[CustodyEvent]:
    return list(db.session.scalars(select(CustodyEvent).where(CustodyEvent.ballistic_item_id == item.id)
                                   .order_by(CustodyEvent.id)))


def test_an_examiner_adds_entries_numbered_within_the_item(app, world):
    web = sign_in(app, world.sonora_examiner)
    path = f"/ballistics/items/{world.test_fire.id}"
    for seal in ("S-1", "S-2"):
        response = web.post(f"{path}/custody", handover(seal_number=seal), token_from=path)
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
    assert [entry.seal_number for entry in chain_of(world.test_fire)] == ["S-1", "S-2"]
    assert world.test_fire.custody_status == "sent_to_lab"
    page = web.get(path).get_data(as_text=True)
    assert '<td data-label="No.">1</td>' in page and '<td data-label="No.">2</td>' in page


def test_a_custody_entry_before_the_item_was_recovered_is_refused(app, world):
    web = sign_in(app, world.jalisco_examiner)
    path = f"/ballistics/items/{world.cartridge_case.id}"
    response = web.post(f"{path}/custody", handover(occurred_at="2025-01-01T09:00"), token_from=path)
    assert response.status_code == 400
    assert chain_of(world.cartridge_case) == []


def test_the_database_refuses_to_change_an_items_entry_or_to_give_it_two_owners(app, world):
    from tracer.firearms.services import record_custody_event
    from tracer.ballistics.services import ensure_examiner

    record_custody_event(world.sonora_examiner, world.test_fire, handover(),
                         ensure_writer=lambda user, _item: ensure_examiner(user))
    db.session.commit()
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.execute(sql("UPDATE custody_events SET seal_number = 'X' WHERE ballistic_item_id IS NOT NULL"))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(CustodyEvent(firearm_id=world.pistol.id, ballistic_item_id=world.test_fire.id,
                                        event="stored", occurred_at=world.test_fire.created_at))
            db.session.flush()
    assert [entry.seal_number for entry in chain_of(world.test_fire)] == ["S-77"]


def test_an_item_photo_is_hashed_and_served_only_within_scope(app, world):
    web = sign_in(app, world.jalisco_examiner)
    path = f"/ballistics/items/{world.cartridge_case.id}"
    data = {"photo": (io.BytesIO(factories.png_bytes()), "casquillo.png")}
    response = web.post(f"{path}/photos", data, token_from=path, content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.scalar(select(Attachment).where(Attachment.ballistic_item_id == world.cartridge_case.id))
    assert len(photo.sha256) == 64 and photo.sha256 in web.get(path).get_data(as_text=True)
    assert web.get(f"/attachments/{photo.id}").status_code == 200
    sonora = sign_in(app, world.sonora_examiner)
    assert sonora.get(f"/attachments/{photo.id}").status_code == 404
