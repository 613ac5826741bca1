"""The reference table of rifling class characteristics that narrows a bullet to makes and models."""
from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Enum, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.core.models import TimestampMixin
from tracer.extensions import db
from tracer.firearms.models import Caliber, Manufacturer

TWISTS = ("left", "right")
# Counts of lands (and grooves) a conventionally rifled barrel may have: Marlin's Micro-Groove has 16.
MIN_LANDS, MAX_LANDS = 1, 32


class RiflingSpec(TimestampMixin, db.Model):
    """The rifling a make and model leaves on a bullet: lands and grooves (or polygonal
    rifling), the twist and, where published, land and groove widths in millimetres.

    ``manufacturer_text`` is the maker as the source names it; ``manufacturer_id`` the
    reference maker it resolves to, when the reference list knows it. A retired row
    (``active`` false) stays for the record and is no longer offered as a candidate."""

    __tablename__ = "rifling_specs"
    __table_args__ = (
        UniqueConstraint("manufacturer_text", "model", "caliber_id", name="uq_rifling_specs_maker_model_caliber"),
        # Candidates are looked up by caliber, then twist; the admin list walks by maker and model.
        Index("ix_rifling_specs_caliber_id_twist", "caliber_id", "twist"),
        Index("ix_rifling_specs_listing", "manufacturer_text", "model", "id"),
        CheckConstraint(f"lands IS NULL OR (lands >= {MIN_LANDS} AND lands <= {MAX_LANDS})",
                        name="lands"),
        CheckConstraint("(polygonal AND lands IS NULL) OR (NOT polygonal AND lands IS NOT NULL)",
                        name="lands_or_polygonal"),
        CheckConstraint("land_width_mm IS NULL OR land_width_mm > 0", name="land_width"),
        CheckConstraint("groove_width_mm IS NULL OR groove_width_mm > 0", name="groove_width"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("manufacturers.id"), index=True)
    manufacturer_text: Mapped[str] = mapped_column(String(120))
    model: Mapped[str] = mapped_column(String(120))
    caliber_id: Mapped[int] = mapped_column(ForeignKey("calibers.id"))
    lands: Mapped[int | None] = mapped_column(Integer)
    polygonal: Mapped[bool] = mapped_column(Boolean, default=False)
    twist: Mapped[str] = mapped_column(Enum(*TWISTS, name="rifling_twist", native_enum=False,
                                            create_constraint=True, length=5))
    land_width_mm: Mapped[float | None] = mapped_column(Float)
    groove_width_mm: Mapped[float | None] = mapped_column(Float)
    # A short citation code of where the description comes from (see data/SOURCES.md).
    source: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    manufacturer: Mapped[Manufacturer | None] = relationship(lazy="joined")
    caliber: Mapped[Caliber] = relationship(lazy="joined")

    @property
    def manufacturer_name(self) -> str:
        return self.manufacturer.name if self.manufacturer else self.manufacturer_text
