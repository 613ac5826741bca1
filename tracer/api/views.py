"""API endpoints of the house: health, the OpenAPI document, the caller's profile."""
from __future__ import annotations

from typing import Literal

from flask import Blueprint, current_app, jsonify
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracer.api.openapi import build_document, documented, not_null, operation
from tracer.api.parsing import parse_json
from tracer.audit import chain as audit_chain
from tracer.auth import services as account_services
from tracer.core.access import PUBLIC
from tracer.core.models import utcnow
from tracer.core.rate_limits import account_or_address_key
from tracer.extensions import db, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
HEALTH_UNSEALED_CAP = 10_000  # no request counts more rows than that (SPEC §10)


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One allowance per account for the whole API (not one per endpoint), and per account, not per
# address: the users of one office share an address behind its NAT.
limiter.shared_limit(_api_limit, scope="api", key_func=account_or_address_key)(bp)
API_VERSION = "1.0.0"


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unreachable"]
    audit_unsealed: int | None = Field(
        default=None, description="Audit events waiting for the sealer (counted up to 10,000).")
    audit_oldest_unsealed_seconds: int | None = Field(
        default=None, description="How long the oldest of them has waited; null when none waits.")


class AgencyOut(BaseModel):
    id: int
    name: str
    acronym: str
    level: Literal["federal", "state", "us"]
    state_code: str | None


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    email: str | None
    role: Literal["officer", "analyst", "supervisor", "liaison", "admin"]
    locale: Literal["es", "en"]
    mfa_enabled: bool
    agency: AgencyOut


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Optional, but never null nor blank: an account always has a name.
    full_name: str | None = Field(default=None, min_length=1, max_length=200,
                                  json_schema_extra=lambda schema: (not_null(schema), schema.update(pattern=r"\S")))
    # The document's pattern is a plain form of address every e-mail check accepts.
    email: str | None = Field(default=None, max_length=254, **documented(
        pattern="^[a-z0-9]+([._-][a-z0-9]+)*@[a-z0-9]+(-[a-z0-9]+)*[.](com|mx|org|net)$"))
    locale: Literal["es", "en"] | None = None


@operation(bp, "/health", "GET", summary="Service and database health", allow=PUBLIC,
           response=Health, errors=(503,))
def health():
    try:
        db.session.execute(text("SELECT 1"))
        connection = db.session.connection()
        # Both read the index of unsealed events only: a stopped sealer shows here.
        unsealed = audit_chain.unsealed_count(connection, cap=HEALTH_UNSEALED_CAP)
        oldest = audit_chain.oldest_unsealed(connection) if unsealed else None
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    waited = None if oldest is None else max(0, int((utcnow() - oldest).total_seconds()))
    return jsonify({"status": "ok", "database": "ok", "audit_unsealed": unsealed,
                    "audit_oldest_unsealed_seconds": waited})


@operation(bp, "/openapi.json", "GET", summary="This OpenAPI 3.1 document", allow=PUBLIC)
def openapi():
    return jsonify(build_document(API_VERSION))


def _me():
    user = current_user
    agency = user.agency
    return Me(id=user.id, username=user.username, full_name=user.full_name, email=user.email,
              role=user.role, locale=user.locale, mfa_enabled=user.mfa_enabled,
              agency=AgencyOut(id=agency.id, name=agency.name, acronym=agency.acronym,
                               level=agency.level, state_code=agency.state_code)).model_dump()


@operation(bp, "/me", "GET", summary="The caller's account and agency", response=Me)
def me():
    return jsonify(_me())


@operation(bp, "/me", "PATCH", summary="Change the caller's name, e-mail or language",
           response=Me, body=MeUpdate)
def update_me():
    changes = parse_json(MeUpdate).model_dump(exclude_unset=True)
    account_services.update_profile(current_user, changes)
    db.session.commit()
    return jsonify(_me())
