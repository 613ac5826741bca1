"""The dealer watch list: counts, links to the filtered trace list, ATF's criterion, scope."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories
from tests.seizures.helpers import text
from tracer.extensions import db
from tracer.tracing.dealers import DealerFilters, dealer_watch_list

BORDER = "5-74-201-01-4C-12345"
QUIET = "9-86-013-01-7D-00042"


def _traced(agency: str, state: str, licence: str, name: str, ttc: int, multiple: bool = False,
            recovered: date = date(2025, 3, 14)):
    seizure = factories.seizure(factories.case(agency), state=state)
    return factories.trace_request(seizure.firearms[0], status="completed", outcome="us_retail",
                                   ffl_license=licence, ffl_name=name, ffl_city="Houston", ffl_state="TX",
                                   time_to_crime_days=ttc, multiple_sale=multiple, recovery_date=recovered,
                                   recovery_state=state)


@pytest.fixture
def traces(ctx, reference_data):
    made = [
        _traced("FGE-SON", "26", BORDER, "Border Guns", 200, multiple=True),
        _traced("FGE-SON", "26", BORDER, "Border Guns", 900),
        _traced("FGE-JAL", "14", BORDER, "Border Guns", 3000),
        _traced("FGE-JAL", "14", QUIET, "Quiet Sporting", 4000),
        _traced("FGE-JAL", "14", QUIET, "Quiet Sporting", 4100, recovered=date(2023, 5, 1)),
    ]
    db.session.commit()
    return made


def test_a_federal_analyst_sees_every_dealer_ranked_by_short_time_to_crime(traces):
    analyst = factories.user("analyst", factories.agency("FGR"))
    dealers = dealer_watch_list(analyst, DealerFilters()).dealers
    assert [d.ffl_license for d in dealers] == [BORDER, QUIET]
    border = dealers[0]
    assert (border.traces, border.short_ttc, border.multiple_sales, border.short_ttc_pct) == (3, 2, 1, 66.7)
    assert [(s.code, s.name, s.count) for s in border.states] == [("26", "Sonora", 2), ("14", "Jalisco", 1)]
    assert border.meets_atf_criterion is None  # no year chosen


def test_a_state_analyst_sees_only_their_scopes_traces(traces):
    sonora = factories.user("analyst", factories.agency("FGE-SON"))
    dealers = dealer_watch_list(sonora, DealerFilters()).dealers
    assert [(d.ffl_license, d.traces, [s.code for s in d.states]) for d in dealers] == [(BORDER, 2, ["26"])]


def test_a_year_narrows_the_period_and_tells_who_meets_atfs_criterion(traces):
    analyst = factories.user("analyst", factories.agency("FGR"))
    for n in range(25):
        _traced("FGR", "08", QUIET, "Quiet Sporting", 100 + n, recovered=date(2023, 6, 1))
    db.session.commit()
    in_2023 = dealer_watch_list(analyst, DealerFilters(year="2023")).dealers
    assert [(d.ffl_license, d.traces, d.short_ttc, d.meets_atf_criterion) for d in in_2023] == [
        (QUIET, 26, 25, True)]
    in_2025 = dealer_watch_list(analyst, DealerFilters(year="2025", us_state="Texas")).dealers
    assert [(d.ffl_license, d.meets_atf_criterion) for d in in_2025] == [(BORDER, False), (QUIET, False)]
    assert dealer_watch_list(analyst, DealerFilters(us_state="AZ")).dealers == []


def test_the_page_links_each_count_to_the_filtered_trace_list(traces, login_as):
    analyst = login_as("analyst", "FGR", locale="en")
    page = text(analyst.get("/dealers?year=2025"))
    assert "Our ranking is our own" in page and "25 or more short time-to-crime traces" in page
    row = re.search(r'<tr data-ffl="%s">(.*?)</tr>' % re.escape(BORDER), page, re.S).group(1)
    found = re.findall(r'data-count="(\w+)" href="([^"]+)">(\d+)<', row)
    links = {kind: href.replace("&amp;", "&") for kind, href, _n in found}
    counts = {kind: int(n) for kind, _href, n in found}
    assert counts == {"traces": 3, "short": 2, "multiple": 1}
    for kind, href in links.items():
        listed = re.findall(r'<a href="/trace-requests/\d+">(RT-\d{4}-\d{6})</a>', text(analyst.get(href)))
        assert len(listed) == counts[kind], (kind, href)


def test_bad_filters_are_named_and_the_page_answers_400(traces, login_as):
    analyst = login_as("analyst", "FGR", locale="en")
    response = analyst.get("/dealers?us_state=Atlantis&recovered_from=yesterday")
    assert response.status_code == 400
    page = text(response)
    assert "Unknown US state" in page and "Use a date in the form YYYY-MM-DD." in page


def test_the_api_answers_the_same_list(traces, api):
    call = api("analyst", "FGE-SON")
    body = call("GET", "/dealers").get_json()
    assert [(d["ffl_license"], d["traces"], d["short_ttc"], d["recovery_states"]) for d in body["items"]] == [
        (BORDER, 2, 2, [{"state": "26", "count": 2}])]
    assert call("GET", "/dealers?year=17").status_code == 422
    assert api("liaison", "ATF-MX")("GET", "/dealers").status_code == 403
