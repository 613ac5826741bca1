"""gzip for the pages and JSON answers the application renders, when the client accepts it.

Static files are compressed once at start-up (``tracer.core.assets``); here only answers
built in memory are compressed: a streamed or file answer (exports, photos) passes as it is.
A request another site made the browser send (``Sec-Fetch-Site: cross-site``) gets no
compression: a page that mixes a secret with text an attacker chose must not reveal the
secret through the compressed length (the BREACH attack). The session cookie is
``SameSite=Lax`` as well, so such requests carry no signed-in session.
"""
from __future__ import annotations

import gzip

from flask import Flask, request

from tracer.core.assets import MIN_COMPRESS_BYTES, accepts_gzip

COMPRESSIBLE_TYPES = {"application/json", "application/javascript", "application/xml", "image/svg+xml",
                      "application/problem+json", "application/geo+json"}
LEVEL = 6  # most of level 9's saving for a fraction of its time


def compressible(mimetype: str | None) -> bool:
    return bool(mimetype) and (mimetype.startswith("text/") or mimetype in COMPRESSIBLE_TYPES)


def compress_response(response):
    if request.endpoint == "static" or not compressible(response.mimetype):
        return response
    if response.status_code != 200 or request.method == "HEAD" or "Content-Encoding" in response.headers:
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    response.vary.add("Accept-Encoding")
    if not accepts_gzip() or request.headers.get("Sec-Fetch-Site") == "cross-site":
        return response
    data = response.get_data()
    if len(data) < MIN_COMPRESS_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_compression(app: Flask) -> None:
    # Registered before the other after-request functions, so it runs after them all.
    app.after_request_funcs.setdefault(None, []).insert(0, compress_response)
