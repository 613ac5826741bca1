"""A case with something in every section of its report."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from tests import factories
from tracer.audit.services import record
from tracer.ballistics.models import BallisticLink
from tracer.extensions import db

PURCHASER = "Juan Comprador Ejemplo"


@dataclass
class ReportCase:
    case: object
    officer: object
    seizure: object
    firearm: object
    trace: object
    scene: object
    item: object
    other_item: object


@pytest.fixture
def report_case(ctx) -> ReportCase:
    officer = factories.user("officer", factories.agency("FGR"), full_name="Laura Agente Líder")
    case = factories.case("FGR", officer, title="Tráfico por Nogales", summary="Aseguramiento en Hermosillo.",
                          carpeta_number="FED/SON/HMO/0001234/2026", lead_officer_id=officer.id)
    seizure = factories.seizure(case, officer)
    firearm = seizure.firearms[0]
    trace = factories.trace_request(
        firearm, status="completed", outcome="us_retail", ffl_name="Border Guns LLC", ffl_city="Tucson",
        ffl_state="AZ", purchase_date=date(2024, 6, 1), time_to_crime_days=286, purchaser_name=PURCHASER,
        result_at=datetime(2025, 4, 1, tzinfo=timezone.utc))
    scene = factories.scene(case, locality="Hermosillo", latitude=29.1, longitude=-110.9, crime_category="homicidio")
    item = factories.ballistic_item(scene, caliber_text="9mm", headstamp="FC 9MM LUGER", lab_number="LAB-77")
    other_case = factories.case("FGE-SON", title="Otro caso")
    other_item = factories.ballistic_item(factories.scene(other_case))
    a, b = sorted((item, other_item), key=lambda i: i.id)
    db.session.add(BallisticLink(item_a_id=a.id, item_b_id=b.id, agency_a_id=a.agency_id, agency_b_id=b.agency_id,
                                 status="confirmed", conclusion="identification",
                                 decided_at=datetime(2025, 5, 2, tzinfo=timezone.utc)))
    case.status = "investigating"
    record("case.transition", object_type="case", object_id=case.id, case_id=case.id, actor=officer,
           details={"from": "open", "to": "investigating"})
    db.session.commit()
    return ReportCase(case, officer, seizure, firearm, trace, scene, item, other_item)
