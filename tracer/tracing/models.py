"""Trace requests sent to a US partner and their results."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.core.models import TimestampMixin, UTCDateTime
from tracer.extensions import db
from tracer.firearms.models import Firearm

TRACE_STATUSES = ("draft", "submitted", "in_progress", "completed", "no_trace")
# The lists' status filter "open": the requests still waiting for a result, those a partner office
# has opened first (its work in hand), then those sent to it.
OPEN = "open"
OPEN_STATUSES = ("in_progress", "submitted")
TRACE_PRIORITIES = ("routine", "urgent")
TRACE_OUTCOMES = ("us_retail", "us_other", "foreign", "undetermined", "no_trace")
NO_TRACE_REASONS = ("obliterated_serial", "incomplete_identifiers", "dealer_out_of_business", "too_old",
                    "records_unavailable", "other")
ORIGIN_SOURCES = ("gazetteer", "geocoded")
# Time to crime under this many days (three years) is "short": a sign of trafficking.
SHORT_TIME_TO_CRIME_DAYS = 1095
# Why a trace is asked for (Form 3312.1 "reason for trace"); "other" carries free text.
TRACE_REASONS = ("investigation", "recovered_in_crime", "found", "surrendered", "seized_in_customs", "other")
# Codes of what the system noticed in a result, shown as warnings in the reader's language.
RESULT_FLAGS = ("importer_on_us_made",)



def _enum(values, name, length=24):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class TraceRequest(TimestampMixin, db.Model):
    """One request to trace one recovered firearm (a firearm row is one recovery).

    ``identifiers`` keeps what was sent at submission — the firearm's identity,
    the seizure date and place — so the request reads the same later and the
    liaison who works it needs no access to the case.
    """

    __tablename__ = "trace_requests"
    # The lists walk these: newest first (everyone's, or an agency's scope), and a partner
    # office's queue, urgent then routine, each oldest submitted first (any status, or one).
    __table_args__ = (
        Index("ix_trace_requests_created_at_id", "created_at", "id"),
        Index("ix_trace_requests_agency_created_at_id", "agency_id", "created_at", "id"),
        Index("ix_trace_requests_partner_priority", "addressed_to_id", "priority", "submitted_at", "id"),
        Index("ix_trace_requests_partner_queue", "addressed_to_id", "status", "priority", "submitted_at", "id"),
        # The link analysis finds the cases traced to one dealer, and those of one multiple sale
        # (a dealer's report of one purchase date), from the licence.
        Index("ix_trace_requests_ffl_license_purchase_date_case_id", "ffl_license", "purchase_date", "case_id"),
        # The dealer watch list groups the traces of each dealer over a recovery period.
        # The median time to crime is read along it (tracer.stats.services.time_to_crime).
        Index("ix_trace_requests_time_to_crime_days", "time_to_crime_days"),
        Index("ix_trace_requests_dealer_recovery", "ffl_license", "recovery_date", "agency_id", "ffl_state",
              "time_to_crime_days", "multiple_sale", "recovery_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_number: Mapped[str] = mapped_column(String(20), unique=True)
    firearm_id: Mapped[int] = mapped_column(ForeignKey("firearms.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The agency that owns the firearm's case: the scope of Mexican users.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    requesting_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # The US partner office that works the request: the scope of liaison officers.
    addressed_to_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(_enum(TRACE_STATUSES, "trace_status", 16), default="draft", index=True)
    priority: Mapped[str] = mapped_column(_enum(TRACE_PRIORITIES, "trace_priority", 16), default="routine")
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the partner office opened the request (status in_progress).
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The request as Form 3312.1 lays it out (tracing.request_details checks these).
    agency_case_number: Mapped[str | None] = mapped_column(String(80))
    requester_name: Mapped[str | None] = mapped_column(String(200))
    requester_badge: Mapped[str | None] = mapped_column(String(40))
    requester_phone: Mapped[str | None] = mapped_column(String(40))
    requester_email: Mapped[str | None] = mapped_column(String(254))
    urgent_justification: Mapped[str | None] = mapped_column(Text)
    crime_category: Mapped[str | None] = mapped_column(String(40))
    ncic_code: Mapped[str | None] = mapped_column(String(4))
    project_code: Mapped[str | None] = mapped_column(String(40))
    recovery_date: Mapped[date | None] = mapped_column(Date)
    # INEGI code of the state of recovery: where the dealer's guns turn up.
    recovery_state: Mapped[str | None] = mapped_column(String(2))
    recovery_address: Mapped[str | None] = mapped_column(String(300))
    trace_reason: Mapped[str | None] = mapped_column(_enum(TRACE_REASONS, "trace_reason"))
    trace_reason_text: Mapped[str | None] = mapped_column(String(300))

    # The result, entered by the liaison (form, CSV or API).
    outcome: Mapped[str | None] = mapped_column(_enum(TRACE_OUTCOMES, "trace_outcome"), index=True)
    no_trace_reason: Mapped[str | None] = mapped_column(_enum(NO_TRACE_REASONS, "no_trace_reason"))
    ffl_name: Mapped[str | None] = mapped_column(String(200))
    ffl_license: Mapped[str | None] = mapped_column(String(20), index=True)
    ffl_street: Mapped[str | None] = mapped_column(String(200))
    ffl_city: Mapped[str | None] = mapped_column(String(120))
    ffl_state: Mapped[str | None] = mapped_column(String(2), index=True)
    ffl_zip: Mapped[str | None] = mapped_column(String(10))
    ffl_phone: Mapped[str | None] = mapped_column(String(20))
    partner_trace_number: Mapped[str | None] = mapped_column(String(40))
    importer_name: Mapped[str | None] = mapped_column(String(200))
    importer_license: Mapped[str | None] = mapped_column(String(40))
    # Codes of RESULT_FLAGS: accepted but doubtful (e.g. an importer named for a US-made firearm).
    result_flags: Mapped[list[str] | None] = mapped_column(JSON)
    origin_latitude: Mapped[float | None] = mapped_column(Float)
    origin_longitude: Mapped[float | None] = mapped_column(Float)
    origin_source: Mapped[str | None] = mapped_column(_enum(ORIGIN_SOURCES, "origin_source", 16))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    # Personal data: shown only under SPEC §2 rules, every read audited.
    purchaser_name: Mapped[str | None] = mapped_column(String(200))
    multiple_sale: Mapped[bool | None] = mapped_column(Boolean)
    # Days from purchase to seizure, fixed when the result is recorded.
    time_to_crime_days: Mapped[int | None] = mapped_column(Integer)
    result_notes: Mapped[str | None] = mapped_column(Text)
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    firearm: Mapped[Firearm] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    requesting_agency: Mapped[Agency] = relationship(foreign_keys=[requesting_agency_id])
    addressed_to: Mapped[Agency] = relationship(foreign_keys=[addressed_to_id], lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    result_by: Mapped[User | None] = relationship(foreign_keys=[result_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def short_time_to_crime(self) -> bool:
        return self.time_to_crime_days is not None and self.time_to_crime_days < SHORT_TIME_TO_CRIME_DAYS

    def __repr__(self) -> str:
        return f"<TraceRequest {self.trace_number} {self.status}>"


class TraceNumberCounter(db.Model):
    """The last trace number given in each year: RT-2026-000123."""

    __tablename__ = "trace_number_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
