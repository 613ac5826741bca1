"""Scenes of shootings, ballistic evidence items and the links examiners draw between items."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (Boolean, CheckConstraint, Date, Enum, Float, ForeignKey, Index, Integer, String, Text, Time,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.cases.models import Case
from tracer.core.models import TimestampMixin, UTCDateTime, utcnow
from tracer.extensions import db
from tracer.firearms.models import CUSTODY_EVENTS, Caliber, Firearm
from tracer.seizures.models import COORDINATE_SOURCES, Seizure

ITEM_KINDS = ("cartridge_case", "bullet", "test_fire")
# Kinds recovered at a scene or in a seizure; a test fire is fired from a seized firearm.
RECOVERED_KINDS = ("cartridge_case", "bullet")
TWISTS = ("left", "right")
# Class characteristics, stored as codes (labels in ``tracer.ballistics.labels``).
FIRING_PIN_SHAPES = ("circular", "elliptical", "rectangular", "hemispherical", "other")
BREECH_FACE_CLASSES = ("parallel", "arched", "granular", "circular", "cross_hatched", "smooth")
# Where the ejector mark sits on the head of the case, as a clock position seen from the head.
EJECTOR_MARKS = tuple(f"clock_{hour}" for hour in range(1, 13)) + ("none",)
JACKETS = ("full_metal_jacket", "jacketed_hollow_point", "lead", "semi_jacketed", "copper_solid", "plated", "other")

LINK_STATUSES = ("lead", "confirmed", "excluded")
# The AFTE range of conclusions, and the status each leaves the link in.
CONCLUSIONS = ("identification", "inconclusive", "elimination", "unsuitable")
STATUS_AFTER = {"identification": "confirmed", "inconclusive": "lead", "elimination": "excluded",
                "unsuitable": "lead"}
LINK_SOURCES = ("manual", "ibis")


def _enum(values, name, length=24):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class Scene(TimestampMixin, db.Model):
    """Where and when a shooting happened, within a case."""

    __tablename__ = "scenes"
    __table_args__ = (Index("ix_scenes_case_id_occurred_on", "case_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The owning agency of the case, kept here so that scoped reads need no join.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_time: Mapped[time | None] = mapped_column(Time)
    state_code: Mapped[str] = mapped_column(String(2))
    municipality_code: Mapped[str | None] = mapped_column(String(3))
    locality: Mapped[str | None] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    coordinate_source: Mapped[str | None] = mapped_column(_enum(COORDINATE_SOURCES, "scene_coordinate_source", 16))
    coordinates_outside_state: Mapped[bool] = mapped_column(Boolean, default=False)
    crime_category: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class BallisticItem(TimestampMixin, db.Model):
    """A cartridge case, a bullet or a test fire, with its class characteristics."""

    __tablename__ = "ballistic_items"
    __table_args__ = (
        CheckConstraint("kind <> 'test_fire' OR firearm_id IS NOT NULL", name="test_fire_has_firearm"),
        CheckConstraint("kind = 'test_fire' OR seizure_id IS NOT NULL OR scene_id IS NOT NULL",
                        name="recovered_item_has_origin"),
        CheckConstraint("lands IS NULL OR (lands >= 1 AND lands <= 20)", name="lands_range"),
        CheckConstraint("NOT (polygonal AND lands IS NOT NULL)", name="polygonal_has_no_lands"),
        Index("ix_ballistic_items_case_id_id", "case_id", "id"),
    )
    # The custody chain's column for this kind of owner (see ``tracer.firearms.services``).
    custody_owner_column = "ballistic_item_id"
    custody_object_type = "ballistic_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(_enum(ITEM_KINDS, "ballistic_item_kind", 16))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The owning agency of the case, kept here so that scoped lists need no join.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The state (INEGI code) where the item was recovered or its firearm seized: a lead across
    # states is decided by a federal examiner.
    state_code: Mapped[str | None] = mapped_column(String(2))
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"), index=True)
    scene_id: Mapped[int | None] = mapped_column(ForeignKey("scenes.id"), index=True)
    firearm_id: Mapped[int | None] = mapped_column(ForeignKey("firearms.id"), index=True)
    caliber_id: Mapped[int | None] = mapped_column(ForeignKey("calibers.id"))
    caliber_text: Mapped[str | None] = mapped_column(String(60))
    headstamp: Mapped[str | None] = mapped_column(String(80))
    firing_pin_shape: Mapped[str | None] = mapped_column(_enum(FIRING_PIN_SHAPES, "firing_pin_shape"))
    breech_face_class: Mapped[str | None] = mapped_column(_enum(BREECH_FACE_CLASSES, "breech_face_class"))
    ejector_mark: Mapped[str | None] = mapped_column(_enum(EJECTOR_MARKS, "ejector_mark"))
    lands: Mapped[int | None] = mapped_column(Integer)
    polygonal: Mapped[bool] = mapped_column(Boolean, default=False)
    twist: Mapped[str | None] = mapped_column(_enum(TWISTS, "rifling_twist", 8))
    land_width_mm: Mapped[float | None] = mapped_column(Float)
    groove_width_mm: Mapped[float | None] = mapped_column(Float)
    weight_grains: Mapped[float | None] = mapped_column(Float)
    jacket: Mapped[str | None] = mapped_column(_enum(JACKETS, "bullet_jacket"))
    lab_number: Mapped[str | None] = mapped_column(String(80))
    ibis_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    notes: Mapped[str | None] = mapped_column(Text)
    custody_status: Mapped[str] = mapped_column(_enum(CUSTODY_EVENTS, "item_custody_status", 20), default="seized")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    seizure: Mapped[Seizure | None] = relationship()
    scene: Mapped[Scene | None] = relationship()
    firearm: Mapped[Firearm | None] = relationship()
    caliber: Mapped[Caliber | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def caliber_name(self) -> str:
        return self.caliber.name if self.caliber else (self.caliber_text or "")

    @property
    def custody_starts_on(self) -> date | None:
        """The chain of custody cannot start before the item was recovered or its firearm seized."""
        if self.scene is not None:
            return self.scene.occurred_on
        if self.seizure is not None:
            return self.seizure.seized_on
        if self.firearm is not None and self.firearm.seizure is not None:
            return self.firearm.seizure.seized_on
        return None


class BallisticLink(db.Model):
    """Two items an examiner (or IBIS) thinks were fired by the same firearm, and the examiner's decision.

    The pair is stored ordered (``item_a_id`` < ``item_b_id``) so that a pair is found once
    whichever way it was named.
    """

    __tablename__ = "ballistic_links"
    __table_args__ = (
        UniqueConstraint("item_a_id", "item_b_id", name="uq_ballistic_links_item_a_id_item_b_id"),
        CheckConstraint("item_a_id < item_b_id", name="ordered_pair"),
        # The examiners' queue walks pending leads oldest first.
        Index("ix_ballistic_links_status_created_at_id", "status", "created_at", "id"),
        Index("ix_ballistic_links_item_b_id", "item_b_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_a_id: Mapped[int] = mapped_column(ForeignKey("ballistic_items.id"))
    item_b_id: Mapped[int] = mapped_column(ForeignKey("ballistic_items.id"))
    # The owning agencies of the two items' cases, kept here so that scoped lists need no join.
    agency_a_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency_b_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(_enum(LINK_STATUSES, "ballistic_link_status", 16), default="lead")
    conclusion: Mapped[str | None] = mapped_column(_enum(CONCLUSIONS, "ballistic_conclusion", 16))
    source: Mapped[str] = mapped_column(_enum(LINK_SOURCES, "ballistic_link_source", 8), default="manual")
    ibis_rank: Mapped[int | None] = mapped_column(Integer)
    ibis_score: Mapped[float | None] = mapped_column(Float)
    caliber_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    # The latest decision: who, when, their notes, and why a confirmed hit was undone.
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_notes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    item_a: Mapped[BallisticItem] = relationship(foreign_keys=[item_a_id])
    item_b: Mapped[BallisticItem] = relationship(foreign_keys=[item_b_id])
    examiner: Mapped[User | None] = relationship(foreign_keys=[examiner_id])

    @property
    def unsuitable(self) -> bool:
        return self.conclusion == "unsuitable"

    def other_item_id(self, item_id: int) -> int:
        return self.item_b_id if item_id == self.item_a_id else self.item_a_id
