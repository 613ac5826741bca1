"""The throughput baseline of SPEC §10: the least work any audited request must do, as a tiny
WSGI application on bare SQLAlchemy Core (not a route of the product).

    gunicorn -c gunicorn.conf.py tests.bench.baseline_app:app

Each request checks its caller with one indexed lookup — a bearer token in ``api_tokens`` by
its SHA-256, or the session id held in Tracer's signed session cookie in ``user_sessions`` —
reads one firearm by primary key (``?id=``) and appends one row to ``bench.baseline_log``, a
table without any index (made by ``prepare``), then commits. It reads TRACER_DATABASE_URL and
TRACER_SECRET_KEY, as the application does, so the cookie the sign-in form gave is accepted
here too. Answers: 200 with a few bytes of JSON, 401 without a live session or token.
"""
from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import parse_qs

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import create_engine, text

COOKIE = "tracer_session"
LOG_TABLE = "bench.baseline_log"

_engine = None
_cookies = None


def prepare(url: str) -> None:
    """Create the log table, before the servers start. It lives in a schema of its own: the
    register's schema stays exactly the migrations' (``serial_data.dataset_ready``)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {LOG_TABLE.split('.')[0]}"))
        connection.execute(text(f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} "
                                "(at timestamptz NOT NULL, user_id integer, firearm_id integer)"))
    engine.dispose()


def _database():
    global _engine
    if _engine is None:
        _engine = create_engine(os.environ["TRACER_DATABASE_URL"], pool_size=5, pool_recycle=1800)
    return _engine


def _serializer() -> URLSafeTimedSerializer:
    """Flask's own cookie signing (``SecureCookieSessionInterface``), without Flask's app."""
    global _cookies
    if _cookies is None:
        from flask.json.tag import TaggedJSONSerializer

        _cookies = URLSafeTimedSerializer(os.environ["TRACER_SECRET_KEY"], salt="cookie-session",
                                          serializer=TaggedJSONSerializer(),
                                          signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    return _cookies


def _session_id(environ) -> str | None:
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            try:
                return _serializer().loads(value, max_age=12 * 3600).get("sid")
            except BadSignature:
                return None
    return None


def _caller(connection, environ) -> int | None:
    scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer":
        digest = hashlib.sha256(credentials.strip().encode("utf-8", "ignore")).hexdigest()
        return connection.execute(text(
            "SELECT user_id FROM api_tokens WHERE token_hash = :digest AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > now())"), {"digest": digest}).scalar()
    sid = _session_id(environ)
    if not sid:
        return None
    digest = hashlib.sha256(sid.encode("ascii", "ignore")).hexdigest()
    return connection.execute(text("SELECT user_id FROM user_sessions WHERE sid_hash = :digest AND ended_at IS NULL"),
                              {"digest": digest}).scalar()


def app(environ, start_response):
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        firearm_id = int(query.get("id", ["0"])[0])
    except ValueError:
        firearm_id = 0
    with _database().begin() as connection:
        user_id = _caller(connection, environ)
        if user_id is None:
            status, body = "401 Unauthorized", {"error": "unauthorized"}
        else:
            row = connection.execute(text("SELECT id, serial_number, model FROM firearms WHERE id = :id"),
                                     {"id": firearm_id}).first()
            connection.execute(text(f"INSERT INTO {LOG_TABLE} (at, user_id, firearm_id) VALUES (now(), :user, :id)"),
                               {"user": user_id, "id": firearm_id})
            status, body = "200 OK", {"id": row.id if row else None, "serial": row.serial_number if row else None}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
