"""The main pages of every role, read as their users read them, in Spanish:

- an accessibility check (axe-core, vendored in tests/browser/vendor/axe-core) finds no serious or
  critical violation;
- no English sentence of the catalog shows on a Spanish page, whether it comes from a template, a
  script or a stored record, in the text or in the attributes a screen reader or a tooltip reads;
- the first load of each page (nothing cached, scripts and styles included) moves under 600 KB
  (SPEC §10); the weights are written to test-output/page-weights.txt.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page

from tests.browser.conftest import ROOT
from tests.browser.test_every_page_fits import AGENCY, LAPTOP, _endpoint, _role_pages
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WEIGHTS = ROOT / "test-output" / "page-weights.txt"
FIRST_LOAD_BUDGET = 600 * 1024
# Pages that need an id: one of each, reached from the role's lists.
DETAILS = ("cases.detail", "seizures.detail", "firearms.detail", "tracing.detail", "networks.group")
SERIOUS = ("serious", "critical")
# Text a map library writes when its own defaults are not translated.
LIBRARY_DEFAULTS = ("Zoom in", "Zoom out", "Toggle fullscreen")
# The text and the read-aloud attributes of a page, one string per node.
PAGE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]')) {
    for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  return parts.join('\\n');
}"""
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
WEIGHT = """() => {
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.reduce((sum, e) => sum + (e.transferSize || 0), 0);
}"""


def english_sentences() -> list[re.Pattern]:
    """The catalog's English ids of two words or more whose Spanish differs, as whole-phrase patterns."""
    with (ROOT / "tracer/translations/es/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    phrases = set(LIBRARY_DEFAULTS)
    for message in catalog:
        if not message.id or isinstance(message.id, (list, tuple)):
            continue
        # The fixed part of the id, up to its first placeholder or markup.
        text = re.split(r"%\(|%[sd]|<|\{", message.id)[0].strip(" .:,")
        if len(text.split()) >= 2 and message.string and message.string.strip() != message.id.strip():
            phrases.add(text)
    return [re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])") for p in sorted(phrases)]


def main_pages(page: Page, urls, role: str, app) -> list[str]:
    """The role's pages without an id, then one page of each kind in DETAILS found by following links."""
    plain, with_id = _role_pages(app, role)
    pages, wanted = list(plain), {e for e in DETAILS if e in with_id}
    for path in plain:
        if not wanted:
            break
        page.goto(path)
        for href in page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))"):
            endpoint = _endpoint(urls, href)
            if endpoint in wanted:
                wanted.discard(endpoint)
                pages.append(urlsplit(href).path)
    return pages


def first_load(page: Page, path: str) -> int:
    page.goto(path, wait_until="load")
    return page.evaluate(WEIGHT)


def test_main_pages_are_accessible_in_spanish_and_light(chromium, live_server, app):
    axe_source = AXE.read_text()
    english = english_sentences()
    urls = app.url_map.bind("localhost")
    violations, untranslated, weights, heavy = [], [], [], []

    for role, agency in AGENCY.items():
        # bypass_csp: the check itself is a script the page's policy would rightly refuse.
        context = chromium.new_context(base_url=live_server.url, locale="es-MX", viewport=LAPTOP,
                                      bypass_csp=True)
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            sign_in_enrolled(page, live_server, agency=agency, role=role, full_name=f"Revisión {role}")
            paths = main_pages(page, urls, role, app)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            for path in paths:
                size = first_load(page, path)
                weights.append(f"{role:<10} {size / 1024:7.1f} KB  {path}")
                if size > FIRST_LOAD_BUDGET:
                    heavy.append(weights[-1])
                text = page.evaluate(PAGE_TEXT)
                untranslated += [f"{role} {path}: {p.pattern!r}" for p in english if p.search(text)]
                page.evaluate(axe_source)
                for v in page.evaluate(RUN_AXE):
                    if v["impact"] in SERIOUS:
                        violations.append(f"{role} {path}: [{v['impact']}] {v['id']} — {v['help']} at {v['nodes']}")
        finally:
            context.close()

    WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    WEIGHTS.write_text("first load, nothing cached (SPEC §10: under 600 KB)\n" + "\n".join(weights) + "\n")
    print("\n" + WEIGHTS.read_text())
    assert len(weights) >= 20, f"too few pages checked: {weights}"
    assert not violations, "serious or critical accessibility violations:\n" + "\n".join(violations)
    assert not untranslated, "English text on Spanish pages:\n" + "\n".join(untranslated)
    assert not heavy, "pages over 600 KB on first load:\n" + "\n".join(heavy)


def test_the_english_check_finds_an_untranslated_sentence():
    """The check reads whole phrases: an English sentence is found, a Spanish page with brand names is not."""
    english = english_sentences()
    assert any(p.search("Zoom in") for p in english)
    spanish = "Pistola Smith & Wesson Model 19, calibre .357, serie AB1234 — Tactical Arms of Texas"
    assert not [p.pattern for p in english if p.search(spanish)]
