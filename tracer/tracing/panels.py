"""What the firearm and case pages show of tracing: readiness and the request, the result,
the case's traces. Added to those pages at start-up (``hooks``)."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from tracer.cases.services import may_edit
from tracer.tracing.firearm_panel import readiness_values
from tracer.tracing.result_panels import case_result_values, firearm_result_values


def readiness_panel(firearm) -> str:
    """Trace readiness and the trace request (``tracing/_readiness_panel.html``)."""
    return render_template("tracing/_readiness_panel.html", firearm=firearm,
                           may_edit=may_edit(current_user, firearm.case), **readiness_values(current_user, firearm))


def result_panel(firearm) -> str:
    """The trace result: origin point, distance, time to crime (``tracing/_result_panel.html``)."""
    return render_template("tracing/_result_panel.html", firearm=firearm,
                           **firearm_result_values(current_user, firearm))


def case_traces_panel(case) -> str:
    """The case's trace requests and their results (``tracing/_case_traces_panel.html``)."""
    return render_template("tracing/_case_traces_panel.html", case=case, **case_result_values(current_user, case))
