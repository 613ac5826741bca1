"""Possible repeat recoveries of a firearm: two records that may be the same firearm."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, Float, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import User
from tracer.core.models import UTCDateTime, utcnow
from tracer.extensions import db
from tracer.firearms.models import Firearm

LINK_MATCHES = ("exact", "lookalike", "edit", "letters_ignored")
LINK_STATUSES = ("possible", "confirmed", "dismissed")


def _enum(values, name, length=24):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class FirearmLink(db.Model):
    """Two recoveries whose identity matches or nearly matches: perhaps the same firearm.

    Detected when a firearm is recorded (``firearm_id`` is the newer record);
    an analyst confirms or dismisses it.
    """

    __tablename__ = "firearm_links"
    __table_args__ = (
        UniqueConstraint("firearm_id", "other_firearm_id", name="uq_firearm_links_pair"),
        CheckConstraint("firearm_id <> other_firearm_id", name="distinct"),
        # The open links list walks each kind of match newest first.
        Index("ix_firearm_links_status_match_detected_at_id", "status", "match", "detected_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firearm_id: Mapped[int] = mapped_column(ForeignKey("firearms.id"), index=True)
    other_firearm_id: Mapped[int] = mapped_column(ForeignKey("firearms.id"), index=True)
    match: Mapped[str] = mapped_column(_enum(LINK_MATCHES, "firearm_link_match", 16))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(_enum(LINK_STATUSES, "firearm_link_status", 16), default="possible",
                                        index=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    firearm: Mapped[Firearm] = relationship(foreign_keys=[firearm_id])
    other_firearm: Mapped[Firearm] = relationship(foreign_keys=[other_firearm_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
