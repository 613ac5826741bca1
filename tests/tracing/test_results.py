"""The rules of a trace result, the same for the form, the API and the file (``tracing.results``)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests import factories
from tests.tracing.result_helpers import RETAIL, events, liaison, us_office, waiting_request
from tracer.core.errors import Conflict, NotFound, ValidationFailed
from tracer.extensions import db
from tracer.geo.catalog import us_city
from tracer.tracing import results
from tracer.tracing.ffl import normalize_ffl_license, normalize_zip


@pytest.fixture
def officer_en(ctx):
    """A liaison officer of ATF-MX; messages in English (outside a request, the default is Spanish)."""
    with force_locale("en"):
        yield liaison()


def record(user, trace, **changes):
    return results.record_result(user, trace, {**RETAIL, **changes})


def failure(user, trace, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as raised:
        record(user, trace, **changes)
    return raised.value.fields


def test_a_us_retail_result_completes_the_request_with_origin_point_and_time_to_crime(officer_en):
    trace = waiting_request()
    saved, warnings = record(officer_en, trace, ffl_state="Texas", ffl_license="5 74 201 01 4c 12345")
    houston = us_city("TX", "Houston")
    assert (saved.status, saved.outcome, saved.ffl_state, saved.ffl_license) == (
        "completed", "us_retail", "TX", "5-74-201-01-4C-12345")
    assert (saved.origin_latitude, saved.origin_longitude, saved.origin_source) == (
        houston.latitude, houston.longitude, "gazetteer")
    assert saved.time_to_crime_days == (date(2025, 3, 14) - date(2024, 1, 10)).days == 429
    assert saved.short_time_to_crime and saved.multiple_sale is True
    assert (saved.result_by_id, saved.ffl_zip, warnings) == (officer_en.id, "77002", {})
    assert saved.result_at is not None


@pytest.mark.parametrize("written", ["5-74-201-01-4C-12345", "574201014C12345", "5 74 201 01 4c 12345",
                                     " 5-74-201 01-4C-12345 "])
def test_a_licence_number_is_accepted_with_or_without_hyphens_and_stored_hyphenated(written):
    assert normalize_ffl_license(written) == "5-74-201-01-4C-12345"


@pytest.mark.parametrize("written", ["5-74-201-01-4I-12345", "5-74-201-01-44-12345", "57420101", "A-74-201-01-4C-12345",
                                     "5-74-201-01-4C-1234", "5-74-201-01-4C-123456", "5/74/201/01/4C/12345"])
def test_a_licence_number_in_the_wrong_format_is_refused_with_the_expected_shape(officer_en, written):
    assert normalize_ffl_license(written) is None
    fields = failure(officer_en, waiting_request(), ffl_license=written)
    assert list(fields) == ["ffl_license"]
    assert "X-XX-XXX-XX-XX-XXXXX" in fields["ffl_license"][0]
    assert "5-74-123-01-4C-12345" in fields["ffl_license"][0]


def test_an_unknown_us_state_is_refused_clearly(officer_en):
    fields = failure(officer_en, waiting_request(), ffl_state="Texsa")
    assert fields == {"ffl_state": ["Unknown US state: use its abbreviation (TX) or its name (Texas)."]}


def test_a_mexican_state_is_not_a_us_state(officer_en):
    assert "ffl_state" in failure(officer_en, waiting_request(), ffl_state="Sonora")


def test_a_purchase_date_after_the_seizure_date_is_refused_naming_both_dates(officer_en):
    trace = waiting_request()
    fields = failure(officer_en, trace, purchase_date="2025-03-15")
    assert fields == {"purchase_date": [
        "The purchase date (2025-03-15) is after the seizure date (2025-03-14): a firearm is bought before it "
        "is seized."]}
    assert (trace.status, trace.outcome, trace.purchase_date) == ("submitted", None, None)


def test_a_purchase_on_the_day_of_the_seizure_is_fine(officer_en):
    saved, _ = record(officer_en, waiting_request(), purchase_date="2025-03-14")
    assert saved.time_to_crime_days == 0


def test_a_purchase_date_in_the_future_is_refused(officer_en):
    trace = waiting_request()
    trace.firearm.seizure.seized_on = date.today() + timedelta(days=30)
    fields = failure(officer_en, trace, purchase_date=(date.today() + timedelta(days=10)).isoformat())
    assert fields == {"purchase_date": ["The date cannot be in the future."]}


@pytest.mark.parametrize("zip_code, stored", [("77002", "77002"), ("77002-1234", "77002-1234"),
                                              ("770021234", "77002-1234")])
def test_zip_codes_of_5_or_9_digits(zip_code, stored):
    assert normalize_zip(zip_code) == stored


def test_a_zip_code_of_another_shape_is_refused(officer_en):
    assert list(failure(officer_en, waiting_request(), ffl_zip="7700")) == ["ffl_zip"]


@pytest.mark.parametrize("field, written", [("ffl_zip", "\u0667\u0667\u0660\u0660\u0662"),
                                            ("ffl_license", "\u0665-74-201-01-4C-12345")])
def test_digits_of_other_scripts_are_refused_not_stored_as_typed(officer_en, field, written):
    """Arabic-Indic digits are digits to Python's \\d, not to a ZIP code or an ATF licence."""
    assert list(failure(officer_en, waiting_request(), **{field: written})) == [field]


