"""A small trafficking ring across three states, built through the factories.

- Sonora case A and Jalisco case B hold the same firearm (maker, model, caliber, serial);
- Jalisco case B and Chihuahua case C hold firearms traced to the same dealer, bought the same
  day in one multiple sale;
- Sonora case A and Chihuahua case C are joined by a confirmed ballistic hit;
- Sonora case D is linked to nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from tracer.ballistics.models import BallisticLink
from tracer.extensions import db

PLACES = {"FGE-SON": {"state": "26", "municipality": "030", "locality": "Hermosillo", "latitude": "29.0729",
                      "longitude": "-110.9559"},
          "FGE-JAL": {"state": "14", "municipality": "039", "locality": "Guadalajara", "latitude": "20.6597",
                      "longitude": "-103.3496"},
          "FGE-CHIH": {"state": "08", "municipality": "037", "locality": "Juárez", "latitude": "31.6904",
                       "longitude": "-106.4245"}}
LICENSE = "5-74-039-01-2B-12345"


@dataclass
class Ring:
    a: object
    b: object
    c: object
    d: object
    firearm_a: object
    firearm_b: object
    trace_b: object
    trace_c: object
    hit: object


def seized_case(acronym: str, **firearm):
    agency = factories.agency(acronym)
    case = factories.case(agency)
    seizure = factories.seizure(case, firearms=[factories.firearm_values(**firearm)], **PLACES[acronym])
    return case, seizure.firearms[0]


def completed(firearm, **fields):
    values = {"status": "completed", "outcome": "us_retail", "ffl_name": "Border Guns LLC", "ffl_license": LICENSE,
              "ffl_city": "Laredo", "ffl_state": "TX", "purchase_date": date(2024, 6, 3), "multiple_sale": True,
              "purchaser_name": "Juan Prestanombres", **fields}
    return factories.trace_request(firearm, **values)


def confirmed_hit(case_one, case_two):
    item_one = factories.ballistic_item(factories.scene(case_one))
    item_two = factories.ballistic_item(factories.scene(case_two))
    first, second = sorted((item_one, item_two), key=lambda item: item.id)
    link = BallisticLink(item_a_id=first.id, item_b_id=second.id, agency_a_id=first.agency_id,
                         agency_b_id=second.agency_id, status="confirmed", conclusion="identification")
    db.session.add(link)
    db.session.flush()
    return link


@pytest.fixture
def ring(ctx, reference_data):
    a, firearm_a = seized_case("FGE-SON", serial_number="RING0001")
    b, firearm_b = seized_case("FGE-JAL", serial_number="RING0001")
    _b_second = factories.seizure(b, firearms=[factories.firearm_values(serial_number="RING0002")],
                                  **PLACES["FGE-JAL"]).firearms[0]
    c, firearm_c = seized_case("FGE-CHIH", serial_number="RING0003")
    d, _firearm_d = seized_case("FGE-SON", serial_number="LONE0001")
    trace_b = completed(_b_second)
    trace_c = completed(firearm_c)
    hit = confirmed_hit(a, c)
    db.session.commit()
    return Ring(a, b, c, d, firearm_a, firearm_b, trace_b, trace_c, hit)
