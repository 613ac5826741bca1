"""Demo trace requests and results: shaped like the published figures, the same for a seed,
written once, and made of records that pass the rules a liaison's result passes."""
from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from tracer.audit.models import AuditEvent
from tracer.auth.demo import seed_accounts
from tracer.core.time import local_zone
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.firearms.reference import load_reference_data
from tracer.geo.catalog import us_city
from tracer.links.models import FirearmLink
from tracer.seizures.demo import demo_seizures, seed_seizures
from tracer.tracing import demo_data as figures
from tracer.tracing.demo import plan_for, seed_traces
from tracer.tracing.ffl import normalize_ffl_license, normalize_zip
from tracer.tracing.models import TraceRequest
from tracer.tracing.readiness import trace_readiness

TODAY = date(2026, 6, 1)


def ready_like_rows(firearms: int, seed: int) -> list[tuple]:
    """Demo rows that carry what a trace needs, as the facts a plan is drawn from."""
    rows = [row for _owner, rows in demo_seizures(firearms, seed) for row in rows]
    return [(number, row["external_id"], date.fromisoformat(row["seized_on"]), row["country_of_manufacture"],
             "rifle" if row["firearm_type"] in ("fusil", "rifle") else "pistol", row["serial_status"],
             row["state"], row["municipality"], row["importer"])
            for number, row in enumerate(rows, 1)
            if row["country_of_manufacture"] and (row["country_of_manufacture"] == "US" or row["importer"])
            and row["model"] and row["caliber"] and row["serial_status"] != "obliterated"]


@pytest.fixture(scope="module")
def plans():
    pools = figures.dealers(3)
    return [plan_for(3, row, pools, TODAY) for row in ready_like_rows(12000, 3)]


def test_a_plan_is_the_same_for_a_seed_and_differs_for_another(plans):
    pools = figures.dealers(3)
    rows = ready_like_rows(300, 3)
    assert [plan_for(3, row, pools, TODAY) for row in rows] == [plan_for(3, row, pools, TODAY) for row in rows]
    other = [plan_for(4, row, figures.dealers(4), TODAY) for row in rows]
    assert other != [plan_for(3, row, pools, TODAY) for row in rows]


def test_the_outcomes_follow_the_published_shares(plans):
    requested = [plan for plan in plans if plan.requested]
    answered = [plan for plan in requested if plan.answered]
    assert 0.6 <= len(requested) / len(plans) <= 0.75  # the rest stays in the backlog
    assert 0.05 <= 1 - len(answered) / len(requested) <= 0.2  # the liaison's queue
    outcomes = Counter(plan.values["outcome"] for plan in answered)
    assert 0.17 <= outcomes["no_trace"] / len(answered) <= 0.27
    determined = sum(count for outcome, count in outcomes.items() if outcome != "no_trace")
    us_sourced = (outcomes["us_retail"] + outcomes["us_other"]) / determined
    assert abs(us_sourced - figures.US_SOURCED) <= 0.05, us_sourced
    assert outcomes["foreign"] and outcomes["undetermined"]


def test_texas_leads_then_arizona_california_and_new_mexico(plans):
    states = Counter(plan.values["ffl_state"] for plan in plans if plan.answered and plan.values.get("ffl_state"))
    assert [state for state, _count in states.most_common(4)] == ["TX", "AZ", "CA", "NM"]
    assert 0.35 <= states["TX"] / sum(states.values()) <= 0.48


def test_time_to_crime_has_a_long_tail_and_a_short_cluster(plans):
    retail = [plan for plan in plans if plan.answered and plan.values["outcome"] == "us_retail"]
    seized = {row[0]: row[2] for row in ready_like_rows(12000, 3)}
    days = [(seized[plan.firearm_id] - date.fromisoformat(plan.values["purchase_date"])).days for plan in retail]
    assert all(day > 0 for day in days)
    assert 5 * 365 <= statistics.median(days) <= 11 * 365  # years, well above the US national median
    short = sum(day < 1095 for day in days) / len(days)
    assert 0.22 <= short <= 0.4  # the trafficking cluster
    assert max(days) > 25 * 365
    multiple = sum(plan.values["multiple_sale"] == "yes" for plan in retail) / len(retail)
    assert 0.08 <= multiple <= 0.2


def test_dealers_are_in_real_cities_with_well_formed_licences():
    pools = figures.dealers(9)
    assert set(pools) == {state for state, _share in figures.SOURCE_STATES}
    for dealer in (dealer for pool in pools.values() for dealer in pool):
        assert us_city(dealer.state, dealer.city) is not None, dealer
        assert normalize_ffl_license(dealer.license) == dealer.license
        assert normalize_zip(dealer.zip) == dealer.zip
    assert figures.dealers(9) == pools
    rng = random.Random(1)
    assert all(figures.purchase_date(rng, date(2020, 1, 1)) < date(2020, 1, 1) for _ in range(500))


# --- seeded into the database -------------------------------------------------------------------------


