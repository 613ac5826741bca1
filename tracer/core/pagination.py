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
