"""The dashboard and the map: figures over the user's scope, filtered by seizure dates and state.

Analysts and supervisors read them (SPEC §2: supervisors see dashboards; analysts read the
trafficking routes). Officers log seizures and work their own cases; figures over a whole
scope are not part of that work, so the pages are not theirs.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user

from tracer.audit.services import record
from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.stats import services
from tracer.stats.filters import StatsFilters, parse_filters
from tracer.stats.forms import StatsFilterForm
from tracer.stats.map_data import map_layers, place_cases, place_title
from tracer.stats.tables import CHARTS, CHARTS_BY_KEY, chart_data, csv_text

bp = Blueprint("stats", __name__)
readers = roles("analyst", "supervisor")
bp.add_app_template_filter(lambda value: format_decimal(value, format="#,##0.#"), "stat_number")
bp.add_app_template_filter(lambda value: format_decimal(value, format="#,##0.0") + " %", "percent_figure")


def _filters(form: StatsFilterForm) -> tuple[StatsFilters | None, int]:
    try:
        return parse_filters(request.args), 200
    except ValidationFailed as failure:
        form.show(failure)
        return None, 400


@bp.get("/dashboard")
@readers
def dashboard():
    """Seizures, firearms, traces, sources, time to crime and the backlog over the user's scope."""
    form = StatsFilterForm(request.args)
    filters, status = _filters(form)
    board = services.dashboard(current_user, filters) if filters is not None else None
    charts = [(chart, chart.rows(board), chart_data(chart, board)) for chart in CHARTS] if board else []
    return render_template("stats/dashboard.html", form=form, board=board, charts=charts,
                           args=filters.args() if filters else {}), status


@bp.get("/dashboard/<chart>.csv")
@readers
def chart_csv(chart: str):
    """One chart's table as CSV, under the dashboard's filters; audited."""
    found = CHARTS_BY_KEY.get(chart)
    if found is None:
        abort(404)
    filters = parse_filters(request.args)  # a bad filter answers the error page, naming it
    body = csv_text(found, services.dashboard(current_user, filters))
    record("stats.export", object_type="dashboard",
           details={"format": "csv", "chart": found.key, "filters": filters.args()})
    db.session.commit()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.key}-{local_today():%Y%m%d}.csv"'
    return response


@bp.get("/map")
@readers
def trafficking_map():
    """Seizures and scenes per municipality, US origin points and the corridors between them."""
    form = StatsFilterForm(request.args)
    filters, status = _filters(form)
    layers = map_layers(current_user, filters) if filters is not None else None
    return render_template("stats/map.html", form=form, layers=layers,
                           cases_url=url_for("stats.map_cases", **(filters.args() if filters else {})),
                           args=filters.args() if filters else {}), status


@bp.get("/map/cases")
@readers
def map_cases():
    """The cases in scope behind one point of the map, as JSON for the map's list."""
    filters = parse_filters(request.args)
    try:
        cases = place_cases(current_user, filters, request.args)
    except ValidationFailed as failure:
        db.session.rollback()
        response = jsonify({"error": {"code": failure.code, "message": failure.message, "details": failure.fields}})
        return response, 422
    return jsonify({"title": place_title(request.args), "items": [
        {"reference": case.reference, "title": case.title, "url": url_for("cases.detail", case_id=case.id)}
        for case in cases]})
