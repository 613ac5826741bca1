"""The dashboard's charts as tables: each chart's columns and rows, in the reader's language,
for the table view, the chart's data and the CSV download (the same rows in all three)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Callable


from tracer.core.csv_files import BOM_TEXT, neutralise
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.labels import FIREARM_TYPE_LABELS
from tracer.geo.catalog import state_name, us_state_name
from tracer.stats.services import Dashboard
from tracer.tracing.backlog import AGE_BANDS, AGE_LABELS
from tracer.tracing.result_labels import OUTCOME_LABELS

TTC_LABELS = {"under_1y": _l("Under 1 year"), "1_3y": _l("1 to 3 years"), "3_5y": _l("3 to 5 years"),
              "5_10y": _l("5 to 10 years"), "10_20y": _l("10 to 20 years"), "over_20y": _l("20 years or more")}


@dataclass(frozen=True)
class Chart:
    """One chart: its key (in addresses and file names), title, kind (Chart.js type), columns, rows."""

    key: str
    title: Any
    kind: str
    columns: tuple
    rows: Callable[[Dashboard], list[list[Any]]]
    # The columns drawn as series (by position); by default every column after the first.
    series: tuple[int, ...] | None = None


CHARTS = (
    Chart("months", _l("Seizures and firearms by month"), "line", (_l("Month"), _l("Seizures"), _l("Firearms")),
          lambda d: [[m["month"], m["seizures"], m["firearms"]] for m in d.months]),
    Chart("types", _l("Firearms by type"), "bar", (_l("Type"), _l("Firearms")),
          lambda d: [[str(FIREARM_TYPE_LABELS.get(k, k)), n] for k, n in d.summary["by_type"].items() if n]),
    Chart("calibers", _l("Firearms by caliber"), "bar", (_l("Caliber"), _l("Firearms")),
          lambda d: [[c["caliber"] or "—", c["count"]] for c in d.calibers]),
    Chart("seizure_states", _l("Firearms by seizure state"), "bar", (_l("State"), _l("Firearms")),
          lambda d: [[state_name(s["state"]) or s["state"], s["count"]] for s in d.summary["by_seizure_state"]]),
    Chart("outcomes", _l("Trace outcomes"), "doughnut", (_l("Outcome"), _l("Traces")),
          lambda d: [[str(OUTCOME_LABELS.get(k, k)), n] for k, n in d.summary["outcomes"].items()]),
    Chart("source_states", _l("Top US source states"), "bar", (_l("US state"), _l("Traces")),
          lambda d: [[us_state_name(s["state"]) or s["state"], s["count"]] for s in d.sources["states"]]),
    Chart("source_cities", _l("Top US source cities"), "bar", (_l("City"), _l("Traces")),
          lambda d: [[f"{c['city']}, {c['state']}", c["count"]] for c in d.sources["cities"]]),
    Chart("dealers", _l("Top dealers (FFL)"), "bar", (_l("Dealer"), _l("FFL licence"), _l("City"), _l("Traces")),
          lambda d: [[x["name"], x["license"], f"{x['city']}, {x['state']}", x["count"]] for x in d.sources["dealers"]],
          series=(3,)),
    Chart("time_to_crime", _l("Time to crime"), "bar", (_l("Time to crime"), _l("Traces")),
          lambda d: [[str(TTC_LABELS[b["bin"]]), b["count"]] for b in d.ttc["bins"]]),
    Chart("backlog", _l("Untraced backlog by agency and age"), "stacked",
          (_l("Agency"), *AGE_LABELS.values(), _l("Total")),
          lambda d: [[line["agency"], *(line[key] for key in AGE_BANDS), line["total"]] for line in d.backlog],
          series=(1, 2, 3, 4)),
)
CHARTS_BY_KEY = {chart.key: chart for chart in CHARTS}


def chart_data(chart: Chart, dashboard: Dashboard) -> dict[str, Any]:
    """What static/js/dashboard.js draws: labels (first column) and one series per other column
    (the backlog's total column aside)."""
    rows = chart.rows(dashboard)
    series = chart.series or tuple(range(1, len(chart.columns)))
    return {"key": chart.key, "kind": chart.kind, "labels": [str(row[0]) for row in rows],
            "series": [{"label": str(chart.columns[index]), "data": [row[index] for row in rows]}
                       for index in series]}


def csv_text(chart: Chart, dashboard: Dashboard) -> str:
    """The chart's table as CSV: UTF-8 with a byte-order mark, no cell a spreadsheet would run."""
    out = io.StringIO()
    out.write(BOM_TEXT)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(name)) for name in chart.columns])
    for row in chart.rows(dashboard):
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue()
