"""The state outlines drawn under a seizure's marker, served from the project's own data.

The shipped GeoJSON (INEGI state boundaries, 5 decimals, 1.2 MB) is reduced
once per process for display: coordinates rounded to 3 decimals (about 100 m,
far below what a state outline on screen shows), repeated points dropped, and
the result gzipped (about 250 KB on the wire). No tile server is needed.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request

from tracer.core.access import any_role
from tracer.core.security import CSP
from tracer.core.translation import lazy_gettext as _l

bp = Blueprint("maps", __name__)
OUTLINES = Path(__file__).resolve().parent.parent / "geo" / "data" / "mx_states.geojson"
DISPLAY_DECIMALS = 3


def _ring(points: list, decimals: int) -> list:
    kept: list = []
    for lon, lat, *_ in points:
        point = [round(lon, decimals), round(lat, decimals)]
        if not kept or kept[-1] != point:
            kept.append(point)
    return kept if len(kept) >= 4 else []


def _polygon(rings: list, decimals: int) -> list:
    reduced = [_ring(ring, decimals) for ring in rings]
    if not reduced or not reduced[0]:
        return []
    return [ring for ring in reduced if ring]


def display_outlines(decimals: int = DISPLAY_DECIMALS) -> dict:
    """The state outlines as a FeatureCollection light enough to send to a browser."""
    source = json.loads(OUTLINES.read_text(encoding="utf-8"))
    features = []
    for feature in source["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            polygons = [_polygon(geometry["coordinates"], decimals)]
        else:
            polygons = [_polygon(rings, decimals) for rings in geometry["coordinates"]]
        polygons = [p for p in polygons if p]
        features.append({"type": "Feature", "properties": feature["properties"],
                          "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=1)
def _payload() -> tuple[bytes, bytes, str]:
    body = json.dumps(display_outlines(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return body, gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:32]


@bp.get("/geo/states.geojson")
@any_role
def states_geojson():
    body, compressed, etag = _payload()
    gzip_ok = "gzip" in (request.headers.get("Accept-Encoding") or "").lower()
    response = Response(compressed if gzip_ok else body, mimetype="application/geo+json")
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.set_etag(etag + ("-gz" if gzip_ok else ""))
    return response.make_conditional(request)


# The kinds of place a case map shows; other rooms add theirs (a scene of a shooting).
MARKER_KINDS = {"seizure": _l("Seizure"), "scene": _l("Scene of a shooting")}


def map_point(kind: str, latitude: float, longitude: float, when: str, where: str | None) -> dict:
    """One place of a case map, labelled in the reader's language: its kind, date and place."""
    label = " · ".join(part for part in (str(MARKER_KINDS[kind]), when, where) if part)
    return {"kind": kind, "lat": latitude, "lon": longitude, "label": label}


def seizure_points(seizures) -> list[dict]:
    """The case map's seizures that have coordinates."""
    from tracer.core.i18n import format_local_date

    return [map_point("seizure", s.latitude, s.longitude, format_local_date(s.seized_on), s.locality)
            for s in seizures if s.latitude is not None and s.longitude is not None]


def tile_origin(url: str | None) -> str | None:
    """The origin a tile URL template loads images from, as a CSP source."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "subdomain"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    host = parts.netloc.replace("subdomain.", "*.")
    return f"{parts.scheme}://{host}"


def map_policy() -> str | None:
    """The page's Content-Security-Policy when configured tiles come from another origin."""
    origin = tile_origin(current_app.config.get("MAP_TILE_URL"))
    if origin is None:
        return None
    return CSP.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
