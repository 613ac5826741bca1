"""Page-by-page listing of a query, shared by pages and the API."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import Any, Callable, Sequence

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, literal_column, or_, select, tuple_

from tracer.core.errors import DomainError
from tracer.core.translation import gettext as _
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


class BadListRequest(DomainError):
    """A cursor that is not this list's (tampered with, or copied from another list), or a
    page number beyond the pages served by number: 400, naming the parameter."""

    status = 400
    code = "bad_request"

    @property
    def fields(self) -> dict[str, list[str]]:
        # As ``ValidationFailed`` names them, so ``show_errors`` shows the message on the page.
        return self.details


@dataclass(frozen=True)
class SortKey:
    """One column of a list's ordering: the SQL expression, how to read it from an item, and
    its direction. The last key must be unique (the id) so that the walk never skips a row."""

    expression: Any
    value: Callable[[Any], Any]
    descending: bool = False


def by(expression, value: Callable[[Any], Any] | None = None, descending: bool = False) -> SortKey:
    """A ``SortKey`` on ``expression``, read from an item by its attribute of the same name
    unless ``value`` says otherwise."""
    return SortKey(expression, value or attrgetter(expression.key), descending)


@dataclass
class KeysetPage:
    """One step of a list walked along an index: ``next`` continues after the last item,
    ``prev`` goes back before the first; both are signed cursors, or None at either end.
    ``page`` is the page number when the step was asked for by number (the first pages)."""

    items: list[Any]
    per_page: int
    next: str | None
    total: int
    total_estimated: bool
    prev: str | None = None
    page: int | None = None

    @property
    def pages(self) -> int | None:
        """How many pages, when the total is exact; None when it is an estimate."""
        return None if self.total_estimated else max(1, -(-self.total // self.per_page))


def _signer(list_name: str) -> URLSafeSerializer:
    # The list's name salts the signature: a cursor of one list is not one of another.
    return URLSafeSerializer(current_app.secret_key, salt=f"tracer.list-cursor.{list_name}")


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and set(value) == {"d"}:
        return date.fromisoformat(value["d"])
    if value is None or isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return value
    raise ValueError(value)


def _bad_cursor() -> BadListRequest:
    message = _("The cursor does not belong to this list: open the list again from its first page.")
    return BadListRequest(message, {"cursor": [message]})


def make_cursor(list_name: str, keys: Sequence[SortKey], item: Any, forward: bool, part: int = 0) -> str:
    """The signed cursor that continues ``list_name`` after (or, going back, before) ``item``,
    which is in part ``part`` of the list."""
    values = [_dump(key.value(item)) for key in keys]
    return _signer(list_name).dumps({"list": list_name, "part": part, "keys": values, "forward": forward})


def read_cursor(list_name: str, keys: Sequence[SortKey], cursor: str, parts: int = 1) -> tuple[list[Any], bool, int]:
    """The key values, direction and part a cursor of ``list_name`` carries; ``BadListRequest``
    naming ``cursor`` when it was tampered with, is malformed or belongs to another list."""
    try:
        payload = _signer(list_name).loads(str(cursor)[:2000])
        part = payload["part"]
        if payload.get("list") != list_name or len(payload["keys"]) != len(keys) or not isinstance(part, int) \
                or not 0 <= part < parts:
            raise ValueError(payload)
        return [_load(value) for value in payload["keys"]], bool(payload["forward"]), part
    except (BadSignature, ValueError, TypeError, KeyError, AttributeError) as error:
        raise _bad_cursor() from error


def _beyond(keys: Sequence[SortKey], values: list[Any], forward: bool) -> ColumnElement[bool]:
    """SQL: the rows after ``values`` in the list's order (before them when not ``forward``).
    One direction throughout compares row values, which an index answers as a range."""
    params = [bindparam(None, value, type_=key.expression.type) for key, value in zip(keys, values)]
    later = [key.descending != (not forward) for key in keys]  # True: "after" means "less than"
    if len(set(later)) == 1:
        left, right = tuple_(*(key.expression for key in keys)), tuple_(*params)
        beyond = left < right if later[0] else left > right
        if len(keys) < 3:
            return beyond
        # Implied by the row comparison, and an index condition when the first keys are those of
        # one table of a join (the backlog's seizures) while the last is another's.
        head, head_values = tuple_(*(key.expression for key in keys[:-1])), tuple_(*params[:-1])
        return and_(head <= head_values if later[0] else head >= head_values, beyond)
    alternatives = []
    for index, key in enumerate(keys):
        equal = [keys[i].expression == params[i] for i in range(index)]
        step = key.expression < params[index] if later[index] else key.expression > params[index]
        alternatives.append(and_(*equal, step))
    return or_(*alternatives)


def _ordered(statement: Select, keys: Sequence[SortKey], forward: bool) -> Select:
    return statement.order_by(None).order_by(*(
        key.expression.desc() if key.descending == forward else key.expression.asc() for key in keys))


def bounded_count(statement: Select) -> tuple[int, bool]:
    """How many rows ``statement`` yields, counted up to ``EXACT_TOTAL_UP_TO`` and flagged as an
    estimate beyond: (count, estimated). The count stops at the bound, whatever the table's size.

    One statement: whether a row lies beyond the bound (the rows skipped, not counted: half the
    work of counting them), and only when none does, the count."""
    first = statement.selected_columns[0] if statement.selected_columns else literal_column("1")
    rows = statement.with_only_columns(first, maintain_column_froms=True).order_by(None)
    counted = select(func.count()).select_from(rows.limit(EXACT_TOTAL_UP_TO).subquery()).scalar_subquery()
    total = db.session.scalar(select(case((rows.offset(EXACT_TOTAL_UP_TO).exists(), EXACT_TOTAL_UP_TO + 1),
                                          else_=counted))) or 0
    return min(total, EXACT_TOTAL_UP_TO), total > EXACT_TOTAL_UP_TO


def _fetch(statement: Select, keys: Sequence[SortKey], values: list[Any] | None, forward: bool, limit: int,
           offset: int = 0, as_rows: bool = False) -> list[Any]:
    walked = _ordered(statement, keys, forward)
    if values is not None:
        walked = walked.where(_beyond(keys, values, forward))
    if offset:
        walked = walked.offset(offset)
    result = db.session.execute(walked.limit(limit))
    return list(result if as_rows else result.scalars())


def keyset_page(statement: Select | Sequence[Select], keys: Sequence[SortKey] | Any, cursor: Any = None,
                per_page: Any = 25, *, list_name: str, page: Any = None, count: bool = True,
                counted: tuple[int, bool] | None = None, as_rows: bool = False) -> KeysetPage:
    """A step of ``statement`` walked in the order of ``keys`` (``SortKey``s, or one id column
    walked newest first): after or before the row a signed ``cursor`` of ``list_name`` names,
    or, without one, page ``page`` of the first pages (those within ``EXACT_TOTAL_UP_TO`` rows).

    ``statement`` may be a sequence of statements, the parts of a list shown one after the
    other, each walked along its own index (a list ordered first by a few kinds, each kind
    walked by date). The total is counted exactly up to ``EXACT_TOTAL_UP_TO`` and flagged as
    an estimate beyond, so no list counts a large table. ``count=False`` skips the count (a
    part of a page shown without its total): the total is then flagged as an estimate. A caller
    that has counted a single statement already (as ``bounded_count`` does) passes ``counted``
    instead of having it counted again. The items
    are the statement's first column (its entities), or with ``as_rows`` its rows."""
    parts = list(statement) if isinstance(statement, (list, tuple)) else [statement]
    if not isinstance(keys, (list, tuple)):
        keys = [by(keys, descending=True)]
    _page, size = _bounds(1, per_page)
    if counted is not None and len(parts) == 1:
        counts = [counted]
    else:
        counts = [bounded_count(part) if count else (EXACT_TOTAL_UP_TO, True) for part in parts]
    rows: list[tuple[int, Any]] = []
    number, forward, walked_from = None, True, cursor not in (None, "")
    if walked_from:
        values, forward, start = read_cursor(list_name, keys, cursor, len(parts))
        for index in (range(start, len(parts)) if forward else range(start, -1, -1)):
            found = _fetch(parts[index], keys, values if index == start else None, forward, size + 1 - len(rows),
                           as_rows=as_rows)
            rows += [(index, item) for item in found]
            if len(rows) > size:
                break
    else:
        number = min(1_000_000, max(1, _int(page, 1)))
        skip = (number - 1) * size
        if skip >= EXACT_TOTAL_UP_TO:
            message = _("Only the first pages are reached by number: go on with the next page's link (cursor).")
            raise BadListRequest(message, {"page": [message]})
        for index, part in enumerate(parts):
            counted, estimated = counts[index]
            if skip >= counted and not estimated:
                skip -= counted
                continue
            found = _fetch(part, keys, None, True, size + 1 - len(rows), skip, as_rows)
            rows, skip = rows + [(index, item) for item in found], 0
            if len(rows) > size:
                break
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    has_next = more if forward else walked_from
    has_prev = (more if not forward else walked_from) or (number or 1) > 1
    total = sum(counted for counted, _estimated in counts)
    estimated = total > EXACT_TOTAL_UP_TO or any(flag for _counted, flag in counts)
    return KeysetPage([item for _index, item in rows], size,
                      make_cursor(list_name, keys, rows[-1][1], True, rows[-1][0]) if has_next and rows else None,
                      min(total, EXACT_TOTAL_UP_TO), estimated,
                      make_cursor(list_name, keys, rows[0][1], False, rows[0][0]) if has_prev and rows else None,
                      number)


# --- the JSON API's list fields (SPEC §7) -----------------------------------------------------------

PAGING_QUERY = {
    "cursor": "The ``next`` (or ``prev``) of a page: continues the list from there",
    "page": "Page number, from 1: the first pages only (up to 10,000 items); go on with ``cursor``",
    "per_page": "Items per page, at most 100 (default 25)",
}


class ListPage(BaseModel):
    """The fields every list of the API carries beside its ``items``."""

    page: int | None = Field(description="The page number when asked by number; null after a cursor")
    per_page: int
    next: str | None = Field(description="Cursor of the next page, or null at the end")
    prev: str | None = Field(description="Cursor of the previous page, or null at the start")
    total: int = Field(description="Exact up to 10,000; beyond, 10,000 with total_estimated true")
    total_estimated: bool


def list_fields(page: KeysetPage) -> dict[str, Any]:
    """``page``'s ``ListPage`` fields, for a JSON answer."""
    return {"page": page.page, "per_page": page.per_page, "next": page.next, "prev": page.prev,
            "total": page.total, "total_estimated": page.total_estimated}
