"""Every page of every role fits the screen: on a phone (390 × 844) and on a laptop (1,366 × 900)
the page is never wider than the window, so nobody has to zoom out or scroll sideways.
A screenshot of every page at both sizes is kept in test-output/screenshots/fit/.

The pages come from the application's routes and the access table; the pages that need an id
are reached by following the links of the pages already seen, on the demo data."""
from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import path_is
from tests.browser.test_seizure_journey import sign_in_enrolled
from tests.core.test_access_matrix import ACCESS, PUBLIC

pytestmark = pytest.mark.browser

FIT = SCREENSHOTS / "fit"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
# Where each role works: the demo data of these agencies gives every page something to show.
AGENCY = {"officer": "FGR", "analyst": "FGR", "supervisor": "FGR", "liaison": "ATF-MX",
          "admin": "FGR", "auditor": "FGR"}
# Routes that answer with data, files or a redirect, not a page a person reads.
NOT_PAGES = {
    "static", "maps.states_geojson", "seizures.municipalities", "tracing.export_csv",
    "search.serial_batch_csv", "attachments.download", "attachments.thumbnail", "seizure_import.template",
    "reference_lookup.suggest_manufacturers", "reference_lookup.suggest_calibers",
    "auth.after_enrolment", "core.set_language", "reports.case_report_pdf", "stats.chart_csv", "stats.map_cases",
    "networks.export_network",
}
ANONYMOUS_PAGES = ("/auth/notice", "/auth/login")
# Pages a role cannot reach on the demo data because its scope holds nothing of the kind:
# the US liaison sees no Mexican case, administrators and auditors no case at all.
NOTHING_IN_SCOPE = {("liaison", "cases.detail"), ("liaison", "reports.case_report"),
                    ("admin", "reports.case_report"), ("auditor", "reports.case_report"),
                    ("liaison", "networks.case_network"), ("liaison", "networks.group"),
                    ("liaison", "networks.linked_cases")}
WIDTH = "document.documentElement.scrollWidth"
# A link to a recorded seizure (a case page also links to the form that records a new one).
SEIZURE_LINK = 'main a[href*="/seizures/"]:not([href*="/seizures/new"])'
SHOT_HEIGHT = 2400


def _role_pages(app, role: str) -> tuple[list[str], set[str]]:
    """The role's pages without an id (paths) and the endpoints of its pages that need one."""
    plain, with_id = [], set()
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if "GET" not in rule.methods or endpoint in NOT_PAGES or endpoint.startswith("api."):
            continue
        allowed = ACCESS[endpoint]
        if allowed == PUBLIC or role not in allowed:
            continue
        if rule.arguments:
            with_id.add(endpoint)
        else:
            plain.append(rule.rule)
    return sorted(plain), with_id


