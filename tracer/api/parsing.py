"""Reading a JSON body into a pydantic model, with the API's error answers."""
from __future__ import annotations

from typing import Any, Iterator, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from tracer.core.database import MAX_ROW_ID
from tracer.core.errors import DomainError, ValidationFailed
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _

Model = TypeVar("Model", bound=BaseModel)


class MalformedRequest(DomainError):
    status = 400
    code = "malformed_json"


class WrongContentType(MalformedRequest):
    code = "bad_content_type"


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind in ("string_too_long",):
        return _("At most %(n)d characters.", n=context.get("max_length") or 0)
    if kind in ("string_too_short",):
        return _("At least %(n)d characters.", n=context.get("min_length") or 0)
    if kind in ("literal_error", "enum"):
        return _("Not one of the allowed values: %(values)s.", values=context.get("expected", ""))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("Wrong type of value.")
    return _("Invalid value.")


def _numbers(value: Any, path: tuple) -> Iterator[tuple[tuple, int]]:
    """(path, value) of every whole number in a JSON value."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, (*path, index))


def parse_json(model: type[Model], multiline: tuple[str, ...] = ()) -> Model:
    """The request body as ``model``; 400 when it is not JSON, 422 naming each bad field.
    Fields named in ``multiline`` may hold line breaks (notes, circumstances)."""
    if not request.is_json:
        raise WrongContentType(_("Send the body as application/json."), {"content_type": request.content_type or ""})
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nesting deep enough to exhaust the decoder
        payload = None
    if payload is None:
        raise MalformedRequest(_("The body is not valid JSON."))
    if not isinstance(payload, dict):
        raise MalformedRequest(_("The body must be a JSON object."))
    # Whole numbers the database's integer columns cannot hold (ids, versions, counts) are refused
    # here, before any query compares a column with one.
    too_large = {".".join(map(str, path)): [_("The number is out of range.")]
                 for path, value in _numbers(payload, ()) if not -MAX_ROW_ID - 1 <= value <= MAX_ROW_ID}
    if too_large:
        raise ValidationFailed(_("Some fields are not valid."), too_large)
    try:
        parsed = model.model_validate(payload)
    except ValidationError as error:
        fields: dict[str, list[str]] = {}
        for item in error.errors():
            name = ".".join(str(part) for part in item["loc"]) or "body"
            fields.setdefault(name, []).append(_field_message(item))
        raise ValidationFailed(_("Some fields are not valid."), fields) from None
    fields = {name: [_("Contains an invisible or control character.")]
              for name, value in parsed.model_dump().items()
              if isinstance(value, str) and forbidden_character(value, name in multiline) is not None}
    if fields:
        raise ValidationFailed(_("Some fields are not valid."), fields)
    return parsed
