"""What the firearm and case pages show of tracing: readiness, the request, its result, possible links."""
from __future__ import annotations

from typing import Any


def firearm_tracing(user, firearm) -> dict[str, Any]:
    """Template values for the tracing panels of a firearm page (``tracing/_firearm_panels.html``)."""
    values: dict[str, Any] = {}
    # Trace readiness and the trace request (tracing/_readiness_panel.html).
    from tracer.tracing.firearm_panel import readiness_values
    values.update(readiness_values(user, firearm))
    # The trace result: origin point, distance, time to crime (tracing/_result_panel.html).
    from tracer.tracing.result_panels import firearm_result_values
    values.update(firearm_result_values(user, firearm))
    # Records that may be this same firearm, both directions (tracing/_links_panel.html).
    from tracer.links.views import link_panel
    values.update(link_panel(user, firearm))
    return values


def case_tracing(user, case) -> dict[str, Any]:
    """Template values for the tracing panel of a case page (``tracing/_case_panels.html``)."""
    values: dict[str, Any] = {}
    # The case's trace requests and their results (tracing/_case_traces_panel.html).
    from tracer.tracing.result_panels import case_result_values
    values.update(case_result_values(user, case))
    return values


def request_tracing(user, trace_request) -> dict[str, Any]:
    """Template values for the result part of a trace request page (``tracing/_request_result_panel.html``)."""
    values: dict[str, Any] = {}
    # The result and, for the liaison officer who works it, its form.
    from tracer.tracing.result_panels import request_result_values
    values.update(request_result_values(user, trace_request))
    return values
