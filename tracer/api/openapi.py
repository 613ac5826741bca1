"""API routes declared once, with their schemas; the OpenAPI 3.1 document is built from them.

``operation`` registers a view on the API blueprint, declares its roles for the
access hook, and records its request and response models (pydantic), so the
document served at /api/v1/openapi.json cannot drift from the code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint
from pydantic import BaseModel

from tracer.core.access import PUBLIC, WORKING_ROLES, public, roles
from tracer.core.database import MAX_ROW_ID

API_PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(BaseModel):
    error: ErrorDetail


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    roles: Any
    response: type[BaseModel] | None
    body: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    query: dict[str, str] = field(default_factory=dict)
    endpoint: str = ""


OPERATIONS: list[Operation] = []


def operation(bp: Blueprint, rule: str, method: str, *, summary: str, allow=WORKING_ROLES,
              response: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
              status: int = 200, errors: tuple[int, ...] = (), query: dict[str, str] | None = None):
    """Register an API view: route, access declaration and OpenAPI entry in one place."""

    def decorate(view: Callable) -> Callable:
        view = public(view) if allow == PUBLIC else roles(*allow)(view)
        bp.add_url_rule(rule, view_func=view, methods=[method])
        OPERATIONS.append(Operation(rule, method.lower(), summary, allow, response, body, status,
                                    errors, query or {}, f"{bp.name}.{view.__name__}"))
        return view

    return decorate


ROW_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
# Days from 1900 on (earlier ones are refused as too far in the past).
DAY = {"type": "string", "format": "date", "pattern": "^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"}
STATE_CODE = {"type": "string", "pattern": "^(0[1-9]|[12][0-9]|3[0-2])$"}
# Query parameters that mean the same on every list, by name; an operation may give its own schema
# with a (description, schema) pair.
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    # Pages by number reach the first 10,000 items only: with the largest pages, page 100.
    "page": {"type": "integer", "minimum": 1, "maximum": 100},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "case_id": ROW_ID, "item_id": ROW_ID,
    "created_from": DAY, "created_to": DAY, "submitted_from": DAY, "submitted_to": DAY,
    "recovered_from": DAY, "recovered_to": DAY, "from": DAY, "to": DAY,
    "state": STATE_CODE, "recovery_state": STATE_CODE,
    "direction": {"type": "string", "enum": ["incoming", "outgoing"]},
    "mode": {"type": "string", "enum": ["exact", "partial", "fuzzy"]},
    "twist": {"type": "string", "enum": ["left", "right"]},
    "short_ttc": {"type": "string", "enum": ["yes", "no"]},
    "multiple_sale": {"type": "string", "enum": ["yes", "no"]},
    "reference": {"type": "string", "pattern": "^DC-[0-9]{4}-0{0,5}[1-9][0-9]{0,5}$"},
}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema = dict(ROW_ID) if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return API_PREFIX + _CONVERTER.sub(r"{\2}", rule), parameters


def documented(**rules: Any) -> dict[str, Any]:
    """Field arguments that state in the document rules the service checks with messages of its
    own (``Field(None, **documented(pattern=...))``): pydantic does not check them. A rule beside
    ``anyOf`` binds the string or number branch; an ``enum`` of an optional field lists null."""
    return {"json_schema_extra": rules}


def not_null(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of an optional field that, when sent, may not be null."""
    branches = [branch for branch in schema.pop("anyOf", []) if branch.get("type") != "null"]
    schema.pop("default", None)
    if branches:
        schema.update(branches[0])


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    generated = _text_patterns(model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for name, definition in [*generated.pop("$defs", {}).items(), (model.__name__, generated)]:
        # Two models of one name in two rooms would silently share one schema.
        if schemas.setdefault(name, definition) != definition:
            raise ValueError(f"two API models are named {name}")
    return {"$ref": f"#/components/schemas/{model.__name__}"}


# Free text refuses control, invisible formatting, private-use and unassigned characters
# (tracer.core.text). Their exact set is hundreds of ranges, too many for a pattern a client can
# check, so the document names scripts every character of which is accepted (Latin with its
# accents, Greek and Cyrillic letters, Hebrew, Arabic, CJK, punctuation and symbols): a value
# made of them is never refused for its characters. Multi-line fields take line breaks besides.
ACCEPTED_TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x36F), (0x391, 0x3A1), (0x3A3, 0x3FF),
                        (0x400, 0x52F), (0x5D0, 0x5EA), (0x621, 0x64A), (0x660, 0x669), (0x2010, 0x2027),
                        (0x2030, 0x205E), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x3041, 0x3096),
                        (0x30A1, 0x30FA), (0x4E00, 0x9FFF))


