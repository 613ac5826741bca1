"""Case lists: the filters a list of cases is narrowed by, its order, and its steps (the
page's rows, or the API's cases with their agencies and lead officers). Every list starts from
``services.case_query``, so a case outside the user's scope is never listed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from tracer.auth.models import Agency, User
from tracer.auth.scope import agency_scope
from tracer.cases.models import CASE_STATUSES, Case, CaseAssignment
from tracer.cases.services import SEARCH_MAX, case_query, named_user
from tracer.core.errors import ValidationFailed
from tracer.core.pagination import KeysetPage, by, keyset_page
from tracer.core.text import forbidden_character
from tracer.core.time import local_day_start
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.geo.catalog import states


@dataclass
class CaseFilters:
    """What a case list may be narrowed by; empty values do not filter."""

    text: str | None = None
    status: str | None = None
    agency: str | None = None
    state: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    # "me": only the cases the reader is assigned to (the analysts' home card).
    assigned: str | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> "CaseFilters":
        return cls(**{name: values.get(name) or None for name in cls.__dataclass_fields__})


def _check_filters(filters: CaseFilters) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if filters.status and filters.status not in CASE_STATUSES:
        fields["status"] = [_("Not one of the allowed values: %(values)s.", values=", ".join(CASE_STATUSES))]
    if filters.state and normalise_state(filters.state) not in states():
        fields["state"] = [_("Use the INEGI code of a state, 01 to 32.")]
    if filters.assigned and filters.assigned != "me":
        fields["assigned"] = [_("Not one of the allowed values: %(values)s.", values="me")]
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        fields["created_to"] = [_("The end date is before the start date.")]
    return fields


def normalise_state(value: str) -> str:
    value = value.strip()
    return value.zfill(2) if value.isascii() and value.isdigit() else value


def filtered_cases(user: User, filters: CaseFilters) -> Select:
    """The scoped ``SELECT`` of the cases matching ``filters``, newest first."""
    fields = _check_filters(filters)
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)
    statement = case_query(user)
    text = (filters.text or "").strip()
    if text and (len(text) > SEARCH_MAX or forbidden_character(text) is not None):
        # No stored reference, title or carpeta number holds it.
        statement = statement.where(false())
    elif text:
        statement = statement.where(or_(
            Case.reference.icontains(text, autoescape=True),
            Case.title.icontains(text, autoescape=True),
            Case.carpeta_number.icontains(text, autoescape=True),
        ))
    if filters.status:
        statement = statement.where(Case.status == filters.status)
    if filters.assigned:
        statement = statement.where(Case.id.in_(
            select(CaseAssignment.case_id).where(CaseAssignment.analyst_id == user.id)))
    if filters.agency and forbidden_character(filters.agency) is not None:
        statement = statement.where(false())  # no acronym holds one (and PostgreSQL text cannot hold NUL)
    elif filters.agency:
        acronym = filters.agency.strip().upper()
        statement = statement.where(Case.owner_agency_id.in_(
            select(Agency.id).where(func.upper(Agency.acronym) == acronym)))
    if filters.state:
        statement = statement.where(Case.owner_agency_id.in_(
            select(Agency.id).where(Agency.state_code == normalise_state(filters.state))))
    if filters.created_from:
        statement = statement.where(Case.created_at >= local_day_start(filters.created_from))
    if filters.created_to and filters.created_to < date.max:
        statement = statement.where(Case.created_at < local_day_start(filters.created_to + timedelta(days=1)))
    return statement.order_by(Case.created_at.desc(), Case.id.desc())


# The list's order, walked along ix_cases_created_at_id (and ix_cases_owner_agency_created_at_id
# for a state or agency scope).
CASE_LIST_ORDER = (by(Case.created_at, descending=True), by(Case.id, descending=True))


# A listed case names its agency and lead officer (the API): both are read by id once the page's
# cases are (the officer's account and agency not at all), so the page's statement reads the cases
# alone along the list's index. Joined into it, they let the planner join and sort every case behind a
# cursor when it expects few there: cases written in one transaction share their creation time, and it
# then expects none (half a second a page on 100,000 cases, make loadtest).
LISTED_WITH = (selectinload(Case.owner_agency), named_user(Case.lead_officer, selectinload))


def _named(column, key, label: str):
    """SQL: the ``column`` of the row whose id is ``key``, read for each listed row only."""
    return select(column).where(column.table.c.id == key).scalar_subquery().label(label)


# The list page's rows: what its table shows, in one statement. The agency's and the lead
# officer's names are subqueries of the select list, which PostgreSQL and SQLite evaluate for
# the page's rows alone, after the walk along the list's index (a join would change the walk).
_agencies, _users = Agency.__table__, User.__table__
LISTED_COLUMNS = (Case.id, Case.reference, Case.title, Case.status, Case.priority, Case.created_at,
                  _named(_agencies.c.acronym, Case.owner_agency_id, "agency_acronym"),
                  _named(_agencies.c.name, Case.owner_agency_id, "agency_name"),
                  _named(_users.c.full_name, Case.lead_officer_id, "lead_name"))


def list_cases(user: User, filters: CaseFilters | dict[str, Any] | None = None,
               page: Any = 1, per_page: Any = 25, cursor: Any = None, as_rows: bool = False) -> KeysetPage:
    """One step of the cases ``user`` may see, narrowed by ``filters``, newest first: page
    ``page`` of the first pages, or the step a ``cursor`` (a page's ``next`` or ``prev``) names.
    The items are cases with their agency and lead officer, or with ``as_rows`` the list page's
    rows (``LISTED_COLUMNS``: id, reference, title, status, priority, created_at,
    agency_acronym, agency_name, lead_name).

    Raises ``ValidationFailed`` for a status or state that does not exist, or a
    date range that ends before it starts; ``BadListRequest`` for a cursor not of this list.
    """
    if not isinstance(filters, CaseFilters):
        filters = CaseFilters.from_mapping(filters or {})
    statement = filtered_cases(user, filters)
    statement = statement.with_only_columns(*LISTED_COLUMNS) if as_rows else statement.options(*LISTED_WITH)
    return keyset_page(statement, CASE_LIST_ORDER, cursor, per_page, list_name="cases", page=page,
                       as_rows=as_rows)


def agencies_in_scope(user: User) -> list:
    """The agencies whose cases ``user`` may see, for the list's agency filter: their acronym and name."""
    return list(db.session.execute(select(Agency.acronym, Agency.name).where(agency_scope(user, Agency.id))
                                   .where(Agency.level != "us").order_by(Agency.acronym)))
