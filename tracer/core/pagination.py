"""Page-by-page listing of a query, shared by pages and the API."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from tracer.extensions import db

MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _bounds(page: Any, per_page: Any) -> tuple[int, int]:
    return min(1_000_000, max(1, _int(page, 1))), min(MAX_PER_PAGE, max(1, _int(per_page, 25)))


def paginate_list(items: list[Any], page: Any = 1, per_page: Any = 25) -> Page:
    """A page of ``items`` already read (a short list that must be whole before it is paged)."""
    page_number, size = _bounds(page, per_page)
    start = (page_number - 1) * size
    return Page(items[start:start + size], page_number, size, len(items))


def paginate(statement: Select, page: Any = 1, per_page: Any = 25) -> Page:
    page_number, size = _bounds(page, per_page)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = list(db.session.scalars(statement.limit(size).offset((page_number - 1) * size)))
    return Page(items, page_number, size, total)


# Lists whose table may hold millions of rows walk an index instead of counting it (SPEC §7, §10).
EXACT_TOTAL_UP_TO = 10_000


@dataclass
class KeysetPage:
    """One step of a list walked by id, newest first: ``next`` continues after the last item."""

    items: list[Any]
    per_page: int
    next: str | None
    total: int
    total_estimated: bool


def _cursor(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def keyset_page(statement: Select, id_column, cursor: Any = None, per_page: Any = 25) -> KeysetPage:
    """The rows of ``statement`` by ``id_column`` descending, after ``cursor`` (the last id
    seen), ``per_page`` at most. The total is counted exactly up to ``EXACT_TOTAL_UP_TO``
    rows and flagged as an estimate beyond, so no list counts a large table."""
    _page, size = _bounds(1, per_page)
    after = _cursor(cursor)
    walked = statement.order_by(id_column.desc())
    if after is not None:
        walked = walked.where(id_column < after)
    rows = list(db.session.scalars(walked.limit(size + 1)))
    items, more = rows[:size], len(rows) > size
    capped = statement.with_only_columns(id_column).order_by(None).limit(EXACT_TOTAL_UP_TO + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    return KeysetPage(items, size, str(items[-1].id) if more and items else None,
                      min(total, EXACT_TOTAL_UP_TO), total > EXACT_TOTAL_UP_TO)
