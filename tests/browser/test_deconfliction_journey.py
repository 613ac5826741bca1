"""The deconfliction journey: an analyst of Jalisco searches a serial that Sonora holds and learns only
whom to call and the reference to quote; Sonora's analyst finds the notice with that reference, who
asked and how to reach them, and a link to the firearm; the Jalisco analyst checks a list of 20 serials
at once and downloads the answer as CSV, where Sonora's record is again only an agency and a reference.
The Deconfliction page stays readable on a phone: its table scrolls in its own box."""
from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import unique
from tests.browser.test_seizure_journey import sign_in_enrolled
from tests.browser.test_trace_journey import HEADER

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"DC-\d{4}-\d{6}")
CASE_REFERENCE = re.compile(r"TR-\d{4}-\d{6}")
# Jalisco's contact as the demo agencies give it (tracer/auth/demo.py).
JALISCO_CONTACT = ("Unidad de Balística", "+52 33 3837 6000", "balistica@fge-jal.example.gob.mx")
SONORA_MODEL = ("Sig Sauer", "P320 Compact", ".40 S&W")
PHONE_WIDTH = 390
BOM = b"\xef\xbb\xbf"


def fresh_serials(*prefixes: str) -> list[str]:
    """One serial never seen before per prefix: the prefix and eight random digits, the digits of
    each different from every other, so that no fuzzy rule makes one match another."""
    digits: set[str] = set()
    while len(digits) < len(prefixes):
        digits.add(f"{secrets.randbelow(10 ** 8):08d}")
    return [prefix + number for prefix, number in zip(prefixes, digits)]


def absent(text: str) -> re.Pattern:
    """``text`` however its letters are cased, for what must not be shown."""
    return re.compile(re.escape(text), re.IGNORECASE)


def import_seizure(live_server, agency: str, place: str, firearms: list[tuple[str, str, str, str, str]]) -> None:
    """An officer of ``agency`` imports one seizure (``place``: state, municipality, locality,
    latitude, longitude as CSV cells) of ``firearms`` (type, manufacturer, model, caliber, serial)."""
    officer = live_server.create_user(unique("agente"), role="officer", agency=agency)
    seizure = unique("ASEG")
    rows = [f"{unique('EXT')},{seizure},2025-07-02,{place},{agency},,{kind},{maker},{model},{caliber},{serial},"
            f"intact,,US,Decomiso en carretera" for kind, maker, model, caliber, serial in firearms]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aseguramiento.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        live_server.flask("import", "seizures", str(path), "--user", officer)


def open_menu(page: Page, label: str) -> None:
    page.locator("nav.mainnav a", has_text=label).click()
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text(label)


