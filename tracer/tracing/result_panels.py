"""The trace-result parts of the firearm, case and trace request pages (``panels`` registers the first two).

A page that shows a purchaser commits the audit event of that read
(``commit_reads``): these are GET pages with nothing else to commit.
"""
from __future__ import annotations

from typing import Any

from flask import g

from tracer.core.panels import holds

from tracer.tracing.result_display import case_traces, commit_reads, firearm_result, result_view
from tracer.tracing.opening import may_open
from tracer.tracing.results import WORKABLE_STATUSES, may_record_result


def firearm_result_values(user, firearm) -> dict[str, Any]:
    """``trace_result`` (tracing/_result_panel.html): the result of the firearm's trace, if any."""
    view = firearm_result(user, firearm)
    commit_reads(view)
    return {"trace_result": view}


def case_result_values(user, case) -> dict[str, Any]:
    """``case_trace_rows`` (tracing/_case_traces_panel.html): the case's trace requests, no personal data."""
    return {"case_trace_rows": case_traces(case) if holds("case", case, "traces") else []}


def request_result_values(user, trace_request) -> dict[str, Any]:
    """The result of a trace request page (tracing/_request_result_panel.html) and, for the
    liaison officer who works it, the form to enter or correct it. A form sent back with
    errors or over a newer version comes from ``result_views`` through ``g``."""
    from tracer.tracing.result_forms import ResultForm

    view = None
    if trace_request.outcome is not None:
        # The distance tells where the seizure happened: for readers of the case, not the US office.
        view = result_view(user, trace_request, "trace_request_page", with_distance=user.role != "liaison")
    form = None
    if may_record_result(user, trace_request) and trace_request.status in WORKABLE_STATUSES:
        form = g.pop("trace_result_form", None) or ResultForm.for_request(
            trace_request, view.purchaser.name if view is not None else None,
            view.purchaser.person if view is not None else None)
    commit_reads(view)
    return {"trace_result": view, "result_form": form, "result_request": trace_request,
            "result_conflict": g.pop("trace_result_conflict", None), "may_open": may_open(user, trace_request)}
