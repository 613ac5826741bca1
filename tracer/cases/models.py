"""Cases (expedientes): the investigation file that seizures belong to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.core.models import TimestampMixin, UTCDateTime, utcnow
from tracer.extensions import db

CASE_STATUSES = ("open", "investigating", "in_review", "approved", "closed")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")


class Case(TimestampMixin, db.Model):
    __tablename__ = "cases"
    # The case list walks these, newest first: every case, or those of an agency's scope.
    __table_args__ = (Index("ix_cases_created_at_id", "created_at", "id"),
                      Index("ix_cases_owner_agency_created_at_id", "owner_agency_id", "created_at", "id"),
                      Index("ix_cases_owner_agency_status_created_at_id", "owner_agency_id", "status", "created_at",
                            "id"),
                      # The review queue walks the cases in review, oldest submission first.
                      Index("ix_cases_status_submitted_at_id", "status", "submitted_at", "id"))

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
    # When the case was last submitted for review: the review queue's order.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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


# The parts of a case a reviewer comments on, stored as codes and labelled in the reader's language.
REVIEW_SECTIONS = ("summary", "seizures", "firearms", "traces", "ballistics", "people", "links", "notes")
REVIEW_DECISIONS = ("approved", "returned")


class CaseReview(db.Model):
    """One review round: the findings submitted, and the supervisor's decision on them."""

    __tablename__ = "case_reviews"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_case_reviews_case_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    round: Mapped[int] = mapped_column(Integer)
    findings: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(
        Enum(*REVIEW_DECISIONS, name="case_review_decision", native_enum=False, create_constraint=True, length=16))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    comments: Mapped[list["ReviewComment"]] = relationship(order_by="ReviewComment.id", back_populates="review")


class ReviewComment(db.Model):
    """A supervisor's comment on one section of a case, made when returning it."""

    __tablename__ = "case_review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("case_reviews.id"), index=True)
    section: Mapped[str] = mapped_column(
        Enum(*REVIEW_SECTIONS, name="case_review_section", native_enum=False, create_constraint=True, length=16))
    comment: Mapped[str] = mapped_column(Text)

    review: Mapped[CaseReview] = relationship(back_populates="comments")


class CaseNote(db.Model):
    """A note written on a case by someone working it."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_id_id", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class CaseAssignment(db.Model):
    """An analyst assigned to work a case."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "analyst_id", name="uq_case_assignments_case_analyst"),
                      # "Assigned to me": an analyst's cases, newest assignment first.
                      Index("ix_case_assignments_analyst_id_id", "analyst_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    analyst_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    analyst: Mapped[User] = relationship(foreign_keys=[analyst_id], lazy="joined")


class CaseShare(db.Model):
    """A case shared with another agency, which then sees it and what belongs to it, until revoked."""

    __tablename__ = "case_shares"
    # The scope rule asks, for every scoped read, which cases are shared with the reader's agency.
    __table_args__ = (Index("ix_case_shares_agency_id_case_id", "agency_id", "case_id"),
                      Index("ix_case_shares_case_id", "case_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship(lazy="joined")
