"""A static map of a case's places: the shipped state outlines and the points, as SVG made on the
server. No tiles and no script: it prints, and WeasyPrint draws it in the PDF."""
from __future__ import annotations

import math
from functools import lru_cache

from markupsafe import Markup, escape

from tracer.geo.shapes import mexico_bbox, state_outlines

WIDTH = 640
# Vertices kept per ring at most: a national outline needs no more on paper.
RING_POINTS = 50
MARGIN = 0.5  # degrees around Mexico


@lru_cache(maxsize=1)
def _frame() -> tuple[float, float, float, float, float]:
    """min lon, max lat, x scale, y scale, height of the drawing (equirectangular at mid-latitude)."""
    min_lon, min_lat, max_lon, max_lat = mexico_bbox()
    min_lon, min_lat, max_lon, max_lat = min_lon - MARGIN, min_lat - MARGIN, max_lon + MARGIN, max_lat + MARGIN
    x_scale = WIDTH / (max_lon - min_lon)
    y_scale = x_scale / math.cos(math.radians((min_lat + max_lat) / 2))
    return min_lon, max_lat, x_scale, y_scale, (max_lat - min_lat) * y_scale


def _xy(lon: float, lat: float) -> tuple[float, float]:
    min_lon, max_lat, x_scale, y_scale, _height = _frame()
    return (lon - min_lon) * x_scale, (max_lat - lat) * y_scale


@lru_cache(maxsize=1)
def _outline_path() -> str:
    parts = []
    for _code, rings in state_outlines():
        for xs, ys in rings:
            step = max(1, len(xs) // RING_POINTS)
            points = [_xy(xs[i], ys[i]) for i in range(0, len(xs), step)]
            if len(points) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in points) + "Z")
    return "".join(parts)


def _inside(lat, lon) -> bool:
    if lat is None or lon is None:
        return False
    min_lon, min_lat, max_lon, max_lat = mexico_bbox()
    return min_lon - MARGIN <= lon <= max_lon + MARGIN and min_lat - MARGIN <= lat <= max_lat + MARGIN


def case_map(points: list[tuple[str, str, float | None, float | None]], title: str) -> Markup | None:
    """An SVG map of Mexico with ``points`` (kind ``seizure`` or ``scene``, label, latitude,
    longitude) plotted and labelled; ``None`` when no point has coordinates in Mexico."""
    drawn = [(kind, label, *_xy(lon, lat)) for kind, label, lat, lon in points if _inside(lat, lon)]
    if not drawn:
        return None
    height = _frame()[4]
    marks = []
    for kind, label, x, y in drawn:
        if kind == "scene":
            shape = f'<rect class="map-scene" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>'
        else:
            shape = f'<circle class="map-seizure" cx="{x:.1f}" cy="{y:.1f}" r="5.5"/>'
        marks.append(f'{shape}<text class="map-label" x="{x + 8:.1f}" y="{y + 4:.1f}">{escape(label)}</text>')
    svg = (f'<svg class="report-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
           f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
           f'<path class="map-states" d="{_outline_path()}" fill="#eef1f4" stroke="#8a94a3" stroke-width="0.6"/>'
           f'<g fill="#b3261e" stroke="#fff" stroke-width="1.5" font-size="13" font-family="sans-serif">'
           + "".join(marks) + "</g></svg>")
    # Safe for B704: numbers, and labels escaped.
    return Markup(svg)  # nosec B704
