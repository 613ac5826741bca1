"""An officer records a seizure with several firearms through the web form."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.seizures.helpers import field_error, field_value, new_case, row, seizure_form, text
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.seizures.models import Seizure


def seizures_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Seizure))


def three_rows(**second):
    return [
        row(serial_number="BXK123"),
        row(firearm_type="rifle", manufacturer="Colt", model="AR-15", caliber="5.56", serial_number="",
            serial_status="obliterated", importer="", country_of_manufacture="US",
            markings="Número limado en el costado izquierdo", converted_to_automatic="y", **second),
        row(firearm_type="pistol", manufacturer="Armería El Gallo", model="", caliber=".380",
            serial_number="XY-55", country_of_manufacture=""),
    ]


def test_the_officer_records_a_seizure_with_three_firearms(login_as, reference_data):
    officer = login_as("officer", "FGE-SON", locale="en")
    case = new_case(officer.user)

    page = officer.get(f"/seizures/new?case_id={case.id}")
    assert page.status_code == 200
    body = text(page)
    assert field_value(body, "case_id") == str(case.id)
    assert field_value(body, "agency") == "FGE-SON"
    assert field_value(body, "state") == "26"  # the officer's state is proposed
    assert 'hx-get="/seizures/municipalities"' in body and "data-firearm-template" in body

    # A 12 gauge on a rifle is impossible: the page comes back with everything typed.
    rows = three_rows()
    rows[1]["caliber"] = "12 GA"
    failed = officer.post("/seizures/new", seizure_form(case.id, rows), token_from="/seizures/new")
    assert failed.status_code == 400
    body = text(failed)
    assert "12 gauge is not a caliber for this type of firearm." in field_error(body, "firearms-1-caliber")
    assert 'href="#firearms-1-caliber"' in body  # the summary links to the field
    assert field_value(body, "firearms-0-serial_number") == "BXK123"
    assert field_value(body, "firearms-1-caliber") == "12 GA"
    assert field_value(body, "firearms-1-serial_status") == "obliterated"
    assert field_value(body, "firearms-1-markings") == "Número limado en el costado izquierdo"
    assert 'name="firearms-1-converted_to_automatic" type="checkbox" value="y" checked' in body \
        or re.search(r'<input checked[^>]*name="firearms-1-converted_to_automatic"', body)
    assert field_value(body, "firearms-2-manufacturer") == "Armería El Gallo"
    assert field_value(body, "circumstances") == "Revisión en punto de control.\nTres armas en la cajuela."
    assert field_value(body, "municipality") == "030" and field_value(body, "cartridges_count") == "120"
    assert seizures_count() == 0

    # Fixed, it saves; the unknown maker is accepted and flagged.
    saved = officer.post("/seizures/new", seizure_form(case.id, three_rows()), token_from="/seizures/new")
    assert saved.status_code == 302, text(saved)[:2000]
    seizure_id = int(re.search(r"/seizures/(\d+)$", saved.headers["Location"]).group(1))
    seizure = db.session.get(Seizure, seizure_id)
    assert seizure.case_id == case.id and seizure.state_code == "26" and seizure.municipality_code == "030"
    assert seizure.coordinate_source == "gps" and seizure.cartridges_count == 120
    firearms = sorted(seizure.firearms, key=lambda f: f.id)
    assert [f.serial_status for f in firearms] == ["intact", "obliterated", "intact"]
    assert firearms[0].manufacturer.name == "Glock" and firearms[0].caliber.name == "9mm Luger"
    assert firearms[1].converted_to_automatic and firearms[1].serial_number is None
    assert firearms[2].manufacturer_id is None and firearms[2].manufacturer_text == "Armería El Gallo"
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)))
    assert {"seizure.create", "firearm.create"} <= actions

    page = officer.get(saved.headers["Location"])
    body = text(page)
    assert "Seizure recorded with 3 firearms." in body
    assert "Firearm 3: Unknown manufacturer: kept as written and flagged for review." in body
    for firearm in firearms:
        assert f'href="/firearms/{firearm.id}"' in body
    assert "Obliterated (filed off)" in body and "Unknown manufacturer — flagged for review" in body
    assert 'data-map' in body and 'data-lat="29.0729"' in body and 'data-outlines="/geo/states.geojson"' in body
    assert "2025-03-14" in body  # the date in the user's language

    # The firearm page, a custody handover, and the printable chain.
    firearm_page = text(officer.get(f"/firearms/{firearms[2].id}"))
    assert "Unknown manufacturer — flagged for review" in firearm_page and "XY55" in firearm_page
    handover = officer.post(f"/firearms/{firearms[0].id}/custody", {
        "event": "transferred", "occurred_at": "2025-03-14T18:45", "handed_over_by_name": "Ramón Esquer",
        "handed_over_by_institution": "FGE Sonora", "handed_over_by_rank": "Agente",
        "received_by_name": "Lucía Moreno", "received_by_institution": "Servicios Periciales",
        "received_by_rank": "Perito", "place": "Bodega de indicios, Hermosillo", "packaging": "Caja de cartón",
        "seal_number": "SON-2025-0042", "notes": "Entrega para dictamen"}, token_from=f"/firearms/{firearms[0].id}")
    assert handover.status_code == 302
    chain = db.session.scalars(select(CustodyEvent).where(CustodyEvent.firearm_id == firearms[0].id)
                               .order_by(CustodyEvent.id)).all()
    assert [e.event for e in chain] == ["seized", "transferred"]
    assert db.session.get(Firearm, firearms[0].id).custody_status == "transferred"
    page = text(officer.get(f"/firearms/{firearms[0].id}"))
    assert "Custody entry no. %d recorded." % chain[-1].id in page and "SON-2025-0042" in page
    printed = officer.get(f"/firearms/{firearms[0].id}/custody/print")
    assert printed.status_code == 200
    body = text(printed)
    assert "Chain of custody record" in body and "Registro de Cadena de Custodia" in body
    assert "Lucía Moreno" in body and "SON-2025-0042" in body and "BXK123" in body


def test_add_row_without_javascript_keeps_what_was_typed(login_as):
    officer = login_as("officer", "FGE-SON")
    case = new_case(officer.user)
    data = seizure_form(case.id, [row(serial_number="KEEP-1")], add_row="1", operation_name="Tormenta")
    page = officer.post("/seizures/new", data, token_from="/seizures/new")
    assert page.status_code == 200
    body = text(page)
    assert field_value(body, "firearms-0-serial_number") == "KEEP-1"
    assert field_value(body, "firearms-1-serial_number") == ""
    assert field_value(body, "operation_name") == "Tormenta"
    assert seizures_count() == 0

    # Without scripts, a button reloads the form with the municipalities of the chosen state.
    data = seizure_form(case.id, [row(serial_number="KEEP-2")], refresh_place="1", state="14", municipality="")
    body = text(officer.post("/seizures/new", data, token_from="/seizures/new"))
    assert '<option value="039">Guadalajara</option>' in body and "Hermosillo</option>" not in body
    assert field_value(body, "firearms-0-serial_number") == "KEEP-2" and seizures_count() == 0

    data = seizure_form(case.id, [row(serial_number="A1"), row(serial_number="B2"), row(serial_number="C3")],
                        remove_row="1")
    body = text(officer.post("/seizures/new", data, token_from="/seizures/new"))
    assert field_value(body, "firearms-0-serial_number") == "A1"
    assert field_value(body, "firearms-1-serial_number") == "C3"
    assert field_value(body, "firearms-2-serial_number") is None


def test_rows_left_empty_are_ignored(login_as, reference_data):
    officer = login_as("officer", "FGE-SON")
    case = new_case(officer.user)
    empty = {name: "" for name in row()} | {"serial_status": "intact"}
    response = officer.post("/seizures/new", seizure_form(case.id, [row(), empty]), token_from="/seizures/new")
    assert response.status_code == 302
    assert len(db.session.scalar(select(Seizure).where(Seizure.case_id == case.id)).firearms) == 1


def test_municipalities_of_a_state_for_the_select(login_as):
    officer = login_as("officer", "FGE-SON")
    options = text(officer.get("/seizures/municipalities?state=26"))
    assert options.startswith('<option value="">') and '<option value="030">Hermosillo</option>' in options
    assert options.count("<option") == 73  # 72 municipalities of Sonora and the empty choice
    assert text(officer.get("/seizures/municipalities?state=99")) == '<option value="">—</option>'
    assert text(officer.get('/seizures/municipalities?state=<script>')).count("<option") == 1


def test_the_state_outlines_are_served_compressed_and_cached(login_as):
    officer = login_as("officer", "FGE-SON")
    response = officer.get("/geo/states.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < 400_000 and "max-age" in response.headers["Cache-Control"]
    plain = officer.get("/geo/states.geojson").get_json()
    assert len(plain["features"]) == 32
    assert {f["properties"]["state_code"] for f in plain["features"]} == {f"{n:02d}" for n in range(1, 33)}
    again = officer.get("/geo/states.geojson", headers={"If-None-Match": response.headers["ETag"],
                                                         "Accept-Encoding": "gzip"})
    assert again.status_code == 304


def test_a_configured_tile_server_is_allowed_by_the_page_policy(login_as, app, monkeypatch):
    from tests import factories

    officer = login_as("officer", "FGE-SON")
    seizure = factories.seizure(new_case(officer.user), officer.user)
    db.session.commit()
    assert "data-tiles" not in text(officer.get(f"/seizures/{seizure.id}"))
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://{s}.tiles.example.mx/{z}/{x}/{y}.png")
    page = officer.get(f"/seizures/{seizure.id}")
    assert 'data-tiles="https://{s}.tiles.example.mx/{z}/{x}/{y}.png"' in text(page)
    assert "img-src 'self' data: https://*.tiles.example.mx" in page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