def _endpoint(urls, href: str) -> str | None:
    parts = urlsplit(href)
    try:
        endpoint, _ = urls.match(parts.path, "GET")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def _shot_name(role: str, path: str, size: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return f"{role}--{slug}--{size}.png"


def _measure(page: Page, role: str, path: str, served: list[str] | None = None) -> list[str]:
    """Load ``path`` at phone then laptop width; return what was too wide (and put the page as
    served, before any script ran, in ``served``)."""
    too_wide = []
    page.set_viewport_size(PHONE)
    response = page.goto(path, wait_until="load")
    assert response is not None and response.status < 400, f"{role} {path}: {response and response.status}"
    if served is not None:
        served.append(response.text())
    for size, viewport in (("390", PHONE), ("1366", LAPTOP)):
        page.set_viewport_size(viewport)
        width = page.evaluate(WIDTH)
        # The top of the page, down to a few screens: enough to see the layout, quick to take.
        height = min(page.evaluate("document.documentElement.scrollHeight"), SHOT_HEIGHT)
        page.screenshot(path=str(FIT / _shot_name(role, path, size)), full_page=True,
                        clip={"x": 0, "y": 0, "width": viewport["width"], "height": height})
        if width > viewport["width"]:
            too_wide.append(f"{role:<10} {path} at {viewport['width']} px is {width} px wide")
    return too_wide


def _walk(page: Page, urls, role: str, plain: list[str], with_id: set[str]) -> tuple[list[str], set[str]]:
    """Visit the role's pages, following links to reach one page of every endpoint that needs an id."""
    too_wide: list[str] = []
    queue, seen = deque(plain), {_endpoint(urls, path) for path in plain}
    while queue:
        path = queue.popleft()
        served: list[str] = []
        too_wide += _measure(page, role, path, served)
        # The links of the page as drawn, and those of the page as served: a panel drawn after the
        # page (the case's linked cases) replaces the link that opens it without scripts.
        hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
        main = served[0].split("<main", 1)[-1].split("</main>", 1)[0]
        for href in hrefs + [unescape(found) for found in re.findall(r'<a [^>]*href="([^"]+)"', main)]:
            endpoint = _endpoint(urls, href)
            if endpoint in with_id and endpoint not in seen:
                seen.add(endpoint)
                queue.append(urlsplit(href).path)
    return too_wide, with_id - seen


def _firearms_of_seizures(page: Page, wanted: int) -> list[str]:
    """Paths of firearms of ``wanted`` different seizures the signed-in officer can open."""
    page.goto("/cases")
    cases = page.eval_on_selector_all('main a[href*="/cases/"]', "links => links.map(a => a.getAttribute('href'))")
    firearms: list[str] = []
    for case in cases:
        page.goto(case)
        for seizure in page.eval_on_selector_all(SEIZURE_LINK, "ls => ls.map(a => a.getAttribute('href'))"):
            page.goto(seizure)
            found = page.locator('main a[href*="/firearms/"]')
            if found.count():
                firearms.append(urlsplit(found.first.get_attribute("href")).path)
            if len(firearms) >= wanted:
                return firearms
    pytest.fail(f"the demo data holds fewer than {wanted} firearms for the officer")


def _demo_scene(page: Page) -> str:
    """The path of a scene of the demo shootings (tracer/ballistics/demo.py): its page leads to the
    items found there, their leads and hits."""
    page.goto("/cases?q=Ciudad+Juárez")
    cases = page.eval_on_selector_all('main a[href*="/cases/"]', "links => links.map(a => a.getAttribute('href'))")
    page.goto(next(href for href in cases if re.search(r"/cases/\d+$", urlsplit(href).path)))
    scene = page.locator('main a[href*="/ballistics/scenes/"]').first
    expect(scene).to_be_visible()
    return urlsplit(scene.get_attribute("href")).path


IDENTITY = ("firearm_type", "manufacturer", "model", "caliber", "serial_number")


def _make_possible_same_firearm(page: Page) -> str:
    """The officer gives one firearm the identity of another; returns the path of the link it makes."""
    first, second = _firearms_of_seizures(page, 2)
    page.goto(f"{first}/edit")
    identity = {name: page.locator(f"[name={name}]").input_value() for name in IDENTITY}
    assert identity["serial_number"], f"{first} has no serial"
    page.goto(f"{second}/edit")
    page.select_option("select[name=firearm_type]", identity.pop("firearm_type"))
    for name, value in identity.items():
        page.fill(f"input[name={name}]", value)
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page).to_have_url(path_is(second))
    link = page.locator('main a[href*="/links/"]').first
    expect(link).to_be_visible()
    return urlsplit(link.get_attribute("href")).path


