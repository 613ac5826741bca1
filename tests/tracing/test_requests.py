"""Trace requests through the services: creation, refusals, numbering, scope, drafts and audit."""
from __future__ import annotations

from datetime import datetime, timezone
from unittest import mock

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests import factories
from tests.tracing.helpers import not_ready_firearm, ready_firearm
from tracer.audit.models import AuditEvent
from tracer.core.errors import Forbidden, NotFound, ValidationFailed
from tracer.extensions import db
from tracer.tracing import bulk_requests
from tracer.tracing import requests as services
from tracer.tracing.models import TraceRequest


@pytest.fixture
def english(app, reference_data):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def atf(english):
    return factories.agency("ATF-MX")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(TraceRequest))


def _events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_a_ready_firearm_gets_a_submitted_numbered_request_with_its_identifiers(atf):
    son = factories.agency("FGE-SON")
    analyst = factories.user("analyst", son)
    firearm = ready_firearm(factories.case(son))
    with mock.patch("tracer.tracing.requests.local_today", return_value=datetime(2031, 1, 1).date()):
        trace = services.request_trace(analyst, firearm, priority="urgent", details={"urgent_justification": "Detenido en flagrancia; plazo constitucional de 48 horas."})
    assert trace.trace_number == "RT-2031-000001"
    assert (trace.status, trace.priority, trace.addressed_to.acronym) == ("submitted", "urgent", "ATF-MX")
    assert trace.agency_id == son.id and trace.requesting_agency_id == son.id and trace.requested_by_id == analyst.id
    assert trace.case_id == firearm.case_id and trace.submitted_at is not None
    sent = trace.identifiers
    assert (sent["manufacturer"], sent["model"], sent["caliber"], sent["serial_number"]) == \
        ("Glock", "19", "9mm Luger", "BXK123")
    assert (sent["importer"], sent["country_of_manufacture"], sent["firearm_type"]) == ("Glock Inc.", "AT", "pistol")
    assert (sent["seized_on"], sent["state"], sent["municipality"]) == ("2025-03-14", "26", "030")
    assert sent["case_reference"] == firearm.case.reference
    created, submitted = _events("trace_request.create"), _events("trace_request.submit")
    assert [(e.object_id, e.case_id, e.user_id) for e in created] == [(str(trace.id), firearm.case_id, analyst.id)]
    assert created[0].details["new"]["trace_number"] == "RT-2031-000001"
    assert [e.object_id for e in submitted] == [str(trace.id)]


def test_numbers_follow_each_other_within_the_mexico_city_year(atf):
    analyst = factories.user("analyst")
    numbers = [services.request_trace(analyst, ready_firearm()).trace_number for _ in range(3)]
    year = services.local_today().year
    first = int(numbers[0].rsplit("-", 1)[1])
    assert numbers == [f"RT-{year}-{n:06d}" for n in range(first, first + 3)]


def test_the_year_is_the_one_in_mexico_city(atf):
    analyst = factories.user("analyst")
    # 03:00 UTC on 1 January is still 31 December in Mexico City.
    late = datetime(2030, 1, 1, 3, 0, tzinfo=timezone.utc)
    with mock.patch("tracer.core.time.datetime") as clock:
        clock.now.side_effect = lambda zone=None: late.astimezone(zone) if zone else late
        trace = services.request_trace(analyst, ready_firearm())
    assert trace.trace_number.startswith("RT-2029-")


def test_a_firearm_that_is_not_ready_is_refused_with_each_missing_identifier(atf):
    analyst = factories.user("analyst")
    firearm = not_ready_firearm(model="")
    before = _count()
    with pytest.raises(services.NotTraceReady) as refused:
        services.request_trace(analyst, firearm)
    assert set(refused.value.fields) == {"model", "importer"}
    assert refused.value.fields["importer"] == ["The importer is missing: a firearm made outside the United "
                                                "States is traced through its importer."]
    assert refused.value.details["missing"] == ["model", "importer"]
    assert _count() == before


def test_a_second_request_for_the_same_recovery_names_the_first(atf):
    analyst = factories.user("analyst")
    firearm = ready_firearm()
    first = services.request_trace(analyst, firearm)
    with pytest.raises(services.AlreadyRequested) as refused:
        services.request_trace(factories.user("supervisor"), firearm)
    assert first.trace_number in refused.value.message
    assert refused.value.details["trace_number"] == first.trace_number
    assert _count() == 1


def test_two_requests_at_once_for_the_same_recovery_give_one(atf):
    """The second request did not see the first (checked before it was written): the unique key refuses it."""
    analyst = factories.user("analyst")
    firearm = ready_firearm()
    first = services.request_trace(analyst, firearm)
    with mock.patch("tracer.tracing.requests.request_for_firearm", side_effect=[None, first]):
        with pytest.raises(services.AlreadyRequested) as refused:
            services.request_trace(analyst, firearm)
    assert refused.value.existing is first
    assert db.session.scalars(select(TraceRequest.trace_number)).all() == [first.trace_number]
    # The refused request took no number: the next one follows the first.
    following = services.request_trace(analyst, ready_firearm())
    assert int(following.trace_number[-6:]) == int(first.trace_number[-6:]) + 1


def test_officers_and_liaisons_do_not_request_traces(atf):
    firearm = ready_firearm()
    for role in ("officer", "liaison"):
        with pytest.raises(Forbidden):
            services.request_trace(factories.user(role), firearm)
    assert _count() == 0


