"""The network pages, the case panel, the API and the exports, as their users meet them."""
from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

from sqlalchemy import select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.deconfliction.budget import EXTENSION, DisclosureBudget, budget
from tracer.extensions import db
from tracer.networks.export import ENTITY_COLUMNS, GRAPHML_NS, LINK_COLUMNS

NS = {"g": GRAPHML_NS}


HTMX = {"HX-Request": "true"}


def linked_panel(browser, case_id: int) -> str:
    """The case page's "linked cases" panel as the page draws it: the page names the panel's
    address, and the panel is asked for as htmx asks."""
    page = browser.get(f"/cases/{case_id}").get_data(as_text=True)
    address = f"/cases/{case_id}/linked-cases"
    assert f'hx-get="{address}"' in page and f'href="{address}"' in page  # and a link without scripts
    response = browser.get(address, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_the_case_page_lists_linked_cases_with_their_kinds_in_spanish(ring, login_as):
    analyst = login_as("analyst", "FGR")
    page = analyst.get(f"/cases/{ring.b.id}").get_data(as_text=True)
    assert "Casos vinculados" in page and f"/cases/{ring.b.id}/network" in page
    assert ring.a.reference not in page  # drawn after the page
    panel = linked_panel(analyst, ring.b.id)
    assert 'id="linked-cases"' in panel and "Casos vinculados" in panel
    assert ring.a.reference in panel and ring.c.reference in panel
    assert "Misma arma" in panel and "Misma venta múltiple" in panel
    assert f"/cases/{ring.b.id}/network" in panel


def test_without_scripts_the_linked_cases_are_a_page_of_their_own(ring, login_as):
    response = login_as("analyst", "FGR").get(f"/cases/{ring.b.id}/linked-cases")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page and 'lang="es"' in page
    assert ring.b.reference in page and f'href="/cases/{ring.b.id}"' in page
    assert ring.a.reference in page and ring.c.reference in page and "Misma arma" in page


def test_another_states_reader_sees_agency_and_reference_only(ring, login_as):
    panel = linked_panel(login_as("analyst", "FGE-SON"), ring.a.id)
    assert "FGE-JAL" in panel and "DC-" in panel
    assert ring.b.reference not in panel and "RING0002" not in panel
    shown = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deconfliction.disclose",
                                                        AuditEvent.case_id == ring.a.id)).all()
    assert shown and {event.details["shown_in"] for event in shown} == {"case_page"}


def test_linked_cases_of_a_case_out_of_scope_are_not_found(ring, login_as):
    assert login_as("analyst", "FGE-SON").get(f"/cases/{ring.b.id}/linked-cases", headers=HTMX).status_code == 404
    assert login_as("liaison", "ATF-MX").get(f"/cases/{ring.b.id}/linked-cases").status_code == 404


