"""Checking the rows of a seizure file one by one, with the rules of the forms and the API.

Every row goes through ``check_seizure`` (its date, place and seizing agency)
and ``check_firearm``: the import has no rules of its own about a seizure or a
firearm. What it adds is about files: a required ``external_id``, a
``case_reference`` the importer may add to, and memory of what it has already
resolved. Makers, calibers, countries and agencies are looked up once per
distinct text, places geocoded once per (state, municipality, locality), a
seizure's own values checked once per distinct set (the rows of one seizure
share them), and case references found once per reference, so the cost of a
row does not depend on the database or the geocoder.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from flask_babel import format_date

from tracer.auth.services import agency_by_acronym
from tracer.cases.models import Case
from tracer.cases.services import case_query, may_edit
from tracer.core.translation import gettext as _
from tracer.core.validation import DAY_FIRST, Checker, read_day_first
from tracer.core.value_lists import probed
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.services import ReferenceLookups, check_firearm
from tracer.firearms.reference import resolve_caliber, resolve_manufacturer
from tracer.geo.countries import resolve_country
from tracer.geo.geocoding import geocode_place
from tracer.seizures.importing_csv import KNOWN_COLUMNS, Row
from tracer.seizures.importing_report import ERROR, WARNING, Problem, shorten
from tracer.seizures.importing_staging import GROUP_COLUMNS, RAW_SEPARATOR
from tracer.seizures.services import check_place, check_seizure

SEIZURE_COLUMNS = ("seized_on", "state", "municipality", "locality", "latitude", "longitude", "agency",
                   "seizure_ref")
# The group columns are the seizure's own first ones, then case_reference.
SHARED_GROUP_COLUMNS = GROUP_COLUMNS.index("case_reference")
# The values ``check_place`` reads: a file gives the first five, the form the others.
PLACE_COLUMNS = ("state", "municipality", "locality", "latitude", "longitude", "address", "coordinate_source")
# Distinct values remembered at most: makers, calibers, countries, agencies and
# case references are few; a seizure's rows come together, so a short memory of
# seizures catches them, and of places the towns most seizures come from (and keeps
# memory flat however many seizures and places a file holds).
CACHE_SIZE = 20_000
SEIZURE_CACHE_SIZE = 1_000


class Memo(OrderedDict):
    """A least-recently-used memory of ``compute(key)``, at most ``size`` entries."""

    def __init__(self, compute: Callable[[Any], Any], size: int = CACHE_SIZE):
        super().__init__()
        self.compute, self.size = compute, size

    def get_fresh(self, key) -> tuple[Any, bool]:
        """(value, whether it was computed now)."""
        try:
            self.move_to_end(key)
            return self[key], False
        except KeyError:
            value = self[key] = self.compute(key)
            if len(self) > self.size:
                self.popitem(last=False)
            return value, True

    def __call__(self, key):
        return self.get_fresh(key)[0]


class MemoLookups(ReferenceLookups):
    """Maker, caliber and country lookups answered once per distinct text."""

    def __init__(self) -> None:
        self.manufacturer = Memo(resolve_manufacturer)
        self.caliber = Memo(resolve_caliber)
        self.country = Memo(resolve_country)


@dataclass
class CheckedRow:
    """What staging keeps of a row: where it goes, whether it is good, its clean values."""

    line: int
    external_id: str | None
    seizure_ref: str | None
    group_values: tuple = ()
    raw_group: str = ""
    seizure: dict[str, Any] | None = None
    firearm: dict[str, Any] | None = None
    case_reference: str | None = None
    case_id: int | None = None
    owner_id: int | None = None
    already: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def place_ok(self) -> bool:
        """The seizure's own values checked out: the row can speak for its seizure."""
        return self.seizure is not None


def _problems(row: Row, check: Checker) -> list[Problem]:
    if not check.errors and not check.warnings:
        return []
    found = []
    for severity, fields in ((ERROR, check.errors), (WARNING, check.warnings)):
        for name, messages in fields.items():
            column = name if name in KNOWN_COLUMNS else None
            value = shorten(row.values.get(column)) if column else None
            found.extend(Problem(row.line, column, value, message, severity) for message in messages)
    return found


def _read_seizure_day(row: Row) -> list[Problem]:
    """Read a day-first ``seized_on`` (14/03/2025) as the ISO day the rules check, saying when it could
    have been read month first; a slashed date that does not exist is named as such."""
    written = _text(row.values.get("seized_on"))
    iso, day, ambiguous = read_day_first(written)
    if day is None:
        if DAY_FIRST.match(written):
            return [Problem(row.line, "seized_on", shorten(written), _(
                "This day does not exist. Write the date day first (DD/MM/YYYY) or as YYYY-MM-DD."))]
        return []
    row.values["seized_on"] = iso
    if not ambiguous:
        return []
    return [Problem(row.line, "seized_on", shorten(written), _(
        "Read day first, as %(day)s: check it if the file writes the month first.",
        day=format_date(day, "long")), WARNING)]


def _text(value: Any) -> str:
    return (value or "").strip()


