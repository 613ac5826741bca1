"""Panels that higher rooms add to the pages of lower ones.

A case, firearm or seizure page shows what tracing, links or ballistics know of its record
without importing them: each of those rooms registers, at start-up, a function that draws
its panel for one record, and the page asks ``page_panels(page, record)`` where the panels go.
Panels are drawn in ``order`` (then in the order they were added); a panel with nothing to
show returns ``None`` or blank text and is left out.

Most records hold nothing of most kinds a page shows (a case without scenes, notes or shares).
A room registers, beside its panel, an SQL test of whether a record holds anything of a kind
(``add_contents``); the page asks all of them in one statement (``read_contents``) before it
draws, and a section or panel reads its list only when the record ``holds`` some of it. A page
that reads its record itself asks them in the record's own statement (``read_record``): one
round trip for both.
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
    # Each page's tests by kind, and the statements asking them all (built on first use): alone
    # by page, as columns of the record's statement by (page, "columns").
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
    on the record's id). It must hold whenever the kind's list for the record has any row. A fact
    the page needs that is not the record's (``record_id`` unused) may be asked alongside, as
    long as it reads a small table or an index."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(PAGES)}")
    tests, statements = app.extensions[CONTENTS]
    if kind in tests[page]:
        raise ValueError(f"{page!r} already has contents {kind!r}")
    tests[page][kind] = test
    statements.pop(page, None)
    statements.pop((page, "columns"), None)


def _contents_statement(page: str) -> Select | None:
    """One ``SELECT`` of every registered test of ``page``, built once (its cache key with it)."""
    tests, statements = current_app.extensions[CONTENTS]
    if page not in statements:
        record = bindparam("record_id")
        statements[page] = select(*(test(record).label(kind) for kind, test in tests[page].items())) \
            if tests[page] else None
    return statements[page]


def _contents_columns(page: str, key: ColumnElement) -> list[ColumnElement[bool]]:
    """Every registered test of ``page`` as a column correlated to ``key`` (the record's id
    column in the statement reading it), built once."""
    tests, statements = current_app.extensions[CONTENTS]
    if (page, "columns") not in statements:
        statements[page, "columns"] = [test(key).label(f"holds_{kind}") for kind, test in tests[page].items()]
    return statements[page, "columns"]


def _keep(page: str, record: Any, values) -> dict[str, bool]:
    tests = current_app.extensions[CONTENTS][0][page]
    found = {kind: bool(value) for kind, value in zip(tests, values)}
    g.setdefault(CONTENTS, {})[page, record.id] = found
    return found


def read_contents(page: str, record: Any) -> dict[str, bool]:
    """Which kinds ``record`` (a record of ``page``) holds anything of, in one statement unless its
    ``read_record`` asked already; ``holds`` answers from it for the rest of the request."""
    known = g.get(CONTENTS, {}).get((page, record.id))
    if known is not None:
        return known
    statement = _contents_statement(page)
    if statement is None:
        return _keep(page, record, ())
    return _keep(page, record, db.session.execute(statement, {"record_id": record.id}).one())


def read_record(page: str, statement: Select, key: ColumnElement) -> Any | None:
    """The record that ``statement`` (an ORM select of one entity of ``page``, whose id column is
    ``key``) finds, or None; what it holds of each kind is asked in the same statement, for
    ``read_contents`` and ``holds``."""
    row = db.session.execute(statement.add_columns(*_contents_columns(page, key))).first()
    if row is None:
        return None
    _keep(page, row[0], row[1:])
    return row[0]


def holds(page: str, record: Any, kind: str) -> bool:
    """Whether ``record`` may hold anything of ``kind``: false only when this request's
    ``read_contents`` found nothing of it."""
    return g.get(CONTENTS, {}).get((page, record.id), {}).get(kind, True)
