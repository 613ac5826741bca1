"""Seized firearms, the reference lists that name them, their custody chain and files."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event, false, inspect, text, true)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.core.models import TimestampMixin, UTCDateTime, utcnow
from tracer.extensions import db
from tracer.firearms.serials import serial_search_keys

FIREARM_TYPES = ("pistol", "revolver", "rifle", "shotgun", "submachine_gun", "machine_gun", "receiver_frame", "other")
SERIAL_STATUSES = ("intact", "obliterated", "altered", "restored", "none")
CUSTODY_EVENTS = ("seized", "packaged", "transferred", "received", "stored", "sent_to_lab",
                  "returned_from_lab", "released", "destroyed")
CONDITIONS = ("good", "worn", "damaged", "inoperable", "parts")


# Search keys compare byte by byte: range scans on a prefix must not depend on a
# locale's collation (PostgreSQL's default one may ignore or reorder characters).
SearchKey = String(64).with_variant(String(64, collation="C"), "postgresql")
# Words separated by spaces; on PostgreSQL a tsvector (its GIN index answers "holds all these").
PositionGrams = Text().with_variant(TSVECTOR(), "postgresql")


def _enum(values, name, length=20):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class Manufacturer(db.Model):
    __tablename__ = "manufacturers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    country_code: Mapped[str | None] = mapped_column(String(2))
    # Known serial-number shapes (regular expressions on the normalised serial).
    serial_patterns: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    aliases: Mapped[list["ManufacturerAlias"]] = relationship(back_populates="manufacturer",
                                                              cascade="all, delete-orphan")


class ManufacturerAlias(db.Model):
    """Another way the maker is written ("S&W", "SMITH & WESSON"); ``key`` is its folded form."""

    __tablename__ = "manufacturer_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    alias: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(120), unique=True)

    manufacturer: Mapped[Manufacturer] = relationship(back_populates="aliases")


class Caliber(db.Model):
    __tablename__ = "calibers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    # Firearm types the cartridge is chambered in (values of FIREARM_TYPES).
    firearm_types: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    aliases: Mapped[list["CaliberAlias"]] = relationship(back_populates="caliber", cascade="all, delete-orphan")


class CaliberAlias(db.Model):
    __tablename__ = "caliber_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    caliber_id: Mapped[int] = mapped_column(ForeignKey("calibers.id"), index=True)
    alias: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(60), unique=True)

    caliber: Mapped[Caliber] = relationship(back_populates="aliases")


class Firearm(TimestampMixin, db.Model):
    __tablename__ = "firearms"
    __table_args__ = (
        # An external_id (of an imported row) is unique within the agency that recorded the firearm.
        UniqueConstraint("recorded_by_agency_id", "external_id", name="uq_firearms_recorded_by_agency_external_id"),
        Index("ix_firearms_identity", "manufacturer_id", "serial_normalized"),
        # With the id (and on PostgreSQL the maker, which its lookups compare in the range),
        # the one-edit range lookups read the index alone (index-only scans) and fetch rows
        # only for the serials that pass.
        Index("ix_firearms_serial_skeleton", "serial_skeleton", "id", postgresql_include=["manufacturer_id"]),
        Index("ix_firearms_serial_skeleton_reversed", "serial_skeleton_reversed", "id",
              postgresql_include=["manufacturer_id"]),
        # The links of new firearms (``links.bulk``) are looked for among the firearms of the same
        # maker (none counts as one maker): led by the maker, the one-edit ranges hold only that
        # maker's serials, a few dozen entries instead of the hundreds that share half a serial
        # across all makers.
        Index("ix_firearms_maker_serial_skeleton", text("coalesce(manufacturer_id, 0)"), "serial_skeleton", "id",
              postgresql_include=["manufacturer_id"]).ddl_if(dialect="postgresql"),
        Index("ix_firearms_maker_serial_skeleton_reversed", text("coalesce(manufacturer_id, 0)"),
              "serial_skeleton_reversed", "id", postgresql_include=["manufacturer_id"]).ddl_if(dialect="postgresql"),
        # Substring and wildcard searches on PostgreSQL (pg_trgm); SQLite has the
        # firearm_serials_fts table instead (see the migration that creates both).
        Index("ix_firearms_serial_normalized_trgm", "serial_normalized", postgresql_using="gin",
              postgresql_ops={"serial_normalized": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        Index("ix_firearms_restored_serial_normalized_trgm", "restored_serial_normalized", postgresql_using="gin",
              postgresql_ops={"restored_serial_normalized": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        # Partial patterns of scattered known characters (N?Y6?96): their position grams
        # (``serials.position_grams``); SQLite has the firearm_serials_fts_grams table instead.
        Index("ix_firearms_serial_positions", "serial_positions", postgresql_using="gin").ddl_if(
            dialect="postgresql"),
        # The backlog walks seizures by date, then each seizure's firearms by id; its ready and
        # not-ready counts read the firearms of one readiness in the user's scope.
        Index("ix_firearms_seizure_id_id", "seizure_id", "id"),
        Index("ix_firearms_trace_ready_agency_id", "trace_ready", "agency_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up along ix_firearms_seizure_id_id (seizure, then id).
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The owning agency of the case, kept here so that scoped lists need no join.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The agency of the user who recorded or imported the firearm (that of its seizure's recorder).
    # Every write of the seizure services fills it; rows written by hand may leave it empty.
    recorded_by_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    firearm_type: Mapped[str] = mapped_column(_enum(FIREARM_TYPES, "firearm_type"))
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"))
    manufacturer_text: Mapped[str | None] = mapped_column(String(120))
    model: Mapped[str | None] = mapped_column(String(120))
    caliber_id: Mapped[int | None] = mapped_column(ForeignKey("calibers.id"))
    caliber_text: Mapped[str | None] = mapped_column(String(60))
    serial_number: Mapped[str | None] = mapped_column(String(64))
    serial_normalized: Mapped[str | None] = mapped_column(String(64), index=True)
    serial_status: Mapped[str] = mapped_column(_enum(SERIAL_STATUSES, "serial_status"))
    restored_serial: Mapped[str | None] = mapped_column(String(64))
    restored_serial_normalized: Mapped[str | None] = mapped_column(String(64), index=True)
    # Search keys, kept by ``serial_search_keys`` on every write (see ``_keep_search_keys``).
    serial_skeleton: Mapped[str | None] = mapped_column(SearchKey)
    serial_skeleton_reversed: Mapped[str | None] = mapped_column(SearchKey)
    serial_digits: Mapped[str | None] = mapped_column(SearchKey, index=True)
    # A few hundred bytes no page shows: not loaded with the firearm.
    serial_positions: Mapped[str | None] = mapped_column(PositionGrams, deferred=True)
    importer: Mapped[str | None] = mapped_column(String(160))
    country_code: Mapped[str | None] = mapped_column(String(2))
    markings: Mapped[str | None] = mapped_column(Text)
    condition: Mapped[str | None] = mapped_column(_enum(CONDITIONS, "firearm_condition"))
    converted_to_automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    custody_status: Mapped[str] = mapped_column(_enum(CUSTODY_EVENTS, "custody_status"), default="seized")
    notes: Mapped[str | None] = mapped_column(Text)
    # Whether the firearm carries every identifier a trace needs: the readiness rule, computed
    # in Python whenever the identifiers are written (see ``tracer.tracing.readiness``).
    trace_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    external_id: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    manufacturer: Mapped[Manufacturer | None] = relationship(lazy="joined")
    caliber: Mapped[Caliber | None] = relationship(lazy="joined")
    seizure: Mapped["Seizure"] = relationship(back_populates="firearms")  # noqa: F821
    case: Mapped["Case"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": version}
    # The custody chain's column for this kind of owner (see ``tracer.firearms.services``).
    custody_owner_column = "firearm_id"
    custody_object_type = "firearm"

    @property
    def custody_starts_on(self):
        """The chain of custody starts with the seizure."""
        return self.seizure.seized_on if self.seizure is not None else None

    @property
    def manufacturer_name(self) -> str:
        return self.manufacturer.name if self.manufacturer else (self.manufacturer_text or "")

    @property
    def caliber_name(self) -> str:
        return self.caliber.name if self.caliber else (self.caliber_text or "")


@event.listens_for(Firearm, "before_insert")
@event.listens_for(Firearm, "before_update")
def _keep_search_keys(mapper, connection, firearm: Firearm) -> None:
    # Every ORM write goes through here; bulk Core inserts call serial_search_keys themselves.
    # The keys follow the serials only: an update that leaves both alone rewrites none (a
    # tsvector read back is not the text written, so setting it again would always write it).
    state = inspect(firearm)
    if state.persistent and not any(state.attrs[name].history.has_changes()
                                    for name in ("serial_normalized", "restored_serial_normalized")):
        return
    for name, value in serial_search_keys(firearm.serial_normalized, firearm.restored_serial_normalized).items():
        setattr(firearm, name, value)


class CustodyEvent(db.Model):
    """One entry of the Registro de Cadena de Custodia of a firearm or of a ballistic evidence
    item (exactly one of the two). Never updated or deleted."""

    __tablename__ = "custody_events"
    __table_args__ = (CheckConstraint("(firearm_id IS NULL) <> (ballistic_item_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firearm_id: Mapped[int | None] = mapped_column(ForeignKey("firearms.id"), index=True)
    ballistic_item_id: Mapped[int | None] = mapped_column(ForeignKey("ballistic_items.id"), index=True)
    event: Mapped[str] = mapped_column(_enum(CUSTODY_EVENTS, "custody_event"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    handed_over_by_name: Mapped[str | None] = mapped_column(String(160))
    handed_over_by_institution: Mapped[str | None] = mapped_column(String(160))
    handed_over_by_rank: Mapped[str | None] = mapped_column(String(80))
    received_by_name: Mapped[str | None] = mapped_column(String(160))
    received_by_institution: Mapped[str | None] = mapped_column(String(160))
    received_by_rank: Mapped[str | None] = mapped_column(String(80))
    place: Mapped[str | None] = mapped_column(String(200))
    packaging: Mapped[str | None] = mapped_column(String(200))
    seal_number: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)
    # What the system itself notes is kept as a code (CUSTODY_NOTE_LABELS) and shown in the
    # reader's language; ``notes`` holds only what a person typed.
    note_code: Mapped[str | None] = mapped_column(String(40))
    # False when the entry's moment has a date but no time (a seizure recorded without one):
    # ``occurred_at`` then holds the day's local midnight, which must not be shown as a time.
    time_recorded: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # A correction names the event it corrects; the original stays as it was.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("custody_events.id"))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attachment: Mapped["Attachment | None"] = relationship(lazy="joined")


class Attachment(db.Model):
    """A photo or document, stored outside static/ under a name the server made."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    firearm_id: Mapped[int | None] = mapped_column(ForeignKey("firearms.id"), index=True)
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"), index=True)
    # Photos of a ballistic evidence item, and comparison photos of an examiner's decision.
    ballistic_item_id: Mapped[int | None] = mapped_column(ForeignKey("ballistic_items.id"), index=True)
    ballistic_link_id: Mapped[int | None] = mapped_column(ForeignKey("ballistic_links.id"), index=True)
    # Documents of a case itself (reports, letters), not of one of its seizures or firearms.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    exif_location_removed: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