def test_every_page_fits_a_phone_and_a_laptop(chromium, live_server, app):
    FIT.mkdir(parents=True, exist_ok=True)
    urls = app.url_map.bind("localhost")
    too_wide: list[str] = []
    unreached: dict[str, set[str]] = {}

    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=PHONE)
    try:
        page = context.new_page()
        for path in ANONYMOUS_PAGES:
            too_wide += _measure(page, "anonymous", path)
    finally:
        context.close()

    for role, agency in AGENCY.items():
        context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=PHONE)
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            sign_in_enrolled(page, live_server, agency=agency, role=role, full_name=f"Prueba {role}")
            if role == "officer":
                link = _make_possible_same_firearm(page)
            plain, with_id = _role_pages(app, role)
            if "tracing.link_detail" in with_id:
                plain.append(link)
            if "ballistics.scene" in with_id:
                plain.append(_demo_scene(page))
            found, missing = _walk(page, urls, role, plain, with_id)
            too_wide += found
            missing = {endpoint for endpoint in missing if (role, endpoint) not in NOTHING_IN_SCOPE}
            if missing:
                unreached[role] = missing
        finally:
            context.close()

    assert not too_wide, "pages wider than the window:\n" + "\n".join(too_wide)
    assert not unreached, f"pages the walk never reached: {unreached}"


SERIAL = "MX" + "7" * 58  # 60 characters, no space to break at


def test_a_sixty_character_serial_wraps_on_a_phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in_enrolled(page, live_server, agency="FGR", role="officer", full_name="Prueba serie larga")
        page.goto("/cases")
        cases = page.eval_on_selector_all('main a[href*="/cases/"]', "links => links.map(a => a.getAttribute('href'))")
        for case in cases:  # the first case that holds a seizure
            page.goto(case)
            if page.locator(SEIZURE_LINK).count():
                break
        page.locator(SEIZURE_LINK).first.click()
        seizure = urlsplit(page.url).path
        page.locator('main a[href*="/firearms/"]').first.click()
        firearm = urlsplit(page.url).path
        page.goto(f"{firearm}/edit")
        page.fill("input[name=serial_number]", SERIAL)
        page.locator("main form[method=post] button[type=submit]").first.click()
        expect(page).to_have_url(path_is(firearm))
        for path in (firearm, seizure, f"/search/serial?q={SERIAL}"):
            page.goto(path)
            expect(page.locator("main")).to_contain_text(SERIAL)
            FIT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FIT / _shot_name("serial", path, "390")), full_page=True)
            assert page.evaluate(WIDTH) <= PHONE["width"], f"{path} is wider than a phone with a 60-character serial"
    finally:
        context.close()


def test_the_seizure_form_suits_a_thumb(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in_enrolled(page, live_server, agency="FGR", role="officer", full_name="Prueba formulario")
        page.goto("/seizures/new")
        for name in ("magazines_count", "cartridges_count"):
            expect(page.locator(f"input[name={name}]")).to_have_attribute("inputmode", "numeric")
        for name in ("latitude", "longitude"):
            expect(page.locator(f"input[name={name}]")).to_have_attribute("inputmode", "decimal")
        expect(page.locator("[data-gps-button]")).to_be_visible()
        fields = page.locator("main form[method=post] .field__input:visible, main form[method=post] button:visible")
        for index in range(fields.count()):
            box = fields.nth(index).bounding_box()
            if box["width"] <= 1:
                continue  # visually hidden, for screen readers
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # one column, on screen
            assert box["height"] >= 36, (fields.nth(index).get_attribute("name"), box)
        page.screenshot(path=str(FIT / "officer--seizure-form-thumb--390.png"), full_page=True)

        page.goto("/cases")
        cases = page.eval_on_selector_all('main a[href*="/cases/"]', "links => links.map(a => a.getAttribute('href'))")
        for case in cases:  # the first case that holds a seizure
            page.goto(case)
            if page.locator(SEIZURE_LINK).count():
                break
        page.locator(SEIZURE_LINK).first.click()
        photo = page.locator("input[type=file][name=photo]")
        expect(photo).to_have_attribute("accept", "image/*")
        expect(photo).to_have_attribute("capture", "environment")
    finally:
        context.close()
