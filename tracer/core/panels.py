"""Panels that higher rooms add to the pages of lower ones.

A case, firearm or seizure page shows what tracing, links or ballistics know of its record
without importing them: each of those rooms registers, at start-up, a function that draws
its panel for one record, and the page asks ``page_panels(page, record)`` where the panels go.
Panels are drawn in ``order`` (then in the order they were added); a panel with nothing to
show returns ``None`` or blank text and is left out.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

PAGES = ("case", "firearm", "seizure", "home")
EXTENSION = "tracer.panels"

Render = Callable[[Any], "str | Markup | None"]


def init_panels(app: Flask) -> None:
    """An empty registry, and ``page_panels`` for the templates."""
    app.extensions[EXTENSION] = {page: [] for page in PAGES}
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