class RowChecker:
    """Checks rows for ``actor`` (a user, or an agency acting through the command line)."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.agency_id = actor.agency_id
        self.lookups = MemoLookups()
        self._agencies = Memo(agency_by_acronym)
        self._places = Memo(lambda place: geocode_place(*place))
        self._checked_places = Memo(self._check_place, SEIZURE_CACHE_SIZE)
        self._seizures = Memo(self._check_seizure, SEIZURE_CACHE_SIZE)
        self._cases = Memo(self._find_case)

    # -- memoised pieces ------------------------------------------------------------------------

    def _check_seizure(self, key: tuple) -> tuple[dict[str, Any], Checker]:
        return check_seizure(self.actor, dict(zip(SEIZURE_COLUMNS, key)), find_agency=self._agencies,
                             place=self._place)

    def _check_place(self, key: tuple) -> tuple[dict[str, Any], Checker]:
        check = Checker()
        clean = check_place(check, dict(zip(PLACE_COLUMNS, key)), geocode=lambda *place: self._places(place))
        return clean, check

    def _place(self, check: Checker, values: dict[str, Any]) -> dict[str, Any]:
        """``check_place`` once per distinct place: many seizures share a municipality. Points
        given by GPS are rarely given twice: those are checked each time, not remembered."""
        if values.get("latitude") or values.get("longitude"):
            return check_place(check, values, geocode=lambda *place: self._places(place))
        clean, found = self._checked_places(tuple(values.get(name) for name in PLACE_COLUMNS))
        check.merge(found)
        return clean

    def _find_case(self, reference: str) -> tuple[int, int] | str:
        """(case id, owning agency id) of a case the actor may add seizures to, or why not."""
        case = db.session.scalar(case_query(self.actor).where(Case.reference == reference))
        if case is None:
            return _("Case not found.")
        if not may_edit(self.actor, case):
            return _("You may not add seizures to this case: it belongs to another agency.")
        return case.id, case.owner_agency_id

    def _case(self, row: Row, checked: CheckedRow) -> str | None:
        """The normalised case_reference of the row, after finding its case (or reporting it)."""
        check = Checker()
        reference = check.text("case_reference", row.values.get("case_reference"), 20)
        if check.errors:
            checked.problems.extend(_problems(row, check))
            return None
        if not reference:
            checked.owner_id = self.agency_id
            return None
        reference = reference.upper()
        found = self._cases(reference)
        if isinstance(found, str):
            checked.problems.append(Problem(row.line, "case_reference", shorten(reference), found))
            return reference
        checked.case_id, checked.owner_id = found
        return reference

    # -- rows ---------------------------------------------------------------------------------

    def check_batch(self, rows: list[Row]) -> list[CheckedRow]:
        """Check a batch of rows; rows already imported are marked, not checked again."""
        started = [self._start(row) for row in rows]
        already = self._already_imported(started)
        results = []
        for row, checked in zip(rows, started):
            if checked.owner_id and checked.external_id in already:
                checked.problems, checked.already = [], True
            elif not row.problems:  # a row of the wrong shape is not read further
                self._check_values(row, checked)
            results.append(checked)
        return results

    def _start(self, row: Row) -> CheckedRow:
        """The row's external_id and seizure_ref, its case, and the problems of its shape."""
        checked = CheckedRow(row.line, _text(row.values.get("external_id")) or None,
                             _text(row.values.get("seizure_ref")) or None, problems=list(row.problems))
        if checked.problems:
            return checked
        checked.case_reference = self._case(row, checked)
        return checked

    def _already_imported(self, rows: list[CheckedRow]) -> set[str]:
        """The external_ids of the batch that the importing agency has already recorded. Only
        its own: another agency's external_ids are neither found nor hinted at (SPEC §2, §8)."""
        wanted = {row.external_id for row in rows if row.owner_id and row.external_id}
        if not wanted:
            return set()
        # On (recording agency, external_id): the unique index of firearms answers it, a probe a value.
        return set(db.session.scalars(probed(wanted, Firearm.external_id,
                                             Firearm.recorded_by_agency_id == self.agency_id)))

    def _check_values(self, row: Row, checked: CheckedRow) -> None:
        values = row.values
        day_problems = _read_seizure_day(row)
        key = tuple(_text(values.get(name)) for name in SEIZURE_COLUMNS)
        (seizure, seizure_check), fresh = self._seizures.get_fresh(key)
        problems = _problems(row, seizure_check)
        if any(p.severity == ERROR for p in day_problems):  # said once, in the import's own words
            problems = [p for p in problems if p.column != "seized_on"]
        if not fresh:  # the warnings of a seizure are said once, on its first row
            problems = [p for p in problems if p.severity == ERROR]
        # The row's other columns are the seizure's, which ``check_firearm`` does not read.
        firearm, firearm_check = check_firearm(values, lookups=self.lookups)
        problems += _problems(row, firearm_check) + day_problems
        if not firearm.get("external_id") and "external_id" not in firearm_check.errors:
            problems.append(Problem(row.line, "external_id", None, _("This field is required.")))
        checked.problems.extend(problems)
        checked.firearm = firearm
        if not seizure_check.errors and not any(p.column == "case_reference" for p in checked.problems):
            checked.seizure = seizure
            # Coordinates looked up from the place follow it; only those given must agree.
            given = seizure["coordinate_source"] == "gps"
            checked.group_values = (
                seizure["seized_on"].isoformat(), seizure["state_code"], seizure["municipality_code"],
                seizure["locality"], seizure["latitude"] if given else None, seizure["longitude"] if given else None,
                seizure["agency_id"], checked.case_reference)
            # As written, to show in a report; checked text holds no control character.
            checked.raw_group = RAW_SEPARATOR.join(key[:SHARED_GROUP_COLUMNS] + (_text(values.get("case_reference")),))
