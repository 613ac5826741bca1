"""People recorded in cases (personal data, SPEC §2-3), their roles in cases, their likely
duplicates and the merge decisions that join two records of one person.

A merge keeps both originals: the merged record points at the one kept (``merged_into_id``,
the decision) and every record carries ``canonical_id``, the surviving root, kept current when
merges chain, so another room joins on "one person after merges" with one indexed column.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracer.auth.models import Agency, User
from tracer.cases.models import Case
from tracer.core.models import TimestampMixin, UTCDateTime, utcnow
from tracer.extensions import db

SEXES = ("female", "male", "unknown")
ID_KINDS = ("passport", "us_driver_license", "us_state_id", "other")
CASE_ROLES = ("possessor", "associate", "purchaser")
# Why two records look like one person: the same name and date of birth, CURP or identification.
DUPLICATE_KINDS = ("name_dob", "curp", "identification")
# A pair waits (``open``) until an analyst merges it or records that they are different people.
DUPLICATE_STATUSES = ("open", "merged", "distinct")


def _enum(values, name, length=24):
    return Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


class Person(TimestampMixin, db.Model):
    """One record of a person; personal data, shown only to those allowed and every read audited."""

    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_name_key_birth_date", "name_key", "birth_date"),
        Index("ix_people_curp", "curp"),
        Index("ix_people_identification", "id_kind", "id_number", "id_country"),
        Index("ix_people_canonical_id", "canonical_id"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The owning agency: the case's agency when the person was first recorded.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    last_names: Mapped[str] = mapped_column(String(120))
    first_names: Mapped[str | None] = mapped_column(String(120))
    alias: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(_enum(SEXES, "person_sex", 8), default="unknown")
    curp: Mapped[str | None] = mapped_column(String(18))
    id_kind: Mapped[str | None] = mapped_column(_enum(ID_KINDS, "person_id_kind", 20))
    id_number: Mapped[str | None] = mapped_column(String(40))
    # ISO 3166-1 alpha-2 of the issuing country, and the US state (USPS code) when the US issued it.
    id_country: Mapped[str | None] = mapped_column(String(2))
    id_region: Mapped[str | None] = mapped_column(String(2))
    street: Mapped[str | None] = mapped_column(String(200))
    locality: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    # Accents folded, upper case, spaces collapsed: "GARCIA LOPEZ/JUAN CARLOS".
    name_key: Mapped[str] = mapped_column(String(250))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    canonical_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_names, self.last_names) if part)

    @property
    def merged(self) -> bool:
        return self.merged_into_id is not None


class CasePerson(db.Model):
    """A person's role in a case; a person may hold several roles in several cases."""

    __tablename__ = "case_people"
    __table_args__ = (
        Index("ix_case_people_case_id_id", "case_id", "id"),
        Index("ix_case_people_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # The owning agency of the case, kept here so that scoped reads need no join.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(_enum(CASE_ROLES, "case_person_role", 16))
    firearm_id: Mapped[int | None] = mapped_column(ForeignKey("firearms.id"))
    seizure_id: Mapped[int | None] = mapped_column(ForeignKey("seizures.id"))
    trace_request_id: Mapped[int | None] = mapped_column(ForeignKey("trace_requests.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
    case: Mapped[Case] = relationship()


class PersonMerge(db.Model):
    """The decision that two records are one person: who, when, why; both records are kept."""

    __tablename__ = "person_merges"
    __table_args__ = (Index("ix_person_merges_kept_id", "kept_id"), Index("ix_person_merges_merged_id", "merged_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    kept: Mapped[Person] = relationship(foreign_keys=[kept_id])
    merged: Mapped[Person] = relationship(foreign_keys=[merged_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class PersonDuplicate(db.Model):
    """Two records that look like one person, waiting for an analyst's decision.

    The pair is stored ordered (``person_a_id`` < ``person_b_id``), once whichever way it was found.
    """

    __tablename__ = "person_duplicates"
    __table_args__ = (
        UniqueConstraint("person_a_id", "person_b_id", name="uq_person_duplicates_pair"),
        CheckConstraint("person_a_id < person_b_id", name="ordered_pair"),
        # The analysts' queue walks open pairs oldest first.
        Index("ix_person_duplicates_status_created_at_id", "status", "created_at", "id"),
        Index("ix_person_duplicates_person_b_id", "person_b_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    person_b_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The owning agencies of the two records: the scope rule of the queue reads them without a join.
    agency_a_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency_b_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(_enum(DUPLICATE_KINDS, "person_duplicate_kind", 16))
    status: Mapped[str] = mapped_column(_enum(DUPLICATE_STATUSES, "person_duplicate_status", 8), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person_a: Mapped[Person] = relationship(foreign_keys=[person_a_id])
    person_b: Mapped[Person] = relationship(foreign_keys=[person_b_id])

    def other(self, person_id: int) -> Person:
        return self.person_b if person_id == self.person_a_id else self.person_a
