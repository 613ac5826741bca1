"""The purchaser (SPEC §2) and what the firearm, case and request pages show of a result:
origin point, distance to the seizure, time to crime and its short flag."""
from __future__ import annotations

import pytest

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.result_helpers import HERMOSILLO, RETAIL, events, liaison, waiting_request
from tracer.extensions import db
from tracer.geo.catalog import us_city
from tracer.geo.geocoding import distance_km
from tracer.tracing import results
from tracer.tracing.personal_data import may_see_purchaser


@pytest.fixture
def son(ctx):
    return factories.agency("FGE-SON")


@pytest.fixture
def trace(son):
    """A Sonora case's firearm traced to a Houston dealer: bought 429 days before the seizure."""
    created = waiting_request(factories.case(son))
    results.record_result(liaison(), created, RETAIL)
    db.session.commit()
    return created


def reads(trace) -> list:
    return events("personal_data.read", trace.id)


def test_who_may_see_the_purchaser(trace, son):
    yes = [factories.user("analyst", son), factories.user("supervisor", son),
           factories.user("analyst", factories.agency("FGR")), liaison()]
    no = [factories.user("officer", son), factories.user("admin", factories.agency("FGR")),
          factories.user("analyst", factories.agency("FGE-JAL")), liaison("ATF-HOU"),
          factories.user("analyst", son, active=False)]
    assert [may_see_purchaser(user, trace) for user in yes] == [True] * len(yes)
    assert [may_see_purchaser(user, trace) for user in no] == [False] * len(no)


def test_the_firearm_page_shows_origin_distance_and_a_short_time_to_crime(login_as, trace):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = text(analyst.get(f"/firearms/{trace.firearm_id}"))
    houston = us_city("TX", "Houston")
    km = distance_km((houston.latitude, houston.longitude), HERMOSILLO)
    assert "Trace result" in page and "US retail sale" in page and "Lone Star Guns" in page
    assert "Houston, Texas (TX)" in page and f"{houston.latitude:.4f}, {houston.longitude:.4f}" in page
    assert f"{km:,.1f} km" in page and 1400 < km < 1600
    assert "429 days" in page and "(1.2 years)" in page and "Short time to crime" in page
    assert "5-74-201-01-4C-12345" in page


def test_analysts_read_the_purchaser_and_every_reading_is_audited_and_committed(login_as, trace):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    assert "John Q. Buyer" in text(analyst.get(f"/firearms/{trace.firearm_id}"))
    assert "John Q. Buyer" in text(analyst.get(f"/trace-requests/{trace.id}"))
    db.session.rollback()  # what the pages committed is there; nothing else is
    found = reads(trace)
    assert [(e.user_id, e.case_id, e.object_type, e.details["where"]) for e in found] == [
        (analyst.user.id, trace.case_id, "trace_request", "firearm_page"),
        (analyst.user.id, trace.case_id, "trace_request", "trace_request_page")]
    assert all("John" not in str(e.details) for e in found)


def test_an_officer_sees_that_the_purchaser_is_restricted_and_reads_nothing(login_as, trace):
    officer = login_as("officer", "FGE-SON", locale="en")
    page = text(officer.get(f"/firearms/{trace.firearm_id}"))
    assert "Trace result" in page and "Restricted" in page and "John Q. Buyer" not in page
    assert "John Q. Buyer" not in text(officer.get(f"/trace-requests/{trace.id}"))
    assert reads(trace) == []


def test_the_case_page_lists_its_traces_without_the_purchaser(login_as, trace):
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    page = text(supervisor.get(f"/cases/{trace.case_id}"))
    assert trace.trace_number in page and "US retail sale" in page and "Houston, Texas" in page
    assert "429 days" in page and "Short" in page and " km" in page
    assert "John Q. Buyer" not in page and reads(trace) == []


def test_a_long_time_to_crime_is_not_flagged(login_as, son):
    created = waiting_request(factories.case(son))
    results.record_result(liaison(), created, {**RETAIL, "purchase_date": "2015-06-01"})
    db.session.commit()
    page = text(login_as("analyst", "FGE-SON", locale="en").get(f"/firearms/{created.firearm_id}"))
    assert "3574 days" in page.replace(",", "") and "Short time to crime" not in page


def test_without_seizure_coordinates_the_distance_says_why(login_as, trace):
    trace.firearm.seizure.latitude = trace.firearm.seizure.longitude = None
    db.session.commit()
    page = text(login_as("analyst", "FGE-SON", locale="en").get(f"/firearms/{trace.firearm_id}"))
    assert "The seizure has no coordinates: the distance cannot be measured." in page


def test_the_liaison_does_not_see_the_seizure_distance(login_as, trace):
    officer = login_as("liaison", "ATF-MX", locale="en")
    page = text(officer.get(f"/trace-requests/{trace.id}"))
    assert "John Q. Buyer" in page and "Distance from origin to seizure" not in page
    assert [e.user_id for e in reads(trace)] == [officer.user.id]