def test_a_us_retail_result_names_the_dealer(officer_en):
    fields = failure(officer_en, waiting_request(), ffl_name="", ffl_license="", ffl_city="", ffl_state="")
    assert sorted(fields) == ["ffl_city", "ffl_license", "ffl_name", "ffl_state"]


def test_control_characters_in_text_are_refused(officer_en):
    fields = failure(officer_en, waiting_request(), ffl_name="Lone\u202eStar", purchaser_name="x" * 201)
    assert "invisible or control character" in fields["ffl_name"][0]
    assert fields["purchaser_name"] == ["Use at most 200 characters (201 given)."]


def test_no_trace_needs_its_reason_and_sets_the_status_no_trace(officer_en):
    trace = waiting_request()
    values = {"outcome": "no_trace", "no_trace_reason": ""}
    with pytest.raises(ValidationFailed) as raised:
        results.record_result(officer_en, trace, values)
    assert raised.value.fields == {"no_trace_reason": ["Say why the trace found nothing: choose a no-trace reason."]}
    saved, _ = results.record_result(officer_en, trace, {"outcome": "no_trace", "no_trace_reason": "too_old"})
    assert (saved.status, saved.outcome, saved.no_trace_reason, saved.time_to_crime_days) == (
        "no_trace", "no_trace", "too_old", None)


def test_a_no_trace_reason_is_refused_with_another_outcome(officer_en):
    fields = failure(officer_en, waiting_request(), no_trace_reason="too_old")
    assert fields == {"no_trace_reason": ["A no-trace reason is given only when the outcome is “no trace”."]}


def test_no_trace_has_no_purchase(officer_en):
    fields = failure(officer_en, waiting_request(), outcome="no_trace", no_trace_reason="records_unavailable")
    assert sorted(fields) == ["multiple_sale", "purchase_date", "purchaser_name"]


def test_an_unknown_outcome_lists_the_allowed_ones(officer_en):
    fields = failure(officer_en, waiting_request(), outcome="retail")
    assert fields["outcome"] == ["Not one of the allowed values: us_retail, us_other, foreign, undetermined, no_trace."]


def test_a_city_outside_the_gazetteer_leaves_the_origin_unplaced_with_a_warning(officer_en):
    saved, warnings = record(officer_en, waiting_request(), ffl_city="Nowhereville")
    assert (saved.status, saved.origin_latitude, saved.origin_source) == ("completed", None, None)
    assert warnings == {"ffl_city": [
        "Nowhereville (Texas) is not in the gazetteer of US cities: the origin point is left unplaced, so no "
        "distance can be measured. Check the spelling of the city."]}


def test_a_draft_cannot_take_a_result(officer_en):
    trace = waiting_request(status="draft", submitted_at=None)
    with pytest.raises(ValidationFailed) as raised:
        record(officer_en, trace)
    assert "still a draft" in raised.value.message and trace.outcome is None


def test_only_the_liaison_of_the_addressed_agency_records_a_result(ctx):
    trace = waiting_request()
    for user in (liaison("ATF-HOU"), factories.user("analyst", factories.agency("FGR"))):
        with pytest.raises(NotFound):
            record(user, trace)
    assert trace.outcome is None
    other = waiting_request(addressed_to=us_office("ATF-HOU"))
    with pytest.raises(NotFound):
        record(liaison(), other)


def test_the_audit_trail_has_old_and_new_values_but_never_the_purchaser(officer_en):
    trace = waiting_request()
    record(officer_en, trace)
    db.session.commit()
    results.record_result(officer_en, trace, {**RETAIL, "purchaser_name": "Jane Roe", "ffl_zip": "77003"},
                          version=trace.version)
    db.session.commit()
    first, second = events("trace_request.result", trace.id)
    assert first.case_id == trace.case_id and first.user_id == officer_en.id
    assert first.details["new"]["outcome"] == "us_retail" and first.details["new"]["status"] == "completed"
    assert first.details["old"]["status"] == "submitted" and first.details["purchaser_name"] == "set"
    assert second.details["old"] == {"ffl_zip": "77002"} and second.details["new"] == {"ffl_zip": "77003"}
    assert second.details["purchaser_name"] == "changed"
    for event in (first, second):
        assert "Buyer" not in str(event.details) and "Roe" not in str(event.details)


def test_a_correction_needs_the_version_read_and_a_stale_one_conflicts(officer_en):
    trace = waiting_request()
    record(officer_en, trace)
    read = trace.version
    with pytest.raises(ValidationFailed) as raised:
        record(officer_en, trace, ffl_zip="77003")
    assert list(raised.value.fields) == ["version"]
    results.record_result(officer_en, trace, {**RETAIL, "ffl_zip": "77003"}, version=read)
    with pytest.raises(Conflict) as conflict:
        results.record_result(officer_en, trace, {**RETAIL, "ffl_zip": "77004"}, version=read)
    assert conflict.value.details["version"] == trace.version
    assert conflict.value.details["current"]["ffl_zip"] == "77003"
    assert "purchaser_name" not in conflict.value.details["current"]


def test_a_correction_can_turn_a_result_into_no_trace(officer_en):
    trace = waiting_request()
    record(officer_en, trace)
    saved, _ = results.record_result(officer_en, trace, {"outcome": "no_trace", "no_trace_reason": "other"},
                                     version=trace.version)
    assert (saved.status, saved.ffl_name, saved.purchaser_name, saved.origin_latitude, saved.time_to_crime_days) == (
        "no_trace", None, None, None, None)