def watch_for_problems(page: Page) -> list[str]:
    """Script errors, refused scripts and failed requests on ``page``, as they happen."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)
    return problems


def new_page(chromium, live_server) -> Page:
    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def test_restricted_hit_notice_and_batch_csv(page: Page, live_server, chromium):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sonora_serial, *others = fresh_serials("SNR", *["JAL"] * 3, *["MX"] * 16)
    jalisco_serials, made_up = others[:3], others[3:]
    import_seizure(live_server, "FGE-SON", "26,043,Heroica Nogales,31.3086,-110.9422",
                   [("pistola", *SONORA_MODEL, sonora_serial)])
    import_seizure(live_server, "FGE-JAL", "14,039,Guadalajara,20.6764,-103.3422",
                   [("pistola", "Glock", "17", "9mm", serial) for serial in jalisco_serials])

    # 1. Jalisco's analyst searches Sonora's serial: one restricted hit, whom to call and a reference.
    jalisco_problems = watch_for_problems(page)
    sign_in_enrolled(page, live_server, agency="FGE-JAL", role="analyst", full_name="Iván Robles Guzmán")
    open_menu(page, "Buscar serie")
    page.fill("#q", sonora_serial)
    expect(page.locator("input[name=mode][value=fuzzy]")).to_be_checked()
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/search/serial\?"))
    restricted = page.locator("[data-restricted] [data-restricted-hit]")
    expect(restricted).to_have_count(1)
    expect(restricted).to_contain_text("Otra institución tiene un registro que coincide")
    expect(restricted).to_contain_text("Coincidencia exacta")
    expect(restricted).to_contain_text("Fiscalía General de Justicia del Estado de Sonora (FGE-SON)")
    expect(restricted).to_contain_text("Servicios Periciales")
    expect(restricted.locator("[data-reference]")).to_have_text(REFERENCE)
    reference = restricted.locator("[data-reference]").inner_text().strip()
    # Nothing of the record itself: no firearm row or link, no case, no model or caliber.
    expect(page.locator("[data-hits] tr[data-firearm]")).to_have_count(0)
    expect(page.locator("[data-hits]")).to_contain_text("Ninguna arma de sus registros coincide.")
    expect(page.locator("main a[href*='/firearms/'], main a[href*='/cases/']")).to_have_count(0)
    for section in (page.locator("[data-hits]"), page.locator("[data-restricted]")):
        for secret in (sonora_serial, *SONORA_MODEL):
            expect(section).not_to_contain_text(absent(secret))
    assert not CASE_REFERENCE.search(page.locator("main").inner_text())
    page.screenshot(path=str(SCREENSHOTS / "deconfliction_restricted_hit.png"), full_page=True)

    # 2. Sonora's analyst finds the notice under that reference: who asked, how to reach them, our firearm.
    sonora = new_page(chromium, live_server)
    try:
        sonora_problems = watch_for_problems(sonora)
        sign_in_enrolled(sonora, live_server, agency="FGE-SON", role="analyst", full_name="Lucía Moreno Félix")
        open_menu(sonora, "Desconflicción")
        tabs = sonora.locator("main nav.tabs a")
        expect(tabs).to_have_text(["Recibidos", "Enviados"])
        expect(tabs.filter(has_text="Recibidos")).to_have_attribute("aria-current", "page")
        notice = sonora.locator("main table tbody tr").filter(has_text=reference)
        expect(notice).to_have_count(1)
        expect(notice).to_contain_text("Fiscalía del Estado de Jalisco (FGE-JAL)")
        for part in JALISCO_CONTACT:
            expect(notice).to_contain_text(part)
        expect(notice).to_contain_text("Coincidencia exacta")
        firearm_link = notice.locator("a[href*='/firearms/']")
        expect(firearm_link).to_have_count(1)
        expect(firearm_link).to_have_text(re.compile(r"^Arma núm\. \d+$"))
        sonora.screenshot(path=str(SCREENSHOTS / "deconfliction_notice_incoming.png"), full_page=True)

        firearm_link.click()
        expect(sonora).to_have_url(re.compile(r"/firearms/\d+$"))
        expect(sonora.locator("main")).to_contain_text(sonora_serial)
        expect(sonora.locator("main")).to_contain_text(SONORA_MODEL[1])
        sonora_case = CASE_REFERENCE.search(sonora.locator("main").inner_text()).group(0)

        # 3. Jalisco's analyst checks 20 serials at once; every line is answered, in the order sent.
        sent = [*made_up[:5], jalisco_serials[0], *made_up[5:9], sonora_serial, *made_up[9:13],
                jalisco_serials[1], *made_up[13:], jalisco_serials[2]]
        assert len(sent) == 20
        open_menu(page, "Búsqueda por lote")
        page.fill("#serials", "\n".join(sent))
        expect(page.locator("input[name=mode][value=fuzzy]")).to_be_checked()
        page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
        batch = page.locator("[data-batch]")
        expect(batch.locator("#batch-title")).to_have_text("20 líneas buscadas")
        lines = batch.locator("tbody[data-line]")
        expect(lines).to_have_count(20)
        expect(lines.locator("tr.batch-line")).to_have_text(
            [re.compile(rf"^\s*Línea {number}\s+·\s+{serial}\s") for number, serial in enumerate(sent, start=1)])
        expect(batch.locator("[data-line-error]")).to_have_count(0)
        sonora_line = lines.nth(sent.index(sonora_serial))
        expect(sonora_line.locator("[data-restricted-hit]")).to_have_count(1)
        expect(sonora_line.locator("[data-restricted-hit]")).to_contain_text("(FGE-SON)")
        # The same search told again: the same reference to quote, not a new notice.
        expect(sonora_line.locator("[data-restricted-hit]")).to_contain_text(
            f"Referencia de desconflicción: {reference}")
        expect(sonora_line.locator("a")).to_have_count(0)
        for serial in jalisco_serials:  # Jalisco's own firearms, with their links
            expect(lines.nth(sent.index(serial)).locator("tr[data-firearm] a.serial")).to_have_text(serial)
        for serial in made_up:
            expect(lines.nth(sent.index(serial))).to_contain_text("Ninguna arma de sus registros coincide.")
        expect(batch.locator("[data-restricted-hit]")).to_have_count(1)
        expect(batch.locator("tr[data-firearm]")).to_have_count(3)
        for secret in (sonora_case, *SONORA_MODEL):
            expect(batch).not_to_contain_text(absent(secret))
        page.screenshot(path=str(SCREENSHOTS / "deconfliction_batch_search.png"), full_page=True)

        # The same answer as a CSV file: BOM, header, the 20 lines, Sonora's record only an agency and a reference.
        with page.expect_download() as download_info:
            batch.get_by_role("button", name="Descargar CSV").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        data = Path(download.path()).read_bytes()
        assert data.startswith(BOM)
        text = data.decode("utf-8").removeprefix("\ufeff")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        for column in ("line", "query", "restricted", "serial_number", "case_reference", "agency", "reference"):
            assert column in reader.fieldnames, reader.fieldnames
        assert list(dict.fromkeys(row["line"] for row in rows)) == [str(n) for n in range(1, 21)]
        assert list(dict.fromkeys(row["query"] for row in rows)) == sent
        assert len(rows) == 20  # one row per line: a hit, a restricted hit, or nothing found
        restricted_rows = [row for row in rows if row["restricted"] == "yes"]
        assert len(restricted_rows) == 1, restricted_rows
        hidden = restricted_rows[0]
        assert hidden["line"] == str(sent.index(sonora_serial) + 1)
        assert "FGE-SON" in hidden["agency"]
        assert hidden["reference"] == reference, hidden
        assert "Servicios Periciales" in hidden["contact"]
        for column in ("serial_number", "manufacturer", "model", "caliber", "case_reference", "score"):
            assert hidden[column] == "", (column, hidden)
        # Sonora's serial appears only where Jalisco wrote it; nothing else of the record is in the file.
        assert text.count(sonora_serial) == 1
        for secret in (sonora_case, *SONORA_MODEL):
            assert not absent(secret).search(text), secret
        own = {row["serial_number"]: row for row in rows if row["restricted"] == "no"}
        assert set(own) == set(jalisco_serials)
        assert all(CASE_REFERENCE.fullmatch(row["case_reference"]) for row in own.values())

        # 4. On a phone, Sonora's Deconfliction page keeps to the screen; the table scrolls in its own box.
        sonora.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
        sonora.goto("/deconfliction")
        expect(sonora.locator("main table tbody tr").filter(has_text=reference)).to_have_count(1)
        page_width = sonora.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE_WIDTH, page_width
        box = sonora.locator("main .table-wrap")
        assert box.evaluate("box => box.scrollWidth > box.clientWidth"), "the table fits: nothing to scroll"
        sonora.screenshot(path=str(SCREENSHOTS / "deconfliction_notices_phone.png"), full_page=True)
        assert sonora_problems == []
    finally:
        sonora.context.close()
    assert jalisco_problems == []
