"""Batch serial search on the JSON API (SPEC §7): an analyst's list of serials checked in one request.

The same service as the batch page; each item is answered like the single search's
hits, or carries its own error while the other items are answered. The request counts
once against the API's per-account limit, whatever the length of its list.
"""
from __future__ import annotations

from typing import Literal, Union

from flask import jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from tracer.api.openapi import operation
from tracer.api.parsing import parse_json
from tracer.api.views import bp
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.deconfliction.labels import limit_reached_message
from tracer.extensions import db
from tracer.search.api import HitOut, RestrictedHitOut, hit_json, restricted_json
from tracer.search.batch import MAX_QUERIES, BatchAnswer, BatchQuery, batch_size_problem, search_batch
from tracer.search.views import SEARCHERS

# A line's own problem: the batch is answered, this item is not searched.
LINE_ERROR_CODE = "validation_failed"


class BatchQueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(description="The serial or part of it; ? and * in partial mode")
    mode: str | None = Field(default=None, description="exact, partial or fuzzy (default fuzzy)")
    manufacturer: str | None = Field(default=None, description="Canonical name or any alias of the maker")


class SerialBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: list[BatchQueryIn] = Field(min_length=1, max_length=MAX_QUERIES,
                                        description=f"1 to {MAX_QUERIES} searches, answered in this order")


class BatchRestrictedHitOut(RestrictedHitOut):
    reference: str | None = Field(default=None, description="The deconfliction reference both agencies quote")


class LineError(BaseModel):
    code: Literal["validation_failed"]
    message: str
    details: dict[str, list[str]] = Field(description="Each field of the item at fault, with its messages")


class BatchItemOut(BaseModel):
    q: str = Field(description="The query as sent")
    mode: str
    query: str = Field(description="The query as normalised")
    hits: list[Union[HitOut, BatchRestrictedHitOut]] = Field(
        description="Hits in the caller's scope, best first (at most 20), then restricted hits")
    withheld: bool = Field(description="Matches outside the caller's scope were withheld: the disclosure "
                                       "budget is spent")


class BatchItemErrorOut(BaseModel):
    q: str = Field(description="The query as sent")
    error: LineError


class SerialBatchOut(BaseModel):
    items: list[Union[BatchItemOut, BatchItemErrorOut]] = Field(description="One per query, in the order sent")
    withheld: bool = Field(description="True when any item's matches outside the caller's scope were withheld")
    message: str | None = Field(default=None, description="What to do when matches were withheld")


def _item(answer: BatchAnswer) -> dict:
    q = answer.query.q
    if answer.failed:
        return {"q": q, "error": {"code": LINE_ERROR_CODE, "message": answer.message, "details": answer.errors}}
    found = answer.found
    restricted = [restricted_json(hit) for hit in found.restricted]
    return {"q": q, "mode": found.query.mode, "query": found.query.text, "withheld": found.withheld,
            "hits": [hit_json(hit) for hit in found.hits] + restricted}


def _body() -> SerialBatchIn:
    """The request as ``SerialBatchIn``; every problem of its shape or length is named under ``queries``."""
    try:
        payload = request.get_json(silent=True) if request.is_json else None
    except RecursionError:  # nesting deep enough to exhaust the decoder: parse_json answers it
        payload = None
    if payload is not None and not isinstance(payload, dict):
        message = _("Send an object with the list of searches: {\"queries\": [{\"q\": \"…\"}, …]}.")
        raise ValidationFailed(message, {"queries": [message]})
    try:
        return parse_json(SerialBatchIn)
    except ValidationFailed as failure:
        sent = (request.get_json(silent=True) or {}).get("queries")
        problem = batch_size_problem(len(sent)) if isinstance(sent, list) else None
        if problem:
            raise ValidationFailed(problem, {"queries": [problem]}) from None
        messages = [message if name == "queries" else _("%(field)s: %(message)s", field=name, message=message)
                    for name, found in failure.fields.items() for message in found]
        raise ValidationFailed(failure.message, {"queries": messages}) from None


@operation(bp, "/search/serial/batch", "POST", allow=SEARCHERS, body=SerialBatchIn, response=SerialBatchOut,
           summary=f"Search a list of up to {MAX_QUERIES} serial numbers at once; each item answers like "
                   "the serial search, or with its own error while the others are answered")
def search_serial_batch():
    body = _body()
    queries = [BatchQuery(item.q, item.mode, item.manufacturer) for item in body.queries]
    batch = search_batch(current_user, queries, output="api")
    db.session.commit()  # every search, its restricted hits and the batch are audited
    return jsonify({"items": [_item(answer) for answer in batch.answers], "withheld": batch.withheld,
                    "message": limit_reached_message() if batch.withheld else None})
