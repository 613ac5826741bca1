"""What the tracing room adds to the rooms below it, at start-up: its panels on the firearm and
case pages, and the stored readiness of firearm rows an import inserts in bulk."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import exists

from tracer.core.panels import add_contents, add_panel
from tracer.firearms.signals import firearm_rows_inserting
from tracer.tracing.home import tracing_work
from tracer.tracing.models import TraceRequest
from tracer.tracing.panels import case_traces_panel, readiness_panel, result_panel
from tracer.tracing.readiness import trace_ready_of
from tracer.tracing.requests import office_choice


def _keep_rows_trace_ready(rows: list[dict]) -> None:
    # As ``readiness`` does for every ORM write of a firearm.
    for row in rows:
        row["trace_ready"] = trace_ready_of(row)


def init_app(app: Flask) -> None:
    add_panel(app, "firearm", readiness_panel, order=10)
    add_panel(app, "firearm", result_panel, order=20)
    add_contents(app, "firearm", "traces", lambda firearm_id: exists().where(TraceRequest.firearm_id == firearm_id))
    # Not the firearm's: whether its request form lists the partner offices, asked with the rest.
    add_contents(app, "firearm", "office_choice", lambda _firearm_id: office_choice())
    add_panel(app, "case", case_traces_panel, order=10)
    add_contents(app, "case", "traces", lambda case_id: exists().where(TraceRequest.case_id == case_id))
    add_panel(app, "home", tracing_work, order=20)
    firearm_rows_inserting.connect(_keep_rows_trace_ready)
