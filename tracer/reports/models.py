"""Stored versions of a case report: what was printed or approved, frozen with its SHA-256."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import User
from tracer.core.models import UTCDateTime, utcnow
from tracer.extensions import db

VERSION_KINDS = ("approved", "draft")
# What the database answers to a change of a stored version (see the revision that made the table).
FROZEN = "stored case report versions and exports never change"


class CaseReportVersion(db.Model):
    """One version of a case's report: the canonical content (JSON text, sorted keys) and its hash.

    ``approved`` versions are written when a supervisor approves the case; ``draft`` versions when a
    report that matches no stored version is printed, so that every printed report can be verified.
    The database refuses UPDATE and DELETE of any stored version: an approved report never changes,
    and a printed draft stays verifiable.
    """

    __tablename__ = "case_report_versions"
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_case_report_versions_case_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(
        Enum(*VERSION_KINDS, name="case_report_version_kind", native_enum=False, create_constraint=True, length=16))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CaseReportVersion case={self.case_id} v{self.number} {self.kind}>"


class CaseReportExport(db.Model):
    """One PDF file handed out: the version it prints and the SHA-256 of the file's bytes, so that
    ``reports verify`` can tell an exported file from one altered afterwards. Never changed."""

    __tablename__ = "case_report_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("case_report_versions.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    paper: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    redacted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()
