"""Two Sonora cases, a Jalisco case, and the analysts, supervisors and officers who work them."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories
from tracer.extensions import db

# A valid CURP (check digit included) and the date of birth it holds.
CURP = "VAEJ850312HSRLSN00"
POSSESSOR = {"last_names": "Valenzuela Espinoza", "first_names": "José Julián", "birth_date": "1985-03-12",
             "sex": "male", "curp": CURP, "locality": "Hermosillo", "region": "Sonora", "country": "MX",
             "postal_code": "83000"}


@dataclass
class World:
    sonora_analyst: object
    sonora_supervisor: object
    sonora_officer: object
    jalisco_analyst: object
    federal_analyst: object
    sonora_case: object
    sonora_case_2: object
    jalisco_case: object


@pytest.fixture
def world(ctx) -> World:
    son, jal, fgr = (factories.agency(a) for a in ("FGE-SON", "FGE-JAL", "FGR"))
    sonora_officer = factories.user("officer", son)
    world = World(factories.user("analyst", son), factories.user("supervisor", son), sonora_officer,
                  factories.user("analyst", jal), factories.user("analyst", fgr),
                  factories.case(son, sonora_officer), factories.case(son, sonora_officer), factories.case(jal))
    db.session.commit()
    return world
