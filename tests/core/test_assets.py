"""Static files: addresses that carry a content hash, a year in the browser's cache, gzip for
clients that accept it; pages and JSON answers compressed too."""
from __future__ import annotations

import gzip
import hashlib
import re

from tracer import ROOT
from tracer.core.assets import IMMUTABLE, scan

ASSET_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _links(page: str) -> list[str]:
    return ASSET_LINK.findall(page)


def _digest(path: str) -> str:
    return hashlib.sha256((ROOT / "static" / path).read_bytes()).hexdigest()[:12]


def test_a_page_links_its_styles_and_scripts_by_content_hash(client):
    links = _links(client.get("/auth/notice").get_data(as_text=True))

    assert f"/static/css/tracer.css?v={_digest('css/tracer.css')}" in links
    assert f"/static/js/tracer.js?v={_digest('js/tracer.js')}" in links
    assert all("?v=" in link for link in links), links


def test_a_hashed_address_is_cached_for_a_year_an_unhashed_one_is_revalidated(client):
    current = client.get(f"/static/css/tracer.css?v={_digest('css/tracer.css')}")
    assert current.status_code == 200
    assert current.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"

    for stale in ("/static/css/tracer.css", "/static/css/tracer.css?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", stale
        response.close()
    current.close()


def test_a_client_that_accepts_gzip_gets_a_smaller_stylesheet_with_the_same_content(client):
    address = f"/static/css/tracer.css?v={_digest('css/tracer.css')}"
    plain = client.get(address)
    packed = client.get(address, headers={"Accept-Encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert gzip.decompress(packed.data) == plain.data == (ROOT / "static/css/tracer.css").read_bytes()
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    assert packed.headers["Cache-Control"] == IMMUTABLE
    plain.close(), packed.close()


def test_images_are_not_compressed_again(client):
    response = client.get("/static/vendor/leaflet/images/layers.png", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    response.close()


def test_a_page_is_compressed_for_a_client_that_accepts_gzip(client):
    plain = client.get("/auth/notice")
    packed = client.get("/auth/notice", headers={"Accept-Encoding": "gzip"})

    assert packed.headers["Content-Encoding"] == "gzip" and len(packed.data) < len(plain.data)
    assert "Tracer" in gzip.decompress(packed.data).decode()
    assert "Content-Encoding" not in plain.headers


def test_a_request_another_site_made_is_not_compressed(client):
    response = client.get("/auth/notice", headers={"Accept-Encoding": "gzip", "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers


def test_a_large_json_answer_is_compressed(client):
    plain = client.get("/api/v1/openapi.json")
    packed = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})

    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data


def test_a_changed_file_gets_a_new_hash(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black; }\n" * 40)
    before = scan(tmp_path)["css/site.css"]

    sheet.write_text("body { color: navy; }\n" * 40)
    after = scan(tmp_path)["css/site.css"]

    assert before.digest != after.digest
    assert gzip.decompress(after.gzipped) == sheet.read_bytes()
    assert scan(tmp_path) == {"css/site.css": after}


def test_a_compressed_copy_is_revalidated_without_sending_it_again(client):
    first = client.get("/static/css/tracer.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    first.close()
    again = client.get("/static/css/tracer.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})

    assert etag.startswith("W/")  # the same content in another encoding
    assert again.status_code == 304 and again.data == b""
    again.close()
