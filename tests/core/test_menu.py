"""The main menu, drawn once per role, language and page in each process: each reader still sees
their role's links, in their language, with the page they are on marked."""
from __future__ import annotations

import re

from tracer.core.menu import EXTENSION


def menu(page: str) -> str:
    return re.search(r'<nav id="mainnav".*?</nav>', page, re.S).group(0)


def current(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page"', menu(page))


def test_each_role_sees_its_own_menu_in_its_language_with_its_page_marked(app, login_as):
    app.extensions[EXTENSION].clear()
    analyst = login_as("analyst", "FGR")
    cases = analyst.get("/cases").get_data(as_text=True)
    assert "Casos" in menu(cases) and "Tablero" in menu(cases) and "Usuarios" not in menu(cases)
    assert current(cases) == ["/cases"]
    assert current(analyst.get("/").get_data(as_text=True)) == ["/"]
    assert current(analyst.get("/cases").get_data(as_text=True)) == ["/cases"]  # kept, and still right

    english = login_as("analyst", "FGR", locale="en").get("/cases").get_data(as_text=True)
    assert "Dashboard" in menu(english) and "Tablero" not in menu(english)

    officer = login_as("officer", "FGR").get("/cases").get_data(as_text=True)
    assert "Casos" in menu(officer) and "Tablero" not in menu(officer)

    admin = login_as("admin", "FGR").get("/").get_data(as_text=True)
    assert "Usuarios" in menu(admin) and 'href="/cases"' not in menu(admin)
    assert len(app.extensions[EXTENSION]) == 5  # analyst on two pages, in English, officer, admin


def test_a_visitor_who_has_not_signed_in_gets_no_menu(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'id="mainnav"' not in page
