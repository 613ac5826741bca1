"""Cases (expedientes): the investigation file that seizures belong to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.core.models import TimestampMixin, UTCDateTime
from tracer.extensions import db

CASE_STATUSES = ("open", "investigating", "in_review", "approved", "closed")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")


class Case(TimestampMixin, db.Model):
    __tablename__ = "cases"
    # The case list walks these, newest first: every case, or those of an agency's scope.
    __table_args__ = (Index("ix_cases_created_at_id", "created_at", "id"),
                      Index("ix_cases_owner_agency_created_at_id", "owner_agency_id", "created_at", "id"),
                      Index("ix_cases_owner_agency_status_created_at_id", "owner_agency_id", "status", "created_at",
                            "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        Enum(*CASE_STATUSES, name="case_status", native_enum=False, create_constraint=True, length=16),
        default="open", index=True,
    )
    priority: Mapped[str] = mapped_column(
        Enum(*CASE_PRIORITIES, name="case_priority", native_enum=False, create_constraint=True, length=16),
        default="normal",
    )
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    lead_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    carpeta_number: Mapped[str | None] = mapped_column(String(80), index=True)
    closure_outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    owner_agency: Mapped[Agency] = relationship(lazy="joined")
    lead_officer: Mapped[User | None] = relationship(foreign_keys=[lead_officer_id], lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class CaseReferenceCounter(db.Model):
    """The last number given to a case in each year: TR-2026-000123."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
