"""The dashboard and the map pages: figures, bad filters kept on the form, CSV downloads audited."""
from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import select

from tracer.audit.models import AuditEvent
from tracer.extensions import db


def _chart(page: str, key: str) -> dict:
    found = re.search(r'<canvas data-chart="%s" data-series=\'(.*?)\'' % key, page, re.S)
    return json.loads(found.group(1))


def test_the_dashboard_shows_the_figures_and_each_chart_s_data(login_as, register):
    page = login_as("supervisor").get("/dashboard").get_data(as_text=True)
    assert 'data-figure="seizures">4<' in page and 'data-figure="us_sourced_pct">75,0 %<' in page
    sources = _chart(page, "source_states")
    assert sources["labels"] == ["Texas", "Arizona"] and sources["series"][0]["data"] == [2, 1]
    assert _chart(page, "time_to_crime")["series"][0]["data"] == [0, 1, 0, 1, 0, 0]
    # The untraced backlog: nothing here is untraced (every firearm has a request).
    assert _chart(page, "backlog")["labels"] == []
    assert "chartjs/chart-4.6.2.umd.min.js" in page and "<script>" not in page


def test_a_state_supervisor_s_dashboard_holds_only_their_state(login_as, register):
    page = login_as("supervisor", "FGE-JAL").get("/dashboard").get_data(as_text=True)
    assert 'data-figure="seizures">1<' in page and _chart(page, "seizure_states")["labels"] == ["Jalisco"]


def test_a_range_ending_before_it_starts_is_named_and_the_form_kept(login_as, ctx):
    response = login_as("analyst").get("/dashboard?from=2025-06-01&to=2025-01-01&state=26")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="to-error"' in page and "La fecha final es anterior a la fecha inicial." in page
    assert 'value="2025-06-01"' in page and 'value="2025-01-01"' in page and '<option selected value="26">' in page


def test_an_unknown_state_is_named(login_as, ctx):
    response = login_as("analyst").get("/map?state=77")
    assert response.status_code == 400 and 'id="state-error"' in response.get_data(as_text=True)


def test_a_chart_downloads_as_csv_with_a_bom_and_is_audited(login_as, register):
    signed = login_as("analyst")
    response = signed.get("/dashboard/dealers.csv?from=2025-01-01")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Armería", "Licencia FFL", "Ciudad", "Rastreos"]
    assert sorted(row[2:] for row in rows[1:]) == [["Houston, TX", "1"], ["Tucson, AZ", "1"]]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stats.export")).all()[-1]
    assert event.details["chart"] == "dealers" and event.details["filters"] == {"from": "2025-01-01"}


def test_a_csv_cell_is_never_a_formula(login_as, register):
    from tracer.tracing.models import TraceRequest

    trace = db.session.scalars(select(TraceRequest).where(TraceRequest.ffl_city == "Houston")).one()
    trace.ffl_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    text = login_as("analyst").get("/dashboard/dealers.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_an_unknown_chart_is_not_found(login_as, ctx):
    assert login_as("analyst").get("/dashboard/secrets.csv").status_code == 404


def test_the_map_draws_the_tucson_to_nogales_route_and_lists_its_cases(login_as, register):
    signed = login_as("analyst", "FGE-SON")
    page = signed.get("/map").get_data(as_text=True)
    layers = json.loads(re.search(r"data-layers='(.*?)'", page, re.S).group(1))
    routes = {(c["from"]["city"], c["to"]["state"] + c["to"]["municipality"]): c["count"] for c in layers["corridors"]}
    assert routes == {("Tucson", "26030"): 1, ("Houston", "26030"): 1}
    assert {(p["label"], p["count"]) for p in layers["seizures"]} == {("Hermosillo, Sonora", 1), ("Nogales, Sonora", 1)}
    listed = signed.get("/map/cases?kind=origin&us_state=AZ&city=Tucson").get_json()
    assert [item["reference"] for item in listed["items"]] == [register["son"].reference]


def test_a_map_point_lists_only_cases_in_scope(login_as, register):
    listed = login_as("analyst", "FGE-JAL").get("/map/cases?kind=seizure&state=26&municipality=030").get_json()
    assert listed["items"] == []
    bad = login_as("analyst").get("/map/cases?kind=secret")
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["details"]