def test_the_network_page_draws_the_neighbourhood_and_a_table(ring, login_as):
    response = login_as("analyst", "FGR").get(f"/cases/{ring.a.id}/network?depth=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for case in (ring.a, ring.b, ring.c):
        assert case.reference in page
    assert ring.d.reference not in page
    assert 'id="network-graph"' in page and "data-elements=" in page and "cytoscape-3.30.4.min.js" in page
    assert "<script>" not in page


def test_a_depth_out_of_range_is_a_clear_error(ring, login_as):
    analyst = login_as("analyst", "FGR")
    for depth in ("0", "10", "two"):
        response = analyst.get(f"/cases/{ring.a.id}/network?depth={depth}")
        assert response.status_code == 400
        assert "Elija una profundidad de 1 a 3 pasos." in response.get_data(as_text=True)


def test_a_kind_filter_keeps_only_those_links(ring, login_as):
    page = login_as("analyst", "FGR").get(f"/cases/{ring.b.id}/network?depth=1&kind=same_dealer").get_data(
        as_text=True)
    assert ring.c.reference in page and ring.a.reference not in page


def test_out_of_scope_case_network_is_not_found(ring, login_as):
    assert login_as("analyst", "FGE-SON").get(f"/cases/{ring.b.id}/network").status_code == 404
    assert login_as("liaison", "ATF-MX").get(f"/cases/{ring.b.id}/network").status_code == 404


def test_the_groups_page_shows_the_ring_as_one_group(ring, login_as):
    page = login_as("analyst", "FGR").get("/network").get_data(as_text=True)
    assert page.count("Abrir el grafo") == 1  # the lone case D is in no group
    assert "3 casos" in page
    sonora = login_as("analyst", "FGE-SON").get("/network").get_data(as_text=True)
    assert sonora.count("Abrir el grafo") == 1 and "FGE-JAL" in sonora and "FGE-CHIH" in sonora
    assert ring.b.reference not in sonora


def test_the_groups_filters(ring, login_as):
    analyst = login_as("analyst", "FGR")
    assert "Abrir el grafo" not in analyst.get("/network?state=01").get_data(as_text=True)
    assert "Abrir el grafo" in analyst.get("/network?state=08").get_data(as_text=True)
    assert "Abrir el grafo" not in analyst.get("/network?seized_from=2030-01-01").get_data(as_text=True)
    bad = analyst.get("/network?seized_from=2025-05-01&seized_to=2025-01-01")
    assert bad.status_code == 400 and "La fecha final es anterior a la fecha inicial." in bad.get_data(as_text=True)
    assert analyst.get("/network?kind=nonsense").status_code == 400


def test_graphml_export_holds_the_nodes_and_links(ring, login_as):
    analyst = login_as("analyst", "FGE-SON")
    response = analyst.get(f"/cases/{ring.a.id}/network/export/graphml?group=1")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    root = ET.fromstring(response.data)
    nodes = {node.get("id"): {data.get("key"): data.text for data in node.findall("g:data", NS)}
             for node in root.iterfind(".//g:node", NS)}
    assert nodes[f"c{ring.a.id}"]["label"] == ring.a.reference
    restricted = [values for values in nodes.values() if values.get("restricted") == "yes"]
    assert sorted(values["label"] for values in restricted) == ["FGE-CHIH", "FGE-JAL"]
    assert all(set(values) <= {"type", "label", "agency", "restricted", "deconfliction_reference", "kinds"}
               for values in restricted)
    assert len(root.findall(".//g:edge", NS)) == 2
    assert b"RING0002" not in response.data and b"Prestanombres" not in response.data


def test_csv_exports_have_their_columns(ring, login_as):
    analyst = login_as("supervisor", "FGR")
    entities = analyst.get(f"/cases/{ring.a.id}/network/export/entities.csv?depth=2")
    rows = list(csv.DictReader(io.StringIO(entities.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == ENTITY_COLUMNS and {row["label"] for row in rows} == {
        ring.a.reference, ring.b.reference, ring.c.reference}
    linked = analyst.get(f"/cases/{ring.a.id}/network/export/links.csv?depth=2")
    rows = list(csv.DictReader(io.StringIO(linked.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == LINK_COLUMNS
    by_pair = {(row["source"], row["target"]): row for row in rows}
    dealer = by_pair[(f"c{ring.b.id}", f"c{ring.c.id}")]
    assert dealer["kinds"] == "same_dealer;multiple_sale" and dealer["same_dealer_count"] == "2"


def test_exports_are_audited_without_personal_data_and_refused_to_officers(ring, login_as):
    analyst = login_as("analyst", "FGR")
    assert analyst.get(f"/cases/{ring.a.id}/network/export/links.csv").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "network.export")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.case_id == ring.a.id and event.details["format"] == "links.csv"
    assert "Prestanombres" not in str(event.details)
    assert login_as("officer", "FGR").get(f"/cases/{ring.a.id}/network/export/graphml").status_code == 403
    assert analyst.get(f"/cases/{ring.a.id}/network/export/pdf").status_code == 404


def test_the_api_lists_links_with_kinds_and_restricted_entries(ring, api):
    federal = api("analyst", "FGR")
    body = federal("GET", f"/cases/{ring.b.id}/links").get_json()
    kinds = {item["case_reference"]: item["kinds"] for item in body["items"]}
    assert kinds == {ring.a.reference: ["same_firearm"], ring.c.reference: ["same_dealer", "multiple_sale"]}
    assert body["total"] == 2 and body["next"] is None
    sonora = api("officer", "FGE-SON")("GET", f"/cases/{ring.a.id}/links").get_json()
    restricted = [item for item in sonora["items"] if item["restricted"]]
    assert {item["agency"]["acronym"] for item in restricted} == {"FGE-JAL", "FGE-CHIH"}
    assert all(set(item) == {"restricted", "kinds", "agency", "reference", "references"} for item in restricted)


def test_the_api_pages_with_a_cursor_and_hides_out_of_scope_cases(ring, api):
    federal = api("analyst", "FGR")
    first = federal("GET", f"/cases/{ring.b.id}/links?per_page=1").get_json()
    assert len(first["items"]) == 1 and first["next"]
    second = federal("GET", f"/cases/{ring.b.id}/links?per_page=1&cursor={first['next']}").get_json()
    assert second["items"][0] != first["items"][0] and second["next"] is None
    assert federal("GET", f"/cases/{ring.b.id}/links?cursor=forged").status_code == 400
    assert api("analyst", "FGE-SON")("GET", f"/cases/{ring.b.id}/links").status_code == 404
    assert api("liaison", "ATF-MX")("GET", f"/cases/{ring.b.id}/links").status_code == 404


def test_a_cut_network_says_so_on_the_case_page_the_network_page_and_the_api(ring, login_as, api, monkeypatch):
    from tests.networks.conftest import completed, seized_case
    from tracer.networks import links

    _third, firearm = seized_case("FGE-JAL", serial_number="RING0004")
    completed(firearm)
    db.session.commit()
    analyst = login_as("analyst", "FGR")
    assert "Hay más casos vinculados" not in linked_panel(analyst, ring.b.id)
    assert api("analyst", "FGR")("GET", f"/cases/{ring.b.id}/links").get_json()["truncated"] is False
    monkeypatch.setattr(links, "ROWS_PER_STEP", 1)  # one dealer link read per step: the second is cut
    panel = linked_panel(analyst, ring.b.id)
    assert "Hay más casos vinculados a este de los que caben en la lista" in panel
    page = analyst.get(f"/cases/{ring.b.id}/network?depth=1").get_data(as_text=True)
    assert "La red es más grande de lo que se puede mostrar" in page
    body = api("analyst", "FGR")("GET", f"/cases/{ring.b.id}/links").get_json()
    assert body["truncated"] is True and ring.a.reference in {item["case_reference"] for item in body["items"]}


def test_the_openapi_document_describes_the_links(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/cases/{case_id}/links" in document["paths"]


def test_a_person_link_leads_analysts_to_the_person_and_names_no_one(ring, login_as):
    from tracer.people.services import record_person

    analyst = login_as("analyst", "FGR")
    buyer = factories.person(ring.a, role="purchaser", actor=analyst.user, last_names="Téllez Ochoa")
    record_person(ring.d, "possessor", {"person_id": buyer.id}, analyst.user)
    db.session.commit()
    page = analyst.get(f"/cases/{ring.d.id}/network?depth=1").get_data(as_text=True)
    assert f"/people/{buyer.id}" in page and "Téllez" not in page
    officer_page = login_as("officer", "FGR").get(f"/cases/{ring.d.id}/network?depth=1")
    assert officer_page.status_code == 200 and f"/people/{buyer.id}" not in officer_page.get_data(as_text=True)


def test_a_lone_case_whose_links_are_all_withheld_is_no_group(ring, login_as, app):
    """Listing Sonora's case as a group would tell that it is linked to other agencies' cases,
    a disclosure a spent budget no longer allows."""
    kept = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = DisclosureBudget("memory://", 1, key_prefix="groups-test")
    try:
        sonora = login_as("analyst", "FGE-SON")
        assert budget().take(sonora.user.id) and budget().spent(sonora.user.id)
        page = sonora.get("/network").get_data(as_text=True)
        assert "Abrir el grafo" not in page
        assert "FGE-JAL" not in page and "FGE-CHIH" not in page
    finally:
        app.extensions[EXTENSION] = kept
