"""Panels that higher rooms add to the pages of lower ones.

A case, firearm or seizure page shows what tracing, links or ballistics know of its record
without importing them: each of those rooms registers, at start-up, a function that draws
its panel for one record, and the page asks ``page_panels(page, record)`` where the panels go.
Panels are drawn in ``order`` (then in the order they were added); a panel with nothing to
show returns ``None`` or blank text and is left out.

Most records hold nothing of most kinds a page shows (a case without scenes, notes or shares).
A room registers, beside its panel, an SQL test of whether a record holds anything of a kind
(``add_contents``); the page asks all of them in one statement (``read_contents``) before it
draws, and a section or panel reads its list only when the record ``holds`` some of it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, bindparam, select

from tracer.extensions import db

PAGES = ("case", "firearm", "seizure", "home")
EXTENSION = "tracer.panels"
CONTENTS = "tracer.panel_contents"

Render = Callable[[Any], "str | Markup | None"]
Test = Callable[[Any], ColumnElement[bool]]


def init_panels(app: Flask) -> None:
    """An empty registry, and ``page_panels`` for the templates."""
    app.extensions[EXTENSION] = {page: [] for page in PAGES}
    # Each page's tests by kind, and the statement asking them all (built on first use).
    app.extensions[CONTENTS] = ({page: {} for page in PAGES}, {})
    app.jinja_env.globals["page_panels"] = page_panels


def add_panel(app: Flask, page: str, render: Render, *, order: int = 100) -> None:
    """Draw ``render(record)`` on every ``page`` ("case", "firearm" or "seizure"; "home" draws
    ``render(user)``: the work the room holds for that user, see ``tracer.core.worklist``)."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    panels = app.extensions[EXTENSION][page]
    panels.append((order, len(panels), render))
    panels.sort(key=lambda panel: panel[:2])


def page_panels(page: str, obj: Any) -> Markup:
    """The panels of ``page`` for ``obj``, in order, the empty ones left out."""
    drawn = []
    for _order, _added, render in current_app.extensions[EXTENSION][page]:
        html = render(obj)
        if html is not None and str(html).strip():
            # Safe for B704: panels are autoescaped templates.
            drawn.append(Markup(html) if not isinstance(html, Markup) else html)  # nosec B704
    return Markup("\n").join(drawn)


def add_contents(app: Flask, page: str, kind: str, test: Test) -> None:
    """Register ``test(record_id)``: SQL, true when the record of ``page`` whose id is
    ``record_id`` (a bound parameter) holds anything of ``kind`` (an ``EXISTS`` along an index
    on the record's id). It must hold whenever the kind's list for the record has any row."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    tests, statements = app.extensions[CONTENTS]
    if kind in tests[page]:
        raise ValueError(f"{page!r} already has contents {kind!r}")
    tests[page][kind] = test
    statements.pop(page, None)


def _contents_statement(page: str) -> Select | None:
    """One ``SELECT`` of every registered test of ``page``, built once (its cache key with it)."""
    tests, statements = current_app.extensions[CONTENTS]
    if page not in statements:
        record = bindparam("record_id")
        statements[page] = select(*(test(record).label(kind) for kind, test in tests[page].items())) \
            if tests[page] else None
    return statements[page]


def read_contents(page: str, record: Any) -> dict[str, bool]:
    """Which kinds ``record`` (a record of ``page``) holds anything of, in one statement; ``holds``
    answers from it for the rest of the request."""
    statement = _contents_statement(page)
    found: dict[str, bool] = {}
    if statement is not None:
        row = db.session.execute(statement, {"record_id": record.id}).one()
        found = {kind: bool(value) for kind, value in row._mapping.items()}
    g.setdefault(CONTENTS, {})[page, record.id] = found
    return found


def holds(page: str, record: Any, kind: str) -> bool:
    """Whether ``record`` may hold anything of ``kind``: false only when this request's
    ``read_contents`` found nothing of it."""
    return g.get(CONTENTS, {}).get((page, record.id), {}).get(kind, True)
