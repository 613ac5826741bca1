"""Seizures (aseguramientos): when, where and by whom firearms were seized."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency
from tracer.cases.models import Case
from tracer.core.models import TimestampMixin
from tracer.extensions import db
from tracer.firearms.models import Firearm

COORDINATE_SOURCES = ("gps", "geocoded", "gazetteer")


class Seizure(TimestampMixin, db.Model):
    __tablename__ = "seizures"
    # A seizure_ref belongs to the agency that records it (SPEC §2), whoever the seizing agency is.
    __table_args__ = (UniqueConstraint("recorded_by_agency_id", "seizure_ref",
                                       name="uq_seizures_recorded_by_agency_seizure_ref"),
                      # The trace backlog walks seizures by date, longest waiting first.
                      Index("ix_seizures_seized_on_id", "seized_on", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The seizing agency.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The agency of the user who recorded or imported the seizure.
    recorded_by_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # Read along ix_seizures_seized_on_id (date, then id).
    seized_on: Mapped[date] = mapped_column(Date)
    seized_time: Mapped[time | None] = mapped_column(Time)
    state_code: Mapped[str] = mapped_column(String(2), index=True)
    municipality_code: Mapped[str | None] = mapped_column(String(3))
    locality: Mapped[str | None] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    coordinate_source: Mapped[str | None] = mapped_column(
        Enum(*COORDINATE_SOURCES, name="coordinate_source", native_enum=False, create_constraint=True, length=16))
    coordinates_outside_state: Mapped[bool] = mapped_column(Boolean, default=False)
    circumstances: Mapped[str | None] = mapped_column(Text)
    operation_name: Mapped[str | None] = mapped_column(String(160))
    crime_category: Mapped[str | None] = mapped_column(String(80))
    magazines_count: Mapped[int] = mapped_column(Integer, default=0)
    cartridges_count: Mapped[int] = mapped_column(Integer, default=0)
    # The reference that groups rows of one seizure in an imported file.
    seizure_ref: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined", foreign_keys=[agency_id])
    firearms: Mapped[list[Firearm]] = relationship(back_populates="seizure", order_by=Firearm.id)

    __mapper_args__ = {"version_id_col": version}
