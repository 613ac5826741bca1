"""Rifling candidates on the JSON API (SPEC §7): the same service as the page."""
from __future__ import annotations

from typing import Literal

from flask import jsonify, request
from pydantic import BaseModel, Field

from tracer.api.openapi import operation
from tracer.api.views import bp
from tracer.ballistics import rifling
from tracer.ballistics.rifling_models import MAX_LANDS, MIN_LANDS


class CandidateOut(BaseModel):
    id: int
    manufacturer: str
    model: str
    caliber: str
    lands: int | None = Field(description="Lands (and as many grooves); null for polygonal rifling")
    polygonal: bool
    twist: Literal["left", "right"]
    land_width_mm: float | None = Field(description="Published land width; null when none is published")
    groove_width_mm: float | None
    source: str = Field(description="Where the description comes from (tracer/ballistics/data/SOURCES.md)")
    difference_mm: float | None = Field(
        description="Sum of the differences between the widths measured and those published; null when "
                    "no width was compared")
    widths_compared: bool = Field(description="False: the row fits on count and twist alone")


class CandidatesOut(BaseModel):
    """Makes and models whose rifling fits, closest first. They narrow a search: none identifies a firearm."""

    items: list[CandidateOut]
    total: int


@operation(bp, "/ballistics/rifling-candidates", "GET", allow=("analyst", "supervisor"),
           summary="Makes and models whose rifling fits a bullet's class characteristics",
           response=CandidatesOut, errors=(422,), query={
               "caliber": ("Caliber, a name or alias of the reference list (required)",
                           {"type": "string", "minLength": 1, "maxLength": 60}, True),
               "lands": (f"Number of lands and grooves ({MIN_LANDS}-{MAX_LANDS}), or polygonal",
                         {"type": "string", "pattern": "^([1-9]|[12][0-9]|3[0-2]|polygonal|poligonal)$"}),
               "twist": "left or right",
               "land_width_mm": ("Land impression width measured, in millimetres",
                                 {"type": "number", "exclusiveMinimum": 0, "maximum": rifling.MAX_WIDTH_MM}),
               "groove_width_mm": ("Groove impression width measured, in millimetres",
                                   {"type": "number", "exclusiveMinimum": 0, "maximum": rifling.MAX_WIDTH_MM}),
               "tolerance_mm": ("How far a published width may be from the measured one (default 0.10)",
                                {"type": "number", "minimum": 0.01, "maximum": rifling.MAX_TOLERANCE_MM}),
           })
def rifling_candidates():
    items = [rifling.candidate_json(candidate)
             for candidate in rifling.rifling_candidates(rifling.parse_query(request.args))]
    return jsonify({"items": items, "total": len(items)})