@pytest.fixture
def seeded(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()
    seed_seizures(700, 5)
    return seed_traces(5)


def test_seeding_writes_requests_for_ready_firearms_only_and_results_that_pass_the_rules(seeded):
    assert seeded.new_requests == seeded.requests > 100 and not seeded.problems
    assert seeded.submitted and seeded.completed and seeded.no_trace
    traces = list(db.session.scalars(select(TraceRequest)))
    assert {trace.addressed_to.acronym for trace in traces} == {"ATF-MX"}
    for trace in traces:
        assert trace_readiness(trace.firearm).ready
        assert trace.submitted_at.date() >= trace.firearm.seizure.seized_on
        assert trace.trace_number.startswith(f"RT-{trace.submitted_at.astimezone(local_zone()).year}-")
        if trace.outcome == "us_retail":
            assert trace.purchase_date < trace.firearm.seizure.seized_on
            assert trace.time_to_crime_days == (trace.firearm.seizure.seized_on - trace.purchase_date).days
            assert trace.origin_source == "gazetteer" and trace.origin_latitude and trace.purchaser_name
            assert normalize_ffl_license(trace.ffl_license) == trace.ffl_license
        if trace.status == "no_trace":
            assert trace.no_trace_reason and trace.purchase_date is None
    ready = db.session.scalar(select(func.count()).select_from(Firearm).where(Firearm.external_id.like("DEMO-%")))
    assert len(traces) < ready  # some ready firearms wait in the backlog
    numbers = [trace.trace_number for trace in traces]
    assert len(set(numbers)) == len(numbers)
    actions = Counter(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("trace_request.%"))))
    assert actions["trace_request.create"] == actions["trace_request.submit"] == len(traces)
    assert actions["trace_request.result"] == seeded.completed + seeded.no_trace


def test_demo_requests_carry_the_complete_form_and_results_the_new_fields(seeded):
    from tracer.tracing.request_details import missing_details

    traces = list(db.session.scalars(select(TraceRequest)))
    assert all(missing_details(trace) == {} for trace in traces)  # each could have been sent as it is
    assert all(trace.requesting_agency.ori_number for trace in traces)
    assert any(trace.priority == "urgent" and trace.urgent_justification for trace in traces)
    dealers = [trace for trace in traces if trace.ffl_license]
    assert dealers and all(re.fullmatch(r"\(\d{3}\) 555-\d{4}", trace.ffl_phone) for trace in dealers)
    answered = [trace for trace in traces if trace.outcome and trace.outcome != "no_trace"]
    assert answered and all(trace.partner_trace_number for trace in answered)
    assert any(trace.importer_name and trace.firearm.country_code != "US" for trace in answered)
    assert not any(trace.result_flags for trace in traces)  # the demo names importers only for foreign guns


def test_the_demo_liaison_has_a_queue_and_the_demo_has_possible_same_firearms(seeded):
    from tracer.auth.services import user_by_username
    from tracer.tracing.request_lists import RequestFilters, filtered_requests

    liaison = user_by_username("enlace.atf")
    queue = list(db.session.scalars(filtered_requests(liaison, RequestFilters(status="submitted"))))
    assert len(queue) == seeded.submitted > 0
    assert db.session.scalar(select(func.count()).select_from(FirearmLink)) > 0


def test_seeding_again_adds_nothing(seeded):
    again = seed_traces(5)
    assert again.new_requests == 0 and again.requests == seeded.requests
    assert db.session.scalar(select(func.count()).select_from(TraceRequest)) == seeded.requests


def test_the_demo_has_deconfliction_notices_between_states_written_once(seeded):
    from tracer.deconfliction.models import DeconflictionNotice
    from tracer.tracing.demo_notices import seed_notices

    count = seed_notices()
    # The import of the demo told agencies of recoveries in other agencies' cases too (channel import);
    # the demo's searches add their own.
    assert count == db.session.scalar(select(func.count()).select_from(DeconflictionNotice))
    notices = list(db.session.scalars(select(DeconflictionNotice).where(DeconflictionNotice.channel == "search")))
    assert len(notices) >= 4
    pairs = {(notice.told_agency.acronym, notice.owner_agency.acronym) for notice in notices}
    assert {("FGE-JAL", "FGE-SON"), ("FGE-SON", "FGE-CHIH")} <= pairs
    assert not any(notice.withheld for notice in notices)
    assert seed_notices() == count


def test_the_seed_line_counts_the_possible_same_firearms_the_links_page_lists(seeded):
    links = db.session.scalar(select(func.count()).select_from(FirearmLink))
    assert links > 0
    assert seeded.links == links
    assert f"; {links} possible same firearms" in seeded.line()


def test_the_seed_line_counts_a_firearm_recorded_later_that_matches_a_demo_firearm(seeded):
    from tests import factories

    demo_firearm = db.session.scalars(select(Firearm).where(Firearm.external_id.like("DEMO-%"))).first()
    recorded_later = factories.firearm()
    factories.firearm_link(recorded_later, demo_firearm)  # the newer record names the link
    db.session.commit()
    again = seed_traces(5)
    links = db.session.scalar(select(func.count()).select_from(FirearmLink))
    assert again.links == links == seeded.links + 1
    assert f"; {links} possible same firearms" in again.line()
