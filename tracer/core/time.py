"""Dates as the users live them: Mexico City time, stored as UTC."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "America/Mexico_City"


def local_zone() -> ZoneInfo:
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_today() -> date:
    """Today's date in Mexico: what "a future date" is measured against."""
    return datetime.now(local_zone()).date()


def local_to_utc(moment: datetime) -> datetime:
    """A wall-clock time typed in Mexico, as an aware UTC datetime."""
    return moment.replace(tzinfo=local_zone()).astimezone(timezone.utc)


def local_day_start(day: date) -> datetime:
    """The first moment of a day in Mexico, as an aware UTC datetime: where a date filter starts."""
    return local_to_utc(datetime.combine(day, time()))
