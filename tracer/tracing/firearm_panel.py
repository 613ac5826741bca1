"""The readiness panel of a firearm page: what a trace needs, and the one-click request."""
from __future__ import annotations

from typing import Any

from tracer.core.panels import holds
from tracer.tracing.forms import TraceRequestForm
from tracer.tracing.readiness import trace_readiness
from tracer.tracing.requests import may_request, partner_office_names, shown_request_for_firearm


def readiness_values(user, firearm) -> dict[str, Any]:
    """Template values of ``tracing/_readiness_panel.html``: readiness for everyone who sees the
    firearm (officers fix what is missing), the request form for those who request traces."""
    trace = shown_request_for_firearm(firearm)
    allowed = may_request(user)
    values: dict[str, Any] = {"trace_readiness": trace_readiness(firearm), "firearm_trace_request": trace,
                              "may_request_trace": allowed}
    if allowed and (trace is None or trace.status == "draft"):
        form = TraceRequestForm(formdata=None, data={"priority": trace.priority if trace else "routine"})
        # The offices are read only when there is a choice of them (the form then lists them).
        form.set_offices(partner_office_names() if holds("firearm", firearm, "office_choice") else ())
        values["trace_request_form"] = form
    return values
