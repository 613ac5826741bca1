"""The home page as a work list: each room adds, at start-up, the work it holds for a user
(``add_panel(app, "home", render)``), drawn as a card of counted items, each a link to the
list where the work is done. Counts stop at ``EXACT_TOTAL_UP_TO`` ("more than 10,000"), so a
home page never counts a large table."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from sqlalchemy import Select

from tracer.core.pagination import bounded_count


@dataclass
class WorkItem:
    """One line of a work card: how many, of what, where to act; ``note`` says how old the oldest is."""

    label: str
    url: str
    count: int
    estimated: bool = False
    note: str | None = None
    urgent: bool = False


def counted(label: str, url: str, statement: Select, note: str | None = None, urgent: bool = False) -> WorkItem:
    count, estimated = bounded_count(statement)
    return WorkItem(label, url, count, estimated, note, urgent and count > 0)


def work_card(title: str, items: list[WorkItem], intro: str | None = None) -> str:
    """A work card for the home page."""
    return render_template("_macros/work_card.html", title=title, items=items, intro=intro)
