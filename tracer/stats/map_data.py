"""The map's layers: seizures and scenes per municipality, US origin points, and the
corridors from each origin to each seizure municipality, weighted by their traces.

Places are grouped in SQL (one row per municipality, city or corridor) and placed at the
municipality's seat or the city's coordinates of the shipped gazetteer (the state's capital
when a seizure names no municipality).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracer.auth.models import User
from tracer.auth.scope import agency_scope
from tracer.ballistics.models import Scene
from tracer.cases.models import Case
from tracer.cases.services import case_query
from tracer.core.errors import ValidationFailed
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.geo.catalog import municipalities, municipality_name, resolve_us_state, state_name, states
from tracer.seizures.models import Seizure
from tracer.stats.filters import StatsFilters
from tracer.stats.services import US_OUTCOMES
from tracer.tracing.models import TraceRequest

CORRIDORS = 200
CASES_LISTED = 20


@lru_cache(maxsize=1)
def _municipalities() -> dict[tuple[str, str], Any]:
    return {(m.state_code, m.code): m for code in states() for m in municipalities(code)}


def _place(state_code: str, municipality_code: str | None) -> tuple[float, float, str] | None:
    """Where a municipality is drawn (its seat), or its state's capital; with its name."""
    state = states().get(state_code)
    if state is None:
        return None
    municipality = _municipalities().get((state_code, municipality_code or ""))
    if municipality is not None:
        return municipality.latitude, municipality.longitude, f"{municipality.name}, {state.name}"
    return state.latitude, state.longitude, state.name


def _scene_filters(filters: StatsFilters, statement):
    if filters.date_from:
        statement = statement.where(Scene.occurred_on >= filters.date_from)
    if filters.date_to:
        statement = statement.where(Scene.occurred_on <= filters.date_to)
    if filters.state:
        statement = statement.where(Scene.state_code == filters.state)
    return statement


def map_layers(user: User, filters: StatsFilters) -> dict[str, list[dict[str, Any]]]:
    """The seizure and scene places, the origin points and the corridors, biggest first."""
    count = func.count().label("n")
    seizures = db.session.execute(filters.apply(
        select(Seizure.state_code, Seizure.municipality_code, count).join(Case, Case.id == Seizure.case_id)
        .where(agency_scope(user, Case.owner_agency_id))
        .group_by(Seizure.state_code, Seizure.municipality_code).order_by(count.desc()))).all()
    scenes = db.session.execute(_scene_filters(filters, select(Scene.state_code, Scene.municipality_code, count)
                                               .where(agency_scope(user, Scene.agency_id))
                                               .group_by(Scene.state_code, Scene.municipality_code)
                                               .order_by(count.desc()))).all()
    traced = (select().select_from(TraceRequest).join(Firearm, Firearm.id == TraceRequest.firearm_id)
              .join(Seizure, Seizure.id == Firearm.seizure_id)
              .where(agency_scope(user, TraceRequest.agency_id), TraceRequest.status == "completed",
                     TraceRequest.outcome.in_(US_OUTCOMES), TraceRequest.origin_latitude.is_not(None),
                     TraceRequest.ffl_city.is_not(None)))
    traced = filters.apply(traced)
    origin_columns = (TraceRequest.ffl_state, TraceRequest.ffl_city, func.avg(TraceRequest.origin_latitude),
                      func.avg(TraceRequest.origin_longitude))
    origins = db.session.execute(traced.with_only_columns(*origin_columns, count)
                                 .group_by(TraceRequest.ffl_state, TraceRequest.ffl_city)
                                 .order_by(count.desc())).all()
    corridors = db.session.execute(
        traced.with_only_columns(*origin_columns, Seizure.state_code, Seizure.municipality_code, count)
        .group_by(TraceRequest.ffl_state, TraceRequest.ffl_city, Seizure.state_code, Seizure.municipality_code)
        .order_by(count.desc()).limit(CORRIDORS)).all()
    return {
        "seizures": _places("seizure", seizures),
        "scenes": _places("scene", scenes),
        "origins": [{"kind": "origin", "us_state": us_state, "city": city, "lat": round(lat, 4),
                     "lon": round(lon, 4), "label": f"{city}, {us_state}", "count": int(n)}
                    for us_state, city, lat, lon, n in origins],
        "corridors": [_corridor(row) for row in corridors if _place(row[4], row[5]) is not None],
    }