def text_pattern() -> str:
    """The ``FreeText`` pattern: characters of ``ACCEPTED_TEXT_RANGES`` only."""
    accepted = "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in ACCEPTED_TEXT_RANGES)
    return f"^[{accepted}]*$"


FREE_TEXT = "FreeText"
FREE_TEXT_REF = {"$ref": f"#/components/schemas/{FREE_TEXT}"}


def _text_patterns(schema: Any) -> Any:
    """Every free-text string of ``schema`` held to the ``FreeText`` schema, and every whole
    number to the range ``parse_json`` takes (that of the database's integer columns)."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not {"enum", "const", "format", "allOf"} & set(schema):
            schema["allOf"] = [FREE_TEXT_REF]
        if schema.get("type") == "integer":
            schema.setdefault("minimum", -MAX_ROW_ID - 1)
            schema.setdefault("maximum", MAX_ROW_ID)
        for value in schema.values():
            _text_patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            _text_patterns(value)
    return schema


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_DESCRIPTIONS = {400: "Malformed request", 401: "No or bad token", 403: "Role may not",
                      404: "Absent or out of scope", 409: "Stale version", 422: "Validation failed",
                      429: "Too many requests", 503: "Unavailable"}


def build_document(version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {FREE_TEXT: {
        "type": "string", "pattern": text_pattern(),
        "description": "Free text: control, invisible formatting, private-use and unassigned characters are "
                       "refused; the pattern names scripts whose every character is accepted."}}
    paths: dict[str, Any] = {}
    error_ref = _ref(ErrorBody, schemas)
    for op in sorted(OPERATIONS, key=lambda o: (o.rule, o.method)):
        path, parameters = _path(op.rule)
        for name, described in op.query.items():
            text, schema, required = (*described, False)[:3] if isinstance(described, tuple) else (described, None, False)
            schema = schema() if callable(schema) else schema  # read when the document is built
            schema = _text_patterns(dict(schema or QUERY_SCHEMAS.get(name, {"type": "string"})))
            parameters.append({"name": name, "in": "query", "required": required, "schema": schema,
                               "description": text})
        responses: dict[str, Any] = {}
        responses[str(op.status)] = _json(_ref(op.response, schemas), "Success") if op.response else {"description": "Success"}
        codes = set(op.errors) | ({429} if op.roles != PUBLIC else set())
        if op.roles != PUBLIC:
            codes |= {401, 403}
        if op.body is not None:
            codes |= {400, 422}
        if parameters:  # a path id out of scope or range, a query value refused
            codes |= {404} if "{" in path or any(p["schema"] == ROW_ID for p in parameters) else set()
            codes |= {400, 422} if op.query else set()
        for code in sorted(codes):
            responses[str(code)] = _json(error_ref, ERROR_DESCRIPTIONS.get(code, "Error"))
        entry: dict[str, Any] = {"summary": op.summary, "operationId": op.endpoint.replace(".", "_"),
                                 "responses": responses}
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body, schemas)}}}
        if op.roles == PUBLIC:
            entry["security"] = []
        else:
            entry["x-roles"] = sorted(op.roles)
        paths.setdefault(path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tracer API", "version": version,
                 "description": "Seized-firearm tracing. Errors: {\"error\": {\"code\", \"message\", \"details\"}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
