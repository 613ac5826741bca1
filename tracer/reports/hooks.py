"""What the reports room adds at start-up: the report's entry on the case page, its filters,
its command, and the approved version frozen when a case is approved."""
from __future__ import annotations

from flask import Flask, render_template

from tracer.cases.signals import case_transitioned
from tracer.core.panels import add_panel
from tracer.reports import cli
from tracer.reports.labels import register_filters
from tracer.reports.services import freeze_on_approval


def report_panel(case) -> str:
    """The case page's link to the printable report and its PDF."""
    return render_template("reports/_case_panel.html", case=case)


def init_app(app: Flask) -> None:
    from tracer.reports.views import bp

    app.register_blueprint(bp)
    register_filters(app)
    cli.register(app)
    add_panel(app, "case", report_panel, order=90)
    case_transitioned.connect(freeze_on_approval)