def _places(kind: str, rows) -> list[dict[str, Any]]:
    placed = []
    for state_code, municipality_code, n in rows:
        where = _place(state_code, municipality_code)
        if where is not None:
            placed.append({"kind": kind, "state": state_code, "municipality": municipality_code or "",
                           "lat": where[0], "lon": where[1], "label": where[2], "count": int(n)})
    return placed


def _corridor(row) -> dict[str, Any]:
    us_state, city, lat, lon, state_code, municipality_code, n = row
    to_lat, to_lon, label = _place(state_code, municipality_code)
    return {"from": {"us_state": us_state, "city": city, "lat": round(lat, 4), "lon": round(lon, 4)},
            "to": {"state": state_code, "municipality": municipality_code or "", "lat": to_lat, "lon": to_lon},
            "label": f"{city}, {us_state} → {label}", "count": int(n)}


def place_cases(user: User, filters: StatsFilters, values: Any) -> list[Case]:
    """The cases in scope behind one point of the map (at most ``CASES_LISTED``, newest first): a
    seizure or scene municipality (``kind``, ``state``, ``municipality``) or a US origin city
    (``kind=origin``, ``us_state``, ``city``). Raises ``ValidationFailed`` for a point the map never draws."""
    kind = values.get("kind")
    statement = case_query(user)
    if kind in ("seizure", "scene"):
        model = Seizure if kind == "seizure" else Scene
        state = (values.get("state") or "").strip()
        if state not in states():
            raise ValidationFailed(_("Please correct the marked fields."),
                                   {"state": [_("Use the INEGI code of a state, 01 to 32.")]})
        municipality = (values.get("municipality") or "").strip() or None
        inner = select(model.case_id).where(model.state_code == state,
                                            model.municipality_code.is_(None) if municipality is None
                                            else model.municipality_code == municipality)
        if kind == "seizure":
            inner = filters.apply(inner)
        else:
            inner = _scene_filters(filters, inner)
        statement = statement.where(Case.id.in_(inner))
    elif kind == "origin":
        us_state = resolve_us_state(values.get("us_state"))
        city = (values.get("city") or "").strip()[:120]
        if us_state is None:
            raise ValidationFailed(_("Please correct the marked fields."),
                                   {"us_state": [_("Use the abbreviation of a US state, such as TX.")]})
        inner = filters.apply(select(TraceRequest.case_id).join(Firearm, Firearm.id == TraceRequest.firearm_id)
                              .join(Seizure, Seizure.id == Firearm.seizure_id)
                              .where(TraceRequest.ffl_state == us_state, TraceRequest.ffl_city == city,
                                     TraceRequest.status == "completed", TraceRequest.outcome.in_(US_OUTCOMES)))
        statement = statement.where(Case.id.in_(inner))
    else:
        raise ValidationFailed(_("Please correct the marked fields."),
                               {"kind": [_("Not one of the allowed values: %(values)s.",
                                           values="seizure, scene, origin")]})
    return list(db.session.scalars(statement.order_by(Case.created_at.desc(), Case.id.desc()).limit(CASES_LISTED)))


def place_title(values: Any) -> str:
    if values.get("kind") == "origin":
        return f"{values.get('city', '')}, {values.get('us_state', '')}"
    return ", ".join(part for part in (municipality_name(values.get("state"), values.get("municipality")),
                                       state_name(values.get("state"))) if part)
