"""What the dashboards, the map and ``stats/summary`` are narrowed by: a seizure-date range and a state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select

from tracer.cases.case_lists import normalise_state
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.geo.catalog import states
from tracer.seizures.models import Seizure


@dataclass(frozen=True)
class StatsFilters:
    """Seizures from ``date_from`` to ``date_to`` (both included) in ``state`` (INEGI code); empty: no limit."""

    date_from: date | None = None
    date_to: date | None = None
    state: str | None = None

    @property
    def narrows(self) -> bool:
        """Whether any filter is set (else every seizure counts)."""
        return bool(self.date_from or self.date_to or self.state)

    def args(self) -> dict[str, str]:
        """The filters as query parameters (``from``, ``to``, ``state``), empty ones left out."""
        values = {"from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "state": self.state or ""}
        return {name: value for name, value in values.items() if value}

    def apply(self, statement: Select) -> Select:
        """``statement`` (which reads ``seizures``) limited to the seizures these filters keep."""
        if self.date_from:
            statement = statement.where(Seizure.seized_on >= self.date_from)
        if self.date_to:
            statement = statement.where(Seizure.seized_on <= self.date_to)
        if self.state:
            statement = statement.where(Seizure.state_code == self.state)
        return statement


def parse_filters(values: Any) -> StatsFilters:
    """The filters of ``values`` (query parameters ``from``, ``to``, ``state``).

    Raises ``ValidationFailed`` naming the field: a date not written YYYY-MM-DD, a range whose
    end comes before its start (on ``to``), a state that is not an INEGI state code.
    """
    check = Checker()
    date_from = check.day("from", values.get("from"))
    date_to = check.day("to", values.get("to"))
    if date_from and date_to and date_from > date_to:
        check.error("to", _("The end date is before the start date."))
    raw_state = (values.get("state") or "").strip()
    state = normalise_state(raw_state) if raw_state else None
    if state and state not in states():
        check.error("state", _("Use the INEGI code of a state, 01 to 32."))
    check.raise_if_errors()
    return StatsFilters(date_from, date_to, state)
