"""Static files under addresses that change with their content, kept by browsers for a year.

At start-up every file under ``static/`` is read once: its content hash goes into every
``url_for('static', ...)`` as ``?v=<hash>``, and the text files (styles, scripts) are
gzip-compressed once, in memory. A request that names the current hash is answered with
``Cache-Control: public, max-age=31536000, immutable``: a release that changes a file
changes its address, so nobody keeps an old copy. A request without the hash, or with an
old one, is answered with ``no-cache`` (revalidated every time).
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, request

EXTENSION = "tracer.assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Text that compresses; images and fonts are compressed already.
COMPRESSIBLE_SUFFIXES = {".css", ".js", ".mjs", ".json", ".geojson", ".svg", ".txt", ".map", ".md", ".html"}
MIN_COMPRESS_BYTES = 512


@dataclass(frozen=True)
class Asset:
    digest: str
    gzipped: bytes | None  # None when compression would not make it smaller


def _asset(path: Path) -> Asset:
    data = path.read_bytes()
    gzipped = None
    if path.suffix.lower() in COMPRESSIBLE_SUFFIXES and len(data) >= MIN_COMPRESS_BYTES:
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(data) else None
    return Asset(digest=hashlib.sha256(data).hexdigest()[:12], gzipped=gzipped)


def scan(folder: str | Path) -> dict[str, Asset]:
    """Every file under ``folder`` by its path relative to it, with '/' separators."""
    root = Path(folder)
    if not root.is_dir():
        return {}
    return {path.relative_to(root).as_posix(): _asset(path)
            for path in sorted(root.rglob("*")) if path.is_file() and not path.name.startswith(".")}


def manifest() -> dict[str, Asset]:
    return current_app.extensions[EXTENSION]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values:
        asset = manifest().get(values.get("filename", ""))
        if asset is not None:
            values["v"] = asset.digest


def accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


def _serve_static(response):
    if request.endpoint != "static":
        return response
    asset = manifest().get((request.view_args or {}).get("filename", ""))
    current = asset is not None and request.args.get("v") == asset.digest
    response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
    if asset is None or asset.gzipped is None:
        return response
    response.vary.add("Accept-Encoding")
    if response.status_code == 200 and request.method == "GET" and accepts_gzip() \
            and "Content-Encoding" not in response.headers:
        original = response.response
        response.direct_passthrough = False
        response.set_data(asset.gzipped)
        if hasattr(original, "close"):
            original.close()
        response.headers["Content-Encoding"] = "gzip"
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)  # same content, another encoding
    return response


def init_assets(app: Flask) -> None:
    app.extensions[EXTENSION] = scan(app.static_folder) if app.static_folder else {}
    app.url_defaults(_add_version)
    app.after_request(_serve_static)
