"""Audit events. Rows are never updated or deleted; the database refuses it, except the
sealer's single UPDATE that fills the chain columns of an unsealed event (see ``sealer``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tracer.core.models import UTCDateTime
from tracer.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # The events waiting for the sealer, found without reading the table.
    __table_args__ = (Index("ix_audit_events_unsealed", "id",
                            postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")),
                      # A case's timeline: its events, newest first.
                      Index("ix_audit_events_case_id_id", "case_id", "id"))

    # ``id`` is the append order (gaps where a transaction rolled back); ``seq`` is the
    # event's place in the chain, given by the sealer, NULL until then.
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_id: Mapped[int | None] = mapped_column(Integer)
    source_address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40), index=True)
    object_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    CHAIN_FIELDS = ("seq", "prev_hash", "hash")
    # The fields the hash covers, in a fixed order.
    CHAINED_FIELDS = (
        "seq", "occurred_at", "user_id", "username", "agency_id", "source_address",
        "action", "object_type", "object_id", "case_id", "request_id", "outcome", "details",
    )

    @property
    def sealed(self) -> bool:
        return self.seq is not None
