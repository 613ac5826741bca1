"""Dates and times are written one way: per language, four-digit years, Mexico City time."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from flask_babel import force_locale

from tracer.core.i18n import format_local_date, format_local_datetime, format_moment, format_utc_datetime

# 23:45 UTC on 4 December is 17:45 the same day in Mexico City (UTC-6, no daylight saving).
MOMENT = datetime(2026, 12, 4, 23, 45, 30, tzinfo=timezone.utc)
# 03:10 UTC on 5 December is still the 4th in Mexico City.
AFTER_UTC_MIDNIGHT = datetime(2026, 12, 5, 3, 10, tzinfo=timezone.utc)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("locale", "expected"), [("es", "04/12/2026 17:45"), ("en", "2026-12-04 17:45")])
def test_a_moment_in_each_language_in_mexico_city_time(request_ctx, locale, expected):
    with force_locale(locale):
        assert format_local_datetime(MOMENT) == expected


@pytest.mark.parametrize(("locale", "expected"), [("es", "04/12/2026 17:45:30"), ("en", "2026-12-04 17:45:30")])
def test_a_moment_with_seconds(request_ctx, locale, expected):
    with force_locale(locale):
        assert format_local_datetime(MOMENT, seconds=True) == expected


@pytest.mark.parametrize(("locale", "expected"), [("es", "05/12/2026 03:10:00 UTC"),
                                                  ("en", "2026-12-05 03:10:00 UTC")])
def test_the_same_moment_in_utc(request_ctx, locale, expected):
    with force_locale(locale):
        assert format_utc_datetime(AFTER_UTC_MIDNIGHT) == expected


@pytest.mark.parametrize(("locale", "expected"), [("es", "04/12/2026"), ("en", "2026-12-04")])
def test_a_day_and_the_day_of_a_moment(request_ctx, locale, expected):
    with force_locale(locale):
        assert format_local_date(date(2026, 12, 4)) == expected
        assert format_local_date("2026-12-04") == expected  # as kept in JSON
        assert format_local_date(AFTER_UTC_MIDNIGHT) == expected  # Mexico City's day, not UTC's


@pytest.mark.parametrize(("locale", "missing"), [("es", "04/12/2026 (hora no registrada)"),
                                                 ("en", "2026-12-04 (time not recorded)")])
def test_a_missing_time_is_shown_as_missing(request_ctx, locale, missing):
    with force_locale(locale):
        assert format_moment(date(2026, 12, 4), None) == missing
        assert format_moment(date(2026, 12, 4), time(0, 0)).endswith(" 00:00")  # a real midnight stays


def test_nothing_for_no_value(request_ctx):
    assert format_local_datetime(None) == format_local_date(None) == format_utc_datetime(None) == ""


def test_the_audit_trail_shows_local_time_and_utc(login_as):
    from tests.auth.test_admin import audit_rows

    auditor = login_as("auditor", "FGR", locale="es")
    rows = audit_rows(auditor.get("/admin/audit"))
    assert rows, "the sign-in is on the trail"
    local, utc = rows[0]["local"], rows[0]["utc"]
    assert local.count("/") == 2 and len(local.split("/")[2].split()[0]) == 4  # dd/MM/yyyy
    assert utc.endswith(" UTC") and utc != local
    assert "Hora (Ciudad de México, UTC)" in auditor.get("/admin/audit").get_data(as_text=True)


def test_a_style_name_from_older_templates_changes_nothing(request_ctx):
    with force_locale("es"):
        assert format_local_datetime(MOMENT, "short") == format_local_datetime(MOMENT, "medium") == "04/12/2026 17:45"
