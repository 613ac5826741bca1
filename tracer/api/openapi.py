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


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _CONVERTER.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return API_PREFIX + _CONVERTER.sub(r"{\2}", rule), parameters


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in generated.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = generated
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_DESCRIPTIONS = {400: "Malformed request", 401: "No or bad token", 403: "Role may not",
                      404: "Absent or out of scope", 409: "Stale version", 422: "Validation failed",
                      429: "Too many requests", 503: "Unavailable"}


def build_document(version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    error_ref = _ref(ErrorBody, schemas)
    for op in sorted(OPERATIONS, key=lambda o: (o.rule, o.method)):
        path, parameters = _path(op.rule)
        parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                        "description": text} for name, text in op.query.items()]
        responses: dict[str, Any] = {}
        responses[str(op.status)] = _json(_ref(op.response, schemas), "Success") if op.response else {"description": "Success"}
        codes = set(op.errors) | ({429} if op.roles != PUBLIC else set())
        if op.roles != PUBLIC:
            codes |= {401, 403}
        if op.body is not None:
            codes |= {400, 422}
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
