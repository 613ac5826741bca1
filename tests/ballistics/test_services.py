"""Items, leads and decisions through the services: the rules the pages and the API share."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.ballistics.conftest import item_values
from tracer.audit.models import AuditEvent
from tracer.ballistics import leads, services
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db


def errors_of(call) -> dict:
    with pytest.raises(ValidationFailed) as failure:
        call()
    return failure.value.fields


def test_a_test_fire_takes_the_state_and_case_of_its_firearm(world):
    assert world.test_fire.case_id == world.sonora_case.id
    assert world.test_fire.state_code == "26"
    assert world.cartridge_case.state_code == "14"


def test_a_test_fire_without_a_firearm_is_refused(world):
    fields = errors_of(lambda: services.create_item(world.sonora_examiner, world.sonora_case,
                                                    item_values(kind="test_fire")))
    assert "firearm_id" in fields


@pytest.mark.parametrize("lands", ["0", "40"])
def test_a_bullet_with_impossible_lands_is_refused(world, lands):
    values = item_values(kind="bullet", scene_id=world.scene.id, lands=lands, firing_pin_shape="",
                         breech_face_class="", ejector_mark="")
    fields = errors_of(lambda: services.create_item(world.jalisco_examiner, world.jalisco_case, values))
    assert list(fields) == ["lands"]


@pytest.mark.parametrize("width", ["-0.5", "0", "10", "12.5", "abc"])
def test_negative_or_impossible_widths_are_refused(world, width):
    values = {"kind": "bullet", "scene_id": world.scene.id, "caliber": "9mm", "lands": "6",
              "land_width_mm": width, "groove_width_mm": width}
    fields = errors_of(lambda: services.create_item(world.jalisco_examiner, world.jalisco_case, values))
    assert set(fields) == {"land_width_mm", "groove_width_mm"}


def test_polygonal_rifling_with_a_land_count_is_refused(world):
    values = {"kind": "bullet", "scene_id": world.scene.id, "caliber": "9mm", "polygonal": "yes", "lands": "6"}
    fields = errors_of(lambda: services.create_item(world.jalisco_examiner, world.jalisco_case, values))
    assert "lands" in fields


def test_a_bullet_keeps_its_rifling_rounded_to_hundredths(world):
    bullet = services.create_item(world.jalisco_examiner, world.jalisco_case, {
        "kind": "bullet", "scene_id": world.scene.id, "caliber": "9mm", "lands": "6", "twist": "right",
        "land_width_mm": "1.234", "groove_width_mm": "2,5", "weight_grains": "115", "jacket": "full_metal_jacket"})
    assert (bullet.lands, bullet.twist, bullet.land_width_mm, bullet.groove_width_mm) == (6, "right", 1.23, 2.5)


def test_only_examiners_record_items(world):
    officer = factories.user("officer", world.jalisco_case.owner_agency)
    with pytest.raises(Forbidden):
        services.create_item(officer, world.jalisco_case, item_values(scene_id=world.scene.id))


def test_an_item_of_a_case_out_of_scope_is_not_found(world):
    with pytest.raises(NotFound):
        services.get_item(world.jalisco_examiner, world.test_fire.id)
    assert services.get_item(world.federal_examiner, world.test_fire.id) == world.test_fire


def test_a_lead_from_an_item_to_itself_is_refused(world):
    fields = errors_of(lambda: leads.create_lead(world.federal_examiner, world.test_fire, world.test_fire))
    assert "item_b" in fields


def test_a_duplicate_lead_is_refused_whichever_way_it_is_named(world):
    leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    fields = errors_of(lambda: leads.create_lead(world.federal_examiner, world.cartridge_case, world.test_fire))
    assert "item_b" in fields


def test_a_caliber_mismatch_is_allowed_and_flagged(world):
    other = services.create_item(world.jalisco_examiner, world.jalisco_case,
                                 item_values(scene_id=world.scene.id, caliber=".45 ACP"))
    link = leads.create_lead(world.federal_examiner, world.test_fire, other)
    assert link.caliber_mismatch and link.status == "lead"
    assert not leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case).caliber_mismatch


def _lead(world):
    link = leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    db.session.commit()
    return link


def test_identification_confirms_and_tells_both_agencies(world):
    link = _lead(world)
    leads.decide(world.federal_examiner, link, "identification", "Same firing pin drag", expected_version=1)
    db.session.commit()
    assert (link.status, link.conclusion, link.examiner_id, link.version) == (
        "confirmed", "identification", world.federal_examiner.id, 2)
    notices = db.session.scalars(select(DeconflictionNotice).where(DeconflictionNotice.channel == "ballistic")).all()
    told = {(n.told_agency.acronym, n.owner_agency.acronym, n.ballistic_item_id) for n in notices}
    assert told == {("FGE-JAL", "FGE-SON", world.test_fire.id), ("FGE-SON", "FGE-JAL", world.cartridge_case.id)}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "ballistic_link.decide")).one()
    assert event.user_id == world.federal_examiner.id
    assert event.details["old"]["status"] == "lead" and event.details["new"]["status"] == "confirmed"


def test_a_cross_state_lead_is_decided_by_a_federal_examiner_only(world):
    link = _lead(world)
    with pytest.raises(Forbidden):
        leads.decide(world.sonora_examiner, link, "identification", expected_version=1)
    assert link.status == "lead"


def test_confirming_twice_is_refused(world):
    link = _lead(world)
    leads.decide(world.federal_examiner, link, "identification", expected_version=1)
    with pytest.raises(Conflict):
        leads.decide(world.federal_examiner, link, "identification", expected_version=2)


def test_excluding_a_confirmed_hit_needs_a_reason(world):
    link = _lead(world)
    leads.decide(world.federal_examiner, link, "identification", expected_version=1)
    fields = errors_of(lambda: leads.decide(world.federal_examiner, link, "elimination", expected_version=2))
    assert "reason" in fields
    leads.decide(world.federal_examiner, link, "elimination", reason="Re-examined under the comparison "
                    "microscope: different breech face marks", expected_version=2)
    assert link.status == "excluded"


def test_a_stale_version_is_a_conflict(world):
    link = _lead(world)
    leads.decide(world.federal_examiner, link, "inconclusive", expected_version=1)
    with pytest.raises(Conflict):
        leads.decide(world.federal_examiner, link, "identification", expected_version=1)
    assert (link.status, link.conclusion) == ("lead", "inconclusive")


def test_unsuitable_leaves_a_flagged_lead(world):
    link = _lead(world)
    leads.decide(world.federal_examiner, link, "unsuitable", expected_version=1)
    assert link.status == "lead" and link.unsuitable
