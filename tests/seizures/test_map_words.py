"""The seizure map speaks the reader's language: its zoom buttons and its marker."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests import factories
from tests.seizures.helpers import new_case, text
from tracer.extensions import db

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "seizure-map.js"


@pytest.mark.parametrize(("locale", "zoom_in", "zoom_out", "marker"), [
    ("en", "Zoom in", "Zoom out", "Place of the seizure"),
    ("es", "Acercar", "Alejar", "Lugar del aseguramiento"),
])
def test_the_page_hands_the_map_its_words(login_as, locale, zoom_in, zoom_out, marker):
    officer = login_as("officer", "FGE-SON", locale=locale)
    seizure = factories.seizure(new_case(officer.user), officer.user)
    db.session.commit()
    page = text(officer.get(f"/seizures/{seizure.id}"))
    assert f'data-zoom-in="{zoom_in}"' in page and f'data-zoom-out="{zoom_out}"' in page
    assert f'data-marker-label="{marker}"' in page


def test_the_script_uses_the_words_instead_of_leaflets_english():
    script = SCRIPT.read_text(encoding="utf-8")
    assert "zoomControl: false" in script
    assert 'zoomInTitle: el.getAttribute("data-zoom-in")' in script
    assert 'zoomOutTitle: el.getAttribute("data-zoom-out")' in script
    assert "alt: label" in script  # Leaflet's marker alt text is "Marker" otherwise
