"""The map's layers: seizures and scenes per municipality, US origin points, and the
corridors from each origin to each seizure municipality, weighted by their traces.

Places are grouped in SQL (one row per municipality, city or corridor) and placed at the
municipality's seat or the city's coordinates of the shipped gazetteer (the state's capital
when a seizure names no municipality).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import func, literal_column, select

from tracer.auth.models import User
from tracer.auth.scope import agency_scope
from tracer.ballistics.models import Scene
from tracer.cases.models import Case
from tracer.cases.services import case_query
from tracer.core.database import read_session
from tracer.core.errors import ValidationFailed
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.geo.catalog import municipalities, municipality_name, resolve_us_state, state_name, states
from tracer.seizures.models import Seizure
from tracer.stats.filters import StatsFilters
from tracer.stats.models import corridor_counts, seizure_places, source_counts
from tracer.stats.services import US_OUTCOMES, read_counters
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
    most = literal_column("n").desc()
    places = seizure_places
    reads = read_session()  # the replica when one is configured
    seizures = reads.execute(read_counters(user, filters, places, places.c.state_code, places.c.municipality_code)
                             .order_by(most)).all()
    scenes = reads.execute(_scene_filters(filters, select(Scene.state_code, Scene.municipality_code, count)
                                          .where(agency_scope(user, Scene.agency_id))
                                          .group_by(Scene.state_code, Scene.municipality_code)
                                          .order_by(count.desc()))).all()
    sources = source_counts
    origins = reads.execute(
        read_counters(user, filters, sources, sources.c.ffl_state, sources.c.ffl_city,
                      sums=("placed", "latitude_sum", "longitude_sum"), where=(sources.c.ffl_city != "",))
        .order_by(literal_column("placed").desc(), literal_column("ffl_state"), literal_column("ffl_city"))).all()
    lines = corridor_counts
    corridors = reads.execute(
        read_counters(user, filters, lines, lines.c.ffl_state, lines.c.ffl_city, lines.c.to_state,
                      lines.c.municipality_code, sums=("latitude_sum", "longitude_sum"))
        .order_by(most).limit(CORRIDORS)).all()
    return {
        "seizures": _places("seizure", [(state, municipality or None, n) for state, municipality, n in seizures]),
        "scenes": _places("scene", scenes),
        "origins": [{"kind": "origin", "us_state": us_state, "city": city, "lat": round(lat / float(placed), 4),
                     "lon": round(lon / float(placed), 4), "label": f"{city}, {us_state}", "count": int(placed)}
                    for us_state, city, _n, placed, lat, lon in origins if placed],
        "corridors": [_corridor((us_state, city, lat / float(n), lon / float(n), state, municipality or None, n))
                      for us_state, city, state, municipality, n, lat, lon in corridors
                      if _place(state, municipality or None) is not None],
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
