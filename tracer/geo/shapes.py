"""Which Mexican state a point lies in, from the state outlines shipped in
``data/mx_states.geojson`` (INEGI Áreas Geoestadísticas Estatales, simplified).

A small even-odd ray test, with a bounding-box check first, is all this needs:
57,000 vertices, parsed once per process into flat tuples. Holes (an estuary,
slivers between states) are rings like any other for the even-odd rule, so a
point in a hole is outside; MultiPolygons (islands) are a list of polygons.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data"

BBox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True, slots=True)
class _Polygon:
    bbox: BBox
    # Each ring as (xs, ys): longitudes and latitudes, closed (first point repeated last).
    rings: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]


@dataclass(frozen=True, slots=True)
class _StateShape:
    code: str
    bbox: BBox
    polygons: tuple[_Polygon, ...]


def _bbox(boxes) -> BBox:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _polygon(rings_coordinates) -> _Polygon:
    rings = []
    for ring in rings_coordinates:
        xs = tuple(float(point[0]) for point in ring)
        ys = tuple(float(point[1]) for point in ring)
        if xs and (xs[0], ys[0]) != (xs[-1], ys[-1]):
            xs, ys = xs + xs[:1], ys + ys[:1]
        rings.append((xs, ys))
    outer_xs, outer_ys = rings[0]
    return _Polygon((min(outer_xs), min(outer_ys), max(outer_xs), max(outer_ys)), tuple(rings))


@lru_cache(maxsize=1)
def _shapes() -> tuple[_StateShape, ...]:
    with open(_DATA / "mx_states.geojson", encoding="utf-8") as handle:
        collection = json.load(handle)
    shapes = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        polygons = tuple(_polygon(part) for part in parts if part)
        shapes.append(_StateShape(feature["properties"]["state_code"], _bbox(p.bbox for p in polygons), polygons))
    return tuple(sorted(shapes, key=lambda s: s.code))


@lru_cache(maxsize=1)
def _mexico_bbox() -> BBox:
    return _bbox(shape.bbox for shape in _shapes())


def _in_box(box: BBox, lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _in_ring(xs: tuple[float, ...], ys: tuple[float, ...], lon: float, lat: float) -> bool:
    inside = False
    x1, y1 = xs[0], ys[0]
    for i in range(1, len(xs)):
        x2, y2 = xs[i], ys[i]
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
        x1, y1 = x2, y2
    return inside


def _in_polygon(polygon: _Polygon, lon: float, lat: float) -> bool:
    if not _in_box(polygon.bbox, lon, lat):
        return False
    inside = False
    for xs, ys in polygon.rings:  # even-odd over the outline and its holes
        if _in_ring(xs, ys, lon, lat):
            inside = not inside
    return inside


def _in_shape(shape: _StateShape, lon: float, lat: float) -> bool:
    return _in_box(shape.bbox, lon, lat) and any(_in_polygon(p, lon, lat) for p in shape.polygons)


def _point(lat, lon) -> tuple[float, float] | None:
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails these too
        return None
    return lat, lon


def state_of_point(lat: float, lon: float) -> str | None:
    """The INEGI code of the state containing the point, or None (sea, another country)."""
    point = _point(lat, lon)
    if point is None or not _in_box(_mexico_bbox(), point[1], point[0]):
        return None
    for shape in _shapes():
        if _in_shape(shape, point[1], point[0]):
            return shape.code
    return None


def point_in_state(lat: float, lon: float, state_code: str) -> bool:
    """Whether the point lies inside the state with INEGI code ``state_code``."""
    point = _point(lat, lon)
    code = str(state_code or "").zfill(2)
    shape = next((s for s in _shapes() if s.code == code), None)
    return point is not None and shape is not None and _in_shape(shape, point[1], point[0])


def in_mexico(lat: float, lon: float) -> bool:
    """Whether the point lies in Mexican territory (any state, islands included)."""
    return state_of_point(lat, lon) is not None


def state_outlines() -> tuple[tuple[str, tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]], ...]:
    """Each state's code and its rings as (longitudes, latitudes), for drawing a map."""
    return tuple((shape.code, tuple(ring for polygon in shape.polygons for ring in polygon.rings))
                 for shape in _shapes())


def mexico_bbox() -> BBox:
    """The box around every state outline: min lon, min lat, max lon, max lat."""
    return _mexico_bbox()
