"""A Sonora pistol and its test fire, a Jalisco scene and a cartridge case found there."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories
from tracer.ballistics import scenes, services
from tracer.extensions import db

SCENE_VALUES = {"occurred_on": "2025-06-02", "occurred_time": "23:10", "state": "14", "municipality": "039",
                "locality": "Guadalajara", "crime_category": "Homicidio"}


def item_values(**fields) -> dict:
    return {"kind": "cartridge_case", "caliber": "9mm", "headstamp": "FC 9mm LUGER",
            "firing_pin_shape": "rectangular", "breech_face_class": "parallel", "ejector_mark": "clock_3",
            **fields}


@dataclass
class World:
    sonora_examiner: object
    jalisco_examiner: object
    federal_examiner: object
    sonora_case: object
    jalisco_case: object
    pistol: object
    scene: object
    test_fire: object
    cartridge_case: object


@pytest.fixture
def world(reference_data) -> World:
    son, jal, fgr = (factories.agency(a) for a in ("FGE-SON", "FGE-JAL", "FGR"))
    sonora_examiner = factories.user("analyst", son)
    jalisco_examiner = factories.user("analyst", jal)
    federal_examiner = factories.user("analyst", fgr)
    sonora_case = factories.case(son)
    pistol = factories.seizure(sonora_case).firearms[0]
    jalisco_case = factories.case(jal)
    scene, _warnings = scenes.create_scene(jalisco_examiner, jalisco_case, SCENE_VALUES)
    test_fire = services.create_item(sonora_examiner, None, item_values(kind="test_fire", ibis_ref="SON-TF-1"),
                                     firearm=pistol)
    cartridge_case = services.create_item(jalisco_examiner, jalisco_case,
                                          item_values(scene_id=scene.id, ibis_ref="JAL-CC-1"))
    db.session.commit()
    return World(sonora_examiner, jalisco_examiner, federal_examiner, sonora_case, jalisco_case, pistol, scene,
                 test_fire, cartridge_case)