def test_a_firearm_out_of_scope_is_not_found(atf):
    jal_analyst = factories.user("analyst", factories.agency("FGE-JAL"))
    sonora_firearm = ready_firearm(factories.case("FGE-SON"))
    with pytest.raises(NotFound):
        services.request_trace(jal_analyst, sonora_firearm)


def test_the_us_office_must_be_named_when_there_are_several(atf):
    factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    analyst = factories.user("analyst")
    with pytest.raises(ValidationFailed) as refused:
        services.request_trace(analyst, ready_firearm())
    assert "ATF-MX, CBP-MX" in refused.value.fields["addressed_to"][0]
    trace = services.request_trace(analyst, ready_firearm(), addressed_to="cbp-mx")
    assert trace.addressed_to.acronym == "CBP-MX"


def test_an_addressee_that_is_not_a_us_office_is_refused(atf):
    factories.agency("FGE-SON")
    analyst = factories.user("analyst")
    for name in ("FGE-SON", "NOPE"):
        with pytest.raises(ValidationFailed) as refused:
            services.request_trace(analyst, ready_firearm(), addressed_to=name)
        assert f"“{name}” is not a US partner office" in refused.value.fields["addressed_to"][0]
    with pytest.raises(ValidationFailed) as refused:
        services.request_trace(analyst, ready_firearm(), priority="asap")
    assert "priority" in refused.value.fields
    assert _count() == 0


def test_a_draft_may_wait_for_the_missing_identifiers_then_be_sent(atf):
    analyst = factories.user("analyst")
    firearm = not_ready_firearm()
    draft = services.request_trace(analyst, firearm, submit=False)
    assert draft.status == "draft" and draft.submitted_at is None and draft.trace_number.startswith("RT-")
    with pytest.raises(services.NotTraceReady):
        services.submit_draft(analyst, draft)
    firearm.importer = "Glock Inc."
    db.session.flush()
    sent = services.request_trace(factories.user("supervisor"), firearm)  # asking again sends the draft
    assert sent is draft and sent.status == "submitted" and sent.identifiers["importer"] == "Glock Inc."
    with pytest.raises(services.AlreadyRequested):
        services.submit_draft(analyst, draft)
    assert [e.object_id for e in _events("trace_request.submit")] == [str(draft.id)]


def test_scope_of_the_requests(atf):
    son, jal = factories.agency("FGE-SON"), factories.agency("FGE-JAL")
    other_office = factories.agency("CBP-MX", name="CBP Mexico City", level="us")
    sonora = services.request_trace(factories.user("analyst", son), ready_firearm(factories.case(son)),
                                    addressed_to="ATF-MX")
    draft = services.request_trace(factories.user("analyst", son), not_ready_firearm(factories.case(son)),
                                   addressed_to="ATF-MX", submit=False)

    def visible(user):
        return set(db.session.scalars(services.trace_request_query(user)))

    assert visible(factories.user("officer", son)) == {sonora, draft}
    assert visible(factories.user("analyst", factories.agency("FGR"))) == {sonora, draft}
    assert visible(factories.user("analyst", jal)) == set()
    assert visible(factories.user("liaison", atf)) == {sonora}  # drafts are not sent yet
    assert visible(factories.user("liaison", other_office)) == set()
    assert visible(factories.user("admin")) == set()
    with pytest.raises(NotFound):
        services.get_trace_request(factories.user("liaison", other_office), sonora.id)
    with pytest.raises(NotFound):
        services.get_trace_request(factories.user("analyst", jal), sonora.id)


def test_bulk_requests_create_the_ready_ones_and_say_why_the_others_were_refused(atf):
    son = factories.agency("FGE-SON")
    analyst = factories.user("analyst", son)
    case = factories.case(son)
    ready_one, ready_two, not_ready = ready_firearm(case), ready_firearm(case), not_ready_firearm(case)
    done = ready_firearm(case)
    earlier = services.request_trace(analyst, done)
    elsewhere = ready_firearm(factories.case("FGE-JAL"))
    outcome = bulk_requests.request_traces(analyst, [ready_one.id, str(not_ready.id), ready_two.id, done.id,
                                                elsewhere.id, ready_one.id], priority="urgent",
                                      details={"urgent_justification": "Detenido en flagrancia; plazo constitucional de 48 horas."})
    assert [t.firearm_id for t in outcome.created] == [ready_one.id, ready_two.id]
    assert all(t.priority == "urgent" and t.status == "submitted" for t in outcome.created)
    refused = {r.firearm_id: r for r in outcome.refused}
    assert set(refused) == {not_ready.id, done.id, elsewhere.id}
    assert any("importer" in reason for reason in refused[not_ready.id].reasons)
    assert refused[done.id].trace_number == earlier.trace_number
    assert refused[elsewhere.id].reasons == ["Firearm not found."] and refused[elsewhere.id].firearm is None
    assert _count() == 3


@pytest.mark.parametrize("ids, words", [([], "at least one"), (["x1"], "from the list"),
                                        (list(range(1, 102)), "at most 100")])
def test_bulk_requests_refuse_a_bad_selection(atf, ids, words):
    with pytest.raises(ValidationFailed) as refused:
        bulk_requests.request_traces(factories.user("analyst"), ids)
    assert words in refused.value.fields["firearm_ids"][0]
