"""Trace request pages: readiness, the backlog, a request and its export."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tracing", __name__)
