"""The batch serial search page: every line answered in order, a line's own error, the CSV download."""
from __future__ import annotations

import base64
import csv
import dataclasses
import io
import re

import pytest
from sqlalchemy import select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.search import batch as search_batch

SONORA_SERIAL = "BXK1Z3456"
JALISCO_SERIAL = "JAL778812"
LINE = re.compile(r'<tbody data-line="(\d+)">')


@pytest.fixture
def records(ctx, reference_data):
    """A Sonora firearm (outside a Jalisco analyst's scope) and a Jalisco one (inside)."""
    sonora = factories.seizure(factories.case("FGE-SON"), firearms=[factories.firearm_values(
        serial_number=SONORA_SERIAL, manufacturer="Smith & Wesson", model="M&P9", caliber="9mm")])
    jalisco = factories.seizure(factories.case("FGE-JAL"), firearms=[factories.firearm_values(
        serial_number=JALISCO_SERIAL, manufacturer="Glock", model="19", caliber="9mm")])
    db.session.commit()
    return {"sonora": sonora.firearms[0], "jalisco": jalisco.firearms[0]}


@pytest.fixture
def jalisco(login_as, records):
    return login_as("analyst", "FGE-JAL", locale="en")


def events(action: str) -> list[AuditEvent]:
    db.session.flush()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def search(browser, serials: str = "", mode: str = "fuzzy", **data):
    return browser.post("/search/serial/batch", {"serials": serials, "mode": mode, **data},
                        token_from="/search/serial/batch")


def block(html: str, line: int) -> str:
    """The rows the page shows for one line of the list."""
    start = html.index(f'<tbody data-line="{line}">')
    return html[start:html.index("</tbody>", start)]


LIST = f"{JALISCO_SERIAL}\n\n8XK-1Z3456\nAB\nZZZ-999-111\n"


def test_every_line_is_answered_in_the_order_sent(jalisco, records):
    response = search(jalisco, LIST)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert LINE.findall(html) == ["1", "3", "4", "5"]  # the blank line 2 is skipped
    mine, theirs = records["jalisco"], records["sonora"]
    first = block(html, 1)
    assert f'href="/firearms/{mine.id}"' in first and f'href="/cases/{mine.case_id}"' in first
    assert "Glock" in first and "Exact match" in first and "score 1.00" in first
    restricted = block(html, 3)
    assert "Another agency has a matching record" in restricted and "Contacto FGE-SON" in restricted
    assert "Differs only by look-alike characters" in restricted
    assert SONORA_SERIAL not in html and f"/firearms/{theirs.id}" not in html and "M&amp;P9" not in html
    assert "fuzzy search needs at least 3 characters" in block(html, 4) and "Serial number:" in block(html, 4)
    assert "No firearm in your records matches." in block(html, 5)
    assert "4 lines searched" in html
    assert "8XK-1Z3456\nAB" in html  # what was typed stays in the form


def test_each_search_and_the_batch_are_audited(jalisco, records):
    search(jalisco, LIST)
    assert len(events("search.serial")) == 3  # the line in error searched nothing
    (batch,) = events("search.serial_batch")
    assert batch.user_id == jalisco.user.id
    assert {key: batch.details[key] for key in ("queries", "hits", "restricted_hits", "errors", "output")} == {
        "queries": 4, "hits": 1, "restricted_hits": 1, "errors": 1, "output": "page"}


def test_a_line_with_a_control_character_is_refused_and_the_rest_answered(jalisco, records):
    html = search(jalisco, f"ABC\x07123\n{JALISCO_SERIAL}\n").get_data(as_text=True)
    assert "control character (U+0007" in block(html, 1)
    assert f'href="/firearms/{records["jalisco"].id}"' in block(html, 2)


def test_a_control_character_at_the_end_of_a_line_is_not_taken_for_space(jalisco, records):
    html = search(jalisco, f"{JALISCO_SERIAL}\x0b\n").get_data(as_text=True)
    assert "control character (U+000B" in block(html, 1) and "/firearms/" not in html


def test_a_line_with_an_unknown_manufacturer_is_refused_and_the_rest_answered(jalisco, records):
    html = search(jalisco, f"{JALISCO_SERIAL};Acme Blasters\n{JALISCO_SERIAL};Glock\n").get_data(as_text=True)
    assert "Manufacturer: Unknown manufacturer" in block(html, 1) and "/firearms/" not in block(html, 1)
    assert f'href="/firearms/{records["jalisco"].id}"' in block(html, 2)


def test_a_list_of_501_serials_is_refused_whole(jalisco, records):
    serials = "\n".join(f"SER{number:06d}" for number in range(501))
    response = search(jalisco, serials)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at most 500 serial numbers; this one has 501" in html and 'id="serials-error"' in html
    assert "SER000500" in html  # the list stays on the form
    assert events("search.serial") == [] and events("search.serial_batch") == []


def test_an_empty_list_is_refused(jalisco):
    response = search(jalisco, "\n  \n")
    assert response.status_code == 400
    assert "The list is empty" in response.get_data(as_text=True)
    assert events("search.serial_batch") == []


def test_an_unknown_default_mode_names_the_mode(jalisco):
    response = search(jalisco, JALISCO_SERIAL, mode="regex")
    assert response.status_code == 400 and 'id="mode-error"' in response.get_data(as_text=True)


