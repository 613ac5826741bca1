"""Batch serial search: an analyst's list of serials (a batch trace list) answered in one go.

Each line is one serial search as the single search runs it (``search_serials``):
the same scope, the same restricted hits, the same audit and the same disclosure
budget. A line that cannot be searched (a control character, too short for its mode,
an unknown manufacturer) gets its own error and the other lines are still answered.
The batch as a whole is audited once more, with its counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field


from tracer.audit.services import record
from tracer.core.errors import ValidationFailed
from tracer.core.text import describe_character, forbidden_character
from tracer.core.translation import gettext as _
from tracer.search.query import check_mode
from tracer.search.scope import DEFAULT_LIMIT, SerialSearch, search_serials

# The longest list one batch may hold (SPEC §7).
MAX_QUERIES = 500


@dataclass(frozen=True)
class BatchQuery:
    """One line of a batch: the serial as written, its mode (None: the batch's default)
    and an optional manufacturer; ``line`` is where the user wrote it (a line of the
    list or of the file), None when the API sent it."""

    q: str
    mode: str | None = None
    manufacturer: str | None = None
    line: int | None = None


@dataclass
class BatchAnswer:
    """What one line found, or why it could not be searched (``errors`` by field)."""

    query: BatchQuery
    found: SerialSearch | None = None
    message: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.found is None


@dataclass
class BatchSearch:
    """Every line's answer, in the order sent."""

    answers: list[BatchAnswer]

    @property
    def hits(self) -> int:
        return sum(len(answer.found.hits) for answer in self.answers if answer.found)

    @property
    def restricted(self) -> int:
        return sum(len(answer.found.restricted) for answer in self.answers if answer.found)

    @property
    def failures(self) -> int:
        return sum(1 for answer in self.answers if answer.failed)

    @property
    def withheld(self) -> bool:
        """Whether matches outside the user's scope were withheld on any line (the disclosure budget is spent)."""
        return any(answer.found.withheld for answer in self.answers if answer.found)


def batch_size_problem(count: int) -> str | None:
    """Why a batch of ``count`` lines cannot be searched (it holds 1 to ``MAX_QUERIES``), or None."""
    if count < 1:
        return _("The list is empty: write at least one serial number.")
    if count > MAX_QUERIES:
        return _("A batch holds at most %(max)d serial numbers; this one has %(count)d.",
                 max=MAX_QUERIES, count=count)
    return None


def _check_characters(query: BatchQuery) -> None:
    """A control or invisible character in a line is named as such, wherever it stands
    (the single search would take one at either end of the serial for blank space)."""
    errors = {}
    for name, value in (("q", query.q), ("manufacturer", query.manufacturer)):
        bad = forbidden_character(value) if isinstance(value, str) else None
        if bad is not None:
            errors[name] = [_("Contains an invisible or control character (%(char)s).", char=describe_character(bad))]
    if errors:
        raise ValidationFailed(_("Check the search."), errors)


def _answer(user, query: BatchQuery, default_mode: str | None) -> BatchAnswer:
    if not (query.q or "").strip():
        message = _("Enter a serial number or part of one.")
        return BatchAnswer(query, message=message, errors={"q": [message]})
    try:
        _check_characters(query)
        found = search_serials(user, query.q, query.mode or default_mode, query.manufacturer, DEFAULT_LIMIT)
    except ValidationFailed as failure:
        return BatchAnswer(query, message=failure.message, errors=failure.fields)
    return BatchAnswer(query, found=found)


def search_batch(user, queries: list[BatchQuery], default_mode: str | None = None,
                 output: str = "page") -> BatchSearch:
    """Search every line of ``queries`` for ``user``, in order; a line without a mode uses
    ``default_mode`` (fuzzy when None); ``output`` (``page``, ``csv``, ``api``) goes into the
    audit trail. Each search is audited as a single search is, and
    the batch once (``search.serial_batch``), in the current transaction (the caller commits).

    Raises ``ValidationFailed`` on ``queries`` for an empty list or one longer than ``MAX_QUERIES``,
    on ``mode`` for an unknown default mode; a line's own problem is its answer's ``errors``.
    """
    errors: dict[str, list[str]] = {}
    problem = batch_size_problem(len(queries))
    if problem:
        errors["queries"] = [problem]
    try:
        default_mode = check_mode(default_mode)
    except ValidationFailed as failure:
        errors.update(failure.fields)
    if errors:
        raise ValidationFailed(_("Check the search."), errors)
    batch = BatchSearch([_answer(user, query, default_mode) for query in queries])
    record("search.serial_batch", actor=user, details={
        "queries": len(queries), "hits": batch.hits, "restricted_hits": batch.restricted,
        "errors": batch.failures, "withheld": batch.withheld, "output": output})
    return batch
