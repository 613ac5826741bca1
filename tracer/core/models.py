"""Column types and mixins shared by every domain."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back an aware UTC datetime (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def render_migration_item(type_, obj, autogen_context):
    """Write UTCDateTime into migrations as a plain timezone-aware DateTime,
    so revisions do not import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Tables a migration keeps that the models do not describe: SQLite's full-text index
# of serials (a virtual table and the shadow tables SQLite makes for it).
UNMODELLED_TABLES = ("firearm_serials_fts",)


def autogenerate_filter(dialect_name: str):
    """``include_object`` for Alembic's comparison on ``dialect_name``: leaves out the
    unmodelled tables, and indexes declared for another database only (``ddl_if``)."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and name and name.startswith(UNMODELLED_TABLES):
            return False
        condition = getattr(obj, "_ddl_if", None)
        wanted = getattr(condition, "dialect", None)
        if wanted is not None:
            return dialect_name == wanted if isinstance(wanted, str) else dialect_name in wanted
        return True

    return include
