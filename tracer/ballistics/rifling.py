"""Rifling candidates: the makes and models whose rifling fits what an examiner measured.

A fired bullet carries its barrel's class characteristics: how many lands and
grooves (or polygonal rifling), the direction of twist and the widths of the
land and groove impressions. ``rifling_candidates`` reads the reference table
(``RiflingSpec``) for the bullet's caliber and keeps the rows that fit: the same
count and twist and, when widths were measured, widths within a tolerance
(0.10 mm unless another is stated). Rows whose widths are not published fit on
count and twist alone and come after those whose widths were compared. The
table narrows a search; it never identifies a firearm.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import select

from tracer.ballistics.rifling_models import MAX_LANDS, MIN_LANDS, RiflingSpec
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Caliber
from tracer.firearms.reference import resolve_caliber

DEFAULT_TOLERANCE_MM = 0.10
MAX_TOLERANCE_MM = 1.0
# Land and groove impressions of any small arm are a few millimetres wide; past 20 mm a
# value is a typing error (a width in hundredths, a caliber in the wrong field).
MAX_WIDTH_MM = 20.0
POLYGONAL = "polygonal"
# Spanish and English words accepted for polygonal rifling and the twist, besides the codes.
_POLYGONAL_WORDS = {"polygonal", "poligonal"}
_TWIST_WORDS = {"left": "left", "right": "right", "izquierda": "left", "derecha": "right",
                "l": "left", "r": "right", "i": "left", "d": "right"}


@dataclass(frozen=True)
class RiflingQuery:
    """What was measured on a bullet: its caliber, lands (None when polygonal), twist and widths."""

    caliber: Caliber
    polygonal: bool = False
    lands: int | None = None
    twist: str | None = None
    land_width_mm: float | None = None
    groove_width_mm: float | None = None
    tolerance_mm: float = DEFAULT_TOLERANCE_MM


@dataclass(frozen=True)
class Candidate:
    """A reference row that fits, and how far its widths are from those measured
    (``difference_mm`` None when no width was compared)."""

    spec: RiflingSpec
    difference_mm: float | None

    @property
    def widths_compared(self) -> bool:
        return self.difference_mm is not None


def field_text(values: Mapping[str, Any], name: str) -> str:
    """``values[name]`` as stripped text ("" when absent)."""
    value = values.get(name)
    return "" if value is None else str(value).strip()


def field_number(fields: dict, values: Mapping[str, Any], name: str, low: float, high: float, message: str,
            inclusive_low: bool = False) -> float | None:
    """``values[name]`` as a number within (``low``, ``high``] (a comma is a decimal point);
    None when empty; ``message`` goes to ``fields[name]`` when it is not such a number."""
    text = field_text(values, name).replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number > high or (number < low if inclusive_low else number <= low):
        fields[name] = [message]
        return None
    return number


def parse_query(values: Mapping[str, Any]) -> RiflingQuery:
    """The search ``values`` (as strings, from a form or a query string) as a ``RiflingQuery``;
    ``ValidationFailed`` naming each bad field otherwise.

    ``caliber`` (a name or alias of the reference list) is required; ``lands`` is a count
    or ``polygonal``; ``twist`` is ``left`` or ``right``; widths and ``tolerance_mm`` are in
    millimetres."""
    fields: dict[str, list[str]] = {}
    caliber_text = field_text(values, "caliber")
    caliber = None
    if not caliber_text:
        fields["caliber"] = [_("This field is required.")]
    elif len(caliber_text) > 60 or (caliber := resolve_caliber(caliber_text)) is None:
        fields["caliber"] = [_("Unknown caliber: write a caliber of the reference list (e.g. 9mm, .38 Special).")]
    lands_text = field_text(values, "lands").casefold()
    lands, polygonal = None, False
    if lands_text in _POLYGONAL_WORDS:
        polygonal = True
    elif lands_text:
        try:
            lands = int(lands_text)
        except ValueError:
            lands = None
        if lands is None or not MIN_LANDS <= lands <= MAX_LANDS:
            fields["lands"] = [_("Write a number of lands from %(low)d to %(high)d, or “polygonal”.",
                                 low=MIN_LANDS, high=MAX_LANDS)]
            lands = None
    twist_text = field_text(values, "twist").casefold()
    twist = _TWIST_WORDS.get(twist_text) if twist_text else None
    if twist_text and twist is None:
        fields["twist"] = [_("Choose left or right.")]
    width_message = _("Write a width in millimetres, greater than 0 and at most %(max)d.", max=int(MAX_WIDTH_MM))
    land_width = field_number(fields, values, "land_width_mm", 0, MAX_WIDTH_MM, width_message)
    groove_width = field_number(fields, values, "groove_width_mm", 0, MAX_WIDTH_MM, width_message)
    tolerance = field_number(fields, values, "tolerance_mm", 0.01, MAX_TOLERANCE_MM,
                        _("Write a tolerance in millimetres from 0.01 to %(max).2f.", max=MAX_TOLERANCE_MM),
                        inclusive_low=True)
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)
    return RiflingQuery(caliber=caliber, polygonal=polygonal, lands=lands, twist=twist,
                        land_width_mm=land_width, groove_width_mm=groove_width,
                        tolerance_mm=DEFAULT_TOLERANCE_MM if tolerance is None else tolerance)


def _difference(spec: RiflingSpec, query: RiflingQuery) -> tuple[bool, float | None]:
    """(fits, difference in mm): widths measured and published are compared within the tolerance."""
    compared = [(measured, published) for measured, published in
                ((query.land_width_mm, spec.land_width_mm), (query.groove_width_mm, spec.groove_width_mm))
                if measured is not None and published is not None]
    if not compared:
        return True, None
    # A hair of slack so that 1.86 ± 0.10 keeps 1.96 despite binary fractions.
    if any(abs(measured - published) > query.tolerance_mm + 1e-9 for measured, published in compared):
        return False, None
    return True, round(sum(abs(measured - published) for measured, published in compared), 3)


def rifling_candidates(query: RiflingQuery) -> list[Candidate]:
    """The active reference rows that fit ``query``, closest first: rows whose widths were
    compared (by the sum of the differences), then rows without published widths; ties
    by maker and model. One indexed read of the caliber's rows (a few dozen at most)."""
    statement = select(RiflingSpec).where(RiflingSpec.caliber_id == query.caliber.id, RiflingSpec.active)
    if query.twist:
        statement = statement.where(RiflingSpec.twist == query.twist)
    if query.polygonal:
        statement = statement.where(RiflingSpec.polygonal)
    elif query.lands is not None:
        statement = statement.where(RiflingSpec.lands == query.lands)
    found = []
    measured = query.land_width_mm is not None or query.groove_width_mm is not None
    for spec in db.session.scalars(statement):
        fits, difference = _difference(spec, query)
        if fits:
            found.append(Candidate(spec, difference))
    found.sort(key=lambda c: (measured and not c.widths_compared, c.difference_mm or 0.0,
                              c.spec.manufacturer_name.casefold(), c.spec.model.casefold(), c.spec.id))
    return found


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    """A candidate as the API answers it."""
    spec = candidate.spec
    return {"id": spec.id, "manufacturer": spec.manufacturer_name, "model": spec.model,
            "caliber": spec.caliber.name, "lands": spec.lands, "polygonal": spec.polygonal,
            "twist": spec.twist, "land_width_mm": spec.land_width_mm, "groove_width_mm": spec.groove_width_mm,
            "source": spec.source, "difference_mm": candidate.difference_mm,
            "widths_compared": candidate.widths_compared}
