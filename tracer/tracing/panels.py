"""What the firearm and case pages show of tracing: readiness, the request, its result, possible links."""
from __future__ import annotations

from typing import Any


def firearm_tracing(user, firearm) -> dict[str, Any]:
    """Template values for the tracing panels of a firearm page (``tracing/_firearm_panels.html``)."""
    values: dict[str, Any] = {}
    return values


def case_tracing(user, case) -> dict[str, Any]:
    """Template values for the tracing panel of a case page (``tracing/_case_panels.html``)."""
    values: dict[str, Any] = {}
    return values


def request_tracing(user, trace_request) -> dict[str, Any]:
    """Template values for the result part of a trace request page (``tracing/_request_result_panel.html``)."""
    values: dict[str, Any] = {}
    return values
