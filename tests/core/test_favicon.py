"""The site icon: where browsers look for it, and named by every page."""
from __future__ import annotations


def test_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an icon file


def test_pages_name_the_icon(client):
    page = client.get("/auth/notice").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.ico?v=' in page
