"""Configuration classes, read from the environment.

``TRACER_ENV`` picks the class: ``development`` (default for the command line
and ``make run``), ``production`` or ``test``.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _count(name: str, default: int) -> int:
    """A whole number of zero or more from the environment; anything else stops the start."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number, 0 or more")
    return int(value)


def _development_secret() -> str:
    """A per-checkout secret kept in ``instance/`` so sessions survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "TRACER_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracer.db'}"
    )
    # No ping before each checkout: it cost a round trip on every request. Connections are
    # replaced after TRACER_DB_POOL_RECYCLE seconds instead (before a server, pooler or
    # firewall idle timeout drops them), and a connection the server closed anyway (restart,
    # failover) fails only the request that meets it, with a 503 "try again": SQLAlchemy then
    # discards every connection of the pool opened before the failure, so the next request
    # connects afresh (tests/core/test_database_pool.py).
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": False,
        "pool_recycle": _count("TRACER_DB_POOL_RECYCLE", 1800),
    }
    # Optional streaming replica of that database: the dashboard, the map and stats/summary read
    # there (tracer/core/database.py, read_session); every other read and every write, the primary.
    REPLICA_DATABASE_URI = os.environ.get("TRACER_REPLICA_DATABASE_URL") or None
    SECRET_KEY = os.environ.get("TRACER_SECRET_KEY")
    REDIS_URL = os.environ.get("TRACER_REDIS_URL") or None
    GEOCODER = os.environ.get("TRACER_GEOCODER", "offline")
    REQUIRE_MFA = _flag("TRACER_REQUIRE_MFA", False)
    # Proxies in front of the app (load balancer): how many X-Forwarded-* hops to trust.
    PROXY_HOPS = int(os.environ.get("TRACER_PROXY_HOPS") or 0)

    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "America/Mexico_City"
    LANGUAGES = ("es", "en")
    # The compiled catalogs (.mo) ship with the release beside their .po files.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "tracer" / "translations")

    SESSION_COOKIE_NAME = "tracer_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    ARGON2_PROFILE = "RFC_9106_LOW_MEMORY"
    API_TOKEN_LIFETIME = timedelta(days=int(os.environ.get("TRACER_API_TOKEN_DAYS") or 90))
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    # Sign-in forms count per account name (see tracer/auth/views.py), and also per address, but
    # ten times more generously: an office behind one address must not lock itself out.
    LOGIN_RATE_LIMIT = "20 per minute"
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("TRACER_LOGIN_ADDRESS_RATE_LIMIT") or "200 per minute"
    # Every API call, per account (per address only for calls without a valid token).
    API_RATE_LIMIT = os.environ.get("TRACER_API_RATE_LIMIT") or "600 per minute"
    # Restricted disclosures (another agency's record matches) one user may receive an hour,
    # across every channel (SPEC §2); past it matches are withheld. 0 withholds them all.
    DISCLOSURE_BUDGET = _count("TRACER_DISCLOSURE_BUDGET", 50)
    # On PostgreSQL, audit events are chained by the sealer (`flask audit seal`) unless this is
    # set: then each request chains its own, queueing on the chain's lock (SQLite always does).
    AUDIT_SEAL_ON_COMMIT = _flag("TRACER_AUDIT_SEAL_ON_COMMIT", False)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_ENABLED = True
    # One Redis round trip per limit a request spends: the fixed window is one atomic
    # INCR-with-expiry script, exact across processes and hosts (the moving window keeps a
    # list entry per hit; the sliding-window counter reads two keys). The extension's
    # X-RateLimit-* headers would cost two more reads (TTL, GET) on every answer, so they are
    # off: tracer/core/rate_limits.py names the allowance on every limited answer and, on a
    # refused one only, when it returns (Retry-After).
    RATELIMIT_STRATEGY = "fixed-window"
    RATELIMIT_HEADERS_ENABLED = False
    # Passed to the Redis client (one connection pool per process): a stalled Redis fails
    # the request within a second instead of holding a worker.
    RATELIMIT_STORAGE_OPTIONS = {"key_prefix": "tracer-limits", "socket_timeout": 1.0,
                                 "socket_connect_timeout": 1.0}
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Photos and documents: kept outside static/, under names the server makes.
    UPLOAD_FOLDER = os.environ.get("TRACER_UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    UPLOAD_MAX_BYTES = int(os.environ.get("TRACER_UPLOAD_MAX_BYTES") or 15 * 1024 * 1024)
    # Optional map tiles (e.g. an internal tile server: "https://tiles.example.mx/{z}/{x}/{y}.png");
    # without it the seizure map shows the state outlines shipped with the project.
    MAP_TILE_URL = os.environ.get("TRACER_MAP_TILE_URL") or None
    MAP_TILE_ATTRIBUTION = os.environ.get("TRACER_MAP_TILE_ATTRIBUTION") or ""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = os.environ.get("TRACER_SECRET_KEY") or _development_secret()


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TRACER_TEST_DATABASE_URL") or "sqlite://"
    REPLICA_DATABASE_URI = None
    RATELIMIT_ENABLED = False
    REQUIRE_MFA = False
    ARGON2_PROFILE = "CHEAPEST"  # hashing speed is not what the tests check
    # Tests read the chain right after their commits, with no sealer running; the sealer's
    # own tests turn it off.
    AUDIT_SEAL_ON_COMMIT = _flag("TRACER_AUDIT_SEAL_ON_COMMIT", True)
    UPLOAD_FOLDER = os.environ.get("TRACER_TEST_UPLOAD_FOLDER") or str(Path(tempfile.gettempdir()) / "tracer-test-uploads")
    MAP_TILE_URL = None


class ProductionConfig(Config):
    ENV_NAME = "production"
    REQUIRE_MFA = _flag("TRACER_REQUIRE_MFA", True)

    @classmethod
    def check(cls) -> None:
        """Refuse to start a production process that would keep state of its own."""
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("TRACER_SECRET_KEY must be set in production (32 characters or more)")
        if cls.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            raise RuntimeError("TRACER_DATABASE_URL must name a PostgreSQL database in production")
        if cls.REPLICA_DATABASE_URI and not cls.REPLICA_DATABASE_URI.startswith("postgresql"):
            raise RuntimeError("TRACER_REPLICA_DATABASE_URL must name a PostgreSQL replica of TRACER_DATABASE_URL")
        if not cls.REDIS_URL:
            raise RuntimeError("TRACER_REDIS_URL must be set in production (rate limits shared by every process)")
        for language in cls.LANGUAGES:
            catalog = Path(cls.BABEL_TRANSLATION_DIRECTORIES) / language / "LC_MESSAGES" / "messages.mo"
            if not catalog.is_file():
                # Without it every page of that language would be served in the English of the code.
                raise RuntimeError(f"the compiled {language!r} catalog is missing ({catalog}); "
                                   "the release ships it: restore it or run make translations")


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("TRACER_ENV", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"TRACER_ENV must be one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
