"""The network journey, on the demo's straw-purchasing ring (tracer/networks/demo.py): a federal
analyst opens the Nogales case and expands its network to the Jalisco and Chihuahua cases, keeps
only the dealer links and downloads the GraphML; a Sonora analyst sees the same group with the other
states' cases as restricted entries naming only their agency."""
from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_deconfliction_journey import new_page, watch_for_problems
from tests.browser.test_seizure_journey import sign_in_enrolled
from tracer.networks.demo import CASES
from tracer.networks.export import GRAPHML_NS

pytestmark = pytest.mark.browser
NOGALES, TLAQUEPAQUE, JUAREZ = (case[2] for case in CASES)
NS = {"g": GRAPHML_NS}


def open_ring_case(page) -> str:
    page.goto("/cases?q=prestanombres")
    page.locator("main tr", has_text=NOGALES).locator('a[href*="/cases/"]').first.click()
    expect(page.locator("h1")).to_contain_text(NOGALES)
    return urlsplit(page.url).path


def test_a_ring_across_three_states(chromium, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. A federal analyst opens the ring's Nogales case and expands its network.
    federal = new_page(chromium, live_server)
    problems = watch_for_problems(federal)
    sign_in_enrolled(federal, live_server, agency="FGR", role="analyst", full_name="Elena Cruz Robles")
    open_ring_case(federal)
    panel = federal.locator("#linked-cases")
    expect(panel).to_contain_text("Casos vinculados")
    expect(panel).to_contain_text("Hit balístico")
    panel.get_by_role("link", name="Abrir la red").click()
    expect(federal.locator("h1")).to_contain_text("Red de")
    federal.select_option("select[name=depth]", "2")
    federal.get_by_role("button", name="Mostrar").click()
    cases = federal.locator("#network-cases")
    for title in (NOGALES, TLAQUEPAQUE, JUAREZ):
        expect(cases).to_contain_text(title)
    expect(federal.locator("#network-graph canvas").first).to_be_attached()
    federal.screenshot(path=str(SCREENSHOTS / "network-federal.png"), full_page=True)

    # 2. Only the dealer links; the GraphML holds the three cases.
    federal.select_option("select[name=kind]", "same_dealer")
    federal.get_by_role("button", name="Mostrar").click()
    rows = federal.locator("#network-links tbody tr")
    expect(rows.first).to_have_attribute("data-kinds", "same_dealer")
    assert all(kinds == "same_dealer" for kinds in rows.evaluate_all("rs => rs.map(r => r.dataset.kinds)"))
    with federal.expect_download() as download:
        federal.get_by_role("link", name="GraphML").click()
    root = ET.parse(download.value.path()).getroot()
    labels = {data.text for data in root.iterfind(".//g:node/g:data[@key='title']", NS)}
    assert labels == {NOGALES, TLAQUEPAQUE, JUAREZ}
    assert {edge.find("g:data[@key='e_kinds']", NS).text for edge in root.iterfind(".//g:edge", NS)} == {"same_dealer"}
    assert problems == []

    # 3. A Sonora analyst sees the same group; Jalisco's and Chihuahua's cases only as their agencies.
    sonora = new_page(chromium, live_server)
    sign_in_enrolled(sonora, live_server, agency="FGE-SON", role="analyst", full_name="Mariana Duarte")
    open_ring_case(sonora)
    reference = sonora.locator("h1").inner_text().split(" — ")[0]
    expect(sonora.locator("#linked-cases")).to_contain_text("FGE-JAL")
    sonora.goto("/network")
    group = sonora.locator("#network-groups tbody tr", has_text=reference)
    expect(group).to_have_count(1)
    expect(group).to_contain_text("FGE-JAL")
    expect(group).to_contain_text("FGE-CHIH")
    group.get_by_role("link", name="Abrir el grafo").click()
    expect(sonora.locator("h1")).to_contain_text("Grupo de casos vinculados")
    table = sonora.locator("#network-cases")
    expect(table).to_contain_text(NOGALES)
    expect(table).to_contain_text("Restringido")
    expect(table).to_contain_text("FGE-JAL")
    expect(table).to_contain_text("FGE-CHIH")
    expect(table).not_to_contain_text(TLAQUEPAQUE)
    expect(table).not_to_contain_text(JUAREZ)
    expect(table).to_contain_text(re.compile(r"DC-\d{4}-\d{6}"))
    sonora.screenshot(path=str(SCREENSHOTS / "network-restricted.png"), full_page=True)
