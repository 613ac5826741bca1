"""The list pager on a phone (390 px wide): previous, the count and next fit the screen and
are large enough to tap, whether the total is exact or an estimate."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import render_template_string
from flask_babel import force_locale

from tracer.core.pagination import KeysetPage

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "tracer.css"
PAGE = """<!doctype html><html lang="es"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>{{ css }}</style></head><body><main class="container">
{% from "_macros/forms.html" import pager %}{{ pager(page, 'cases.index', {'q': 'nogales', 'status': 'open'}) }}
</main></body></html>"""


@pytest.mark.parametrize("estimated", [False, True], ids=["exact total", "estimated total"])
def test_the_pager_fits_a_phone_and_its_links_can_be_tapped(app, chromium, estimated):
    step = KeysetPage(items=[object()] * 25, per_page=25, next="n" * 120, total=10_000 if estimated else 9_876,
                      total_estimated=estimated, prev="p" * 120, page=None)
    with app.test_request_context("/cases"), force_locale("es"):
        html = render_template_string(PAGE, css=CSS.read_text(), page=step)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="es-MX")
    try:
        tab = context.new_page()
        tab.set_content(html)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        for rel in ("prev", "next"):
            box = tab.locator(f'.pager a[rel="{rel}"]').bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44, (rel, box)
            href = tab.locator(f'.pager a[rel="{rel}"]').get_attribute("href")
            assert "q=nogales" in href and "status=open" in href and "cursor=" in href
        count = tab.locator(".pager__count").inner_text()
        assert count == ("Más de 10 000 registros" if estimated else "9876 registros")
    finally:
        context.close()
