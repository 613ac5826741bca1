"""Deconfliction notices: one per restricted disclosure, for both agencies to quote."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.core.models import UTCDateTime, utcnow
from tracer.core.time import local_zone
from tracer.extensions import db

# How the user learned of the other agency's record (SPEC §7 ``channel``).
CHANNELS = ("search", "recording", "import", "link", "ballistic")
# The kind of match disclosed: the serial search's kinds (SPEC §2, §4), then the ballistic ones
# (an examiner's confirmed hit, a lead not yet confirmed), then the kinds of link between two cases
# that the link analysis names (SPEC §7; ``ballistic_hit`` is one of them).
MATCHES = ("exact", "lookalike", "edit", "letters_ignored", "partial", "ballistic_hit", "ballistic_lead",
           "same_firearm", "same_dealer", "same_purchaser", "multiple_sale")
REFERENCE_PREFIX = "DC"


def _enum(values, name):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


class DeconflictionNotice(db.Model):
    """A user of ``told_agency`` was told (or, when ``withheld``, would have been told past
    their budget) that records of ``owner_agency`` match: which records, how, by which channel.

    The reference is derived from the id and the year, so numbering takes no lock.
    """

    __tablename__ = "deconfliction_notices"
    __table_args__ = (
        Index("ix_deconfliction_notices_owner_agency_id_id", "owner_agency_id", "id"),
        Index("ix_deconfliction_notices_told_agency_id_id", "told_agency_id", "id"),
        Index("ix_deconfliction_notices_told_user_id_id", "told_user_id", "id"),
        Index("ix_deconfliction_notices_told_agency_id_subject_key", "told_agency_id", "subject_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(_enum(CHANNELS, "deconfliction_channel"))
    match: Mapped[str] = mapped_column(_enum(MATCHES, "deconfliction_match"))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # The owner's first matching record, and all of them (a disclosure groups an agency's records).
    firearm_id: Mapped[int | None] = mapped_column(ForeignKey("firearms.id"))
    firearm_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The owner's first matching ballistic evidence item (channel ``ballistic``).
    ballistic_item_id: Mapped[int | None] = mapped_column(ForeignKey("ballistic_items.id"))
    told_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    told_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # What was disclosed, when the same thing may be shown again (a link seen from one firearm):
    # shown again to the same agency, it keeps its reference and costs no budget.
    subject_key: Mapped[str | None] = mapped_column(String(120))
    # Past the user's budget: nothing was said; the owner and the user's supervisors are alerted.
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)

    owner_agency: Mapped[Agency] = relationship(foreign_keys=[owner_agency_id])
    told_agency: Mapped[Agency] = relationship(foreign_keys=[told_agency_id])
    told_user: Mapped[User] = relationship(foreign_keys=[told_user_id])

    @property
    def reference(self) -> str:
        return format_reference(self.id, self.created_at)

    def __repr__(self) -> str:
        return f"<DeconflictionNotice {self.reference} {self.channel} {self.match}>"


def format_reference(notice_id: int, created_at: datetime) -> str:
    """DC-2026-000123: the year (Mexico City) and the notice's number."""
    return f"{REFERENCE_PREFIX}-{created_at.astimezone(local_zone()).year}-{notice_id:06d}"


def parse_reference(text: str | None) -> int | None:
    """The notice id a reference names, or None when it is not one (a year that disagrees
    with the notice is caught by comparing ``reference`` afterwards)."""
    parts = (text or "").strip().upper().split("-")
    if len(parts) != 3 or parts[0] != REFERENCE_PREFIX or not (parts[1].isdigit() and len(parts[1]) == 4) \
            or not parts[2].isdigit() or len(parts[2]) > 12:
        return None
    return int(parts[2]) or None