def test_an_upload_that_is_not_text_is_refused(jalisco):
    response = search(jalisco, "", file=(io.BytesIO(factories.png_bytes()), "serials.csv"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not a CSV or text file" in html and 'id="file-error"' in html
    assert events("search.serial_batch") == []


def test_a_csv_upload_gives_each_line_its_mode_and_manufacturer(jalisco, records):
    content = ("q,mode,manufacturer\n"
               f"{JALISCO_SERIAL},exact,Glock\n"
               "JAL77,partial,\n"
               f"{JALISCO_SERIAL},exact,Acme Blasters\n").encode()
    response = search(jalisco, "", file=(io.BytesIO(content), "list.csv"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert LINE.findall(html) == ["2", "3", "4"]  # the file's own line numbers (the header is line 1)
    assert "Exact match" in block(html, 2) and "Contains the known characters" in block(html, 3)
    assert "Unknown manufacturer" in block(html, 4)


def test_the_csv_download_answers_the_same_list(jalisco, records):
    serials = f"{JALISCO_SERIAL}\n8XK-1Z3456\n=HYPERLINK(\"x\")\nAB\n"
    response = jalisco.post("/search/serial/batch.csv", {"serials": serials, "mode": "fuzzy"},
                            token_from="/search/serial/batch")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0]) == ["line", "query", "mode", "match", "score", "restricted", "serial_number",
                             "manufacturer", "model", "caliber", "case_reference", "agency", "contact",
                             "reference", "note"]
    mine, theirs, formula, short = rows
    assert (mine["line"], mine["serial_number"], mine["manufacturer"], mine["match"], mine["restricted"]) == (
        "1", JALISCO_SERIAL, "Glock", "exact", "no")
    assert mine["case_reference"] == records["jalisco"].case.reference and mine["score"] == "1.00"
    assert (theirs["restricted"], theirs["match"], theirs["score"], theirs["serial_number"]) == (
        "yes", "lookalike", "", "")
    assert "FGE-SON" in theirs["agency"] and "Contacto FGE-SON" in theirs["contact"]
    assert SONORA_SERIAL not in body.decode() and records["sonora"].case.reference not in body.decode()
    assert formula["query"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert short["line"] == "4" and "at least 3 characters" in short["note"]
    (audited,) = events("search.serial_batch")
    assert audited.details["output"] == "csv"


def test_the_result_page_sends_an_uploaded_list_back_for_the_csv(jalisco, records):
    content = f"q\n{JALISCO_SERIAL}\n".encode()
    html = search(jalisco, "", file=(io.BytesIO(content), "list.csv")).get_data(as_text=True)
    download = html[html.index("data-download"):]
    kept = re.search(r'name="upload_data" type="hidden" value="([^"]+)"', download).group(1)
    assert base64.b64decode(kept) == content
    response = jalisco.post("/search/serial/batch.csv", {"upload_data": kept, "upload_name": "list.csv",
                                                         "mode": "fuzzy"}, token_from="/search/serial/batch")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [(row["line"], row["serial_number"]) for row in rows] == [("2", JALISCO_SERIAL)]


def test_a_tampered_list_sent_back_is_a_clear_error(jalisco):
    response = jalisco.post("/search/serial/batch.csv", {"upload_data": "%%%", "mode": "fuzzy"},
                            token_from="/search/serial/batch")
    assert response.status_code == 400 and "choose the file once more" in response.get_data(as_text=True)


def test_the_deconfliction_reference_and_the_withheld_notice(jalisco, records, monkeypatch):
    """Once the disclosure budget is spent the batch says so once, at the top, in the reader's language."""
    real = search_batch.search_serials

    def with_reference(*args, **kwargs):
        found = real(*args, **kwargs)
        found.restricted = [dataclasses.replace(hit, reference="DC-2026-000042") for hit in found.restricted]
        found.withheld = True
        return found

    monkeypatch.setattr(search_batch, "search_serials", with_reference)
    spanish = factories.user("analyst", factories.agency("FGE-JAL"), locale="es")
    db.session.commit()
    jalisco.logout()
    jalisco.login(spanish.username)
    html = search(jalisco, f"8XK-1Z3456\n{JALISCO_SERIAL}\n").get_data(as_text=True)
    assert "DC-2026-000042" in block(html, 1)
    assert html.count("Alcanzó el límite por hora de coincidencias con registros de otras instituciones") == 1
    assert html.index("data-withheld") < html.index('<tbody data-line="1">')


def test_the_menu_offers_the_batch_search_to_those_who_may_search(login_as):
    officer = login_as("officer", "FGR")
    html = officer.get("/search/serial/batch").get_data(as_text=True)
    assert 'href="/search/serial/batch"' in html and "Búsqueda por lote" in html
    liaison = login_as("liaison", "ATF-MX")
    assert "/search/serial/batch" not in liaison.get("/").get_data(as_text=True)


def test_on_a_phone_the_results_become_cards(jalisco, records, app):
    """Each line is a card whose cells carry their labels; wider screens keep the table in its own box."""
    html = search(jalisco, JALISCO_SERIAL).get_data(as_text=True)
    assert re.search(r'<div class="table-scroll"[^>]*>\s*<table class="[^"]*table--cards', html)
    assert 'data-label="Manufacturer">Glock' in block(html, 1)
    with open(app.static_folder + "/css/tracer.css", encoding="utf-8") as sheet:
        css = sheet.read()
    assert re.search(r"\.table-scroll \{[^}]*overflow-x: auto", css)
    phone = css[css.index("@media (max-width: 40rem)"):]
    assert ".table--cards tbody" in phone and "content: attr(data-label)" in phone
