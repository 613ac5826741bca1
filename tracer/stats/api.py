"""``GET /api/v1/stats/summary`` (SPEC §7): the same service as the dashboard."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from tracer.api.openapi import operation
from tracer.api.views import bp
from tracer.stats.filters import parse_filters
from tracer.stats.services import summary


class StateCount(BaseModel):
    state: str = Field(description="US state abbreviation (top_source_states) or INEGI state code (by_seizure_state)")
    count: int


class SummaryOut(BaseModel):
    """Figures over the caller's scope; seizures, firearms and trace requests count by the seizure date."""

    seizures: int
    firearms: int
    trace_requests: int
    outcomes: dict[str, int] = Field(description="Answered traces per outcome (us_retail, us_other, foreign, "
                                                 "undetermined, no_trace)")
    us_sourced_pct: float | None = Field(description="us_retail + us_other over completed traces whose outcome "
                                                     "is not no_trace, percent, one decimal; null without any")
    top_source_states: list[StateCount] = Field(description="Completed US-sourced traces by the dealer's state, "
                                                            "most first")
    median_ttc_days: float | None = Field(description="Median time to crime (days) of completed traces with a "
                                                      "purchase date")
    short_ttc_pct: float | None = Field(description="Share of those under 1,095 days, percent, one decimal")
    by_type: dict[str, int] = Field(description="Firearms per type")
    by_seizure_state: list[StateCount] = Field(description="Firearms per seizure state, most first")


@operation(bp, "/stats/summary", "GET", allow=("analyst", "supervisor"),
           summary="Seizures, firearms and trace figures over the caller's scope",
           response=SummaryOut, errors=(422,), query={
               "from": "First seizure date included (YYYY-MM-DD)",
               "to": "Last seizure date included (YYYY-MM-DD), not before from",
               "state": "INEGI code of the seizure state (01-32)",
           })
def stats_summary():
    return jsonify(summary(current_user, parse_filters(request.args)))
