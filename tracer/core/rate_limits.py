"""Whose allowance a request spends: an account's, or an address's when nobody is signed in.

Behind a government NAT or a proxy (``TRACER_PROXY_HOPS``) a whole office shares one
address, so counting by address would let one busy user, or one hostile one, use up
everybody's allowance. Limits therefore count per account wherever the request names
one, and per address only for requests that name none.
"""
from __future__ import annotations

import math
import time

from flask import Flask
from flask_login import current_user

from tracer.core.counters import shared_counter_uri
from tracer.core.security import client_address
from tracer.extensions import limiter


def address_key() -> str:
    return "address:" + client_address()


def account_key(user_id) -> str:
    return f"user:{user_id}"


def account_or_address_key() -> str:
    """The signed-in user (session or API token), else the address."""
    if getattr(current_user, "is_authenticated", False):
        return account_key(current_user.get_id())
    return address_key()


def add_limit_headers(response):
    """Every limited answer names its allowance (X-RateLimit-Limit, known without asking the
    store); a refused one (429) also says when the allowance returns (Retry-After). Only
    refused answers read the window back from the store: allowed ones cost one counter update."""
    current = limiter.current_limit
    if current is None:
        return response
    response.headers.setdefault("X-RateLimit-Limit", str(current.limit.amount))
    if response.status_code == 429 and current.breached:  # refused by this limit, not by a view
        try:
            reset_at = current.window[0]
        except Exception:  # the store did not answer: the whole window is the safe guess
            reset_at = time.time() + current.limit.get_expiry()
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = str(math.ceil(reset_at))
        response.headers.setdefault("Retry-After", str(max(1, math.ceil(reset_at - time.time()))))
    return response


def init_rate_limits(app: Flask) -> None:
    # Redis, with this process's memory while Redis does not answer (see tracer/core/counters.py).
    app.config.setdefault("RATELIMIT_STORAGE_URI", shared_counter_uri(app.config.get("REDIS_URL")))
    limiter.init_app(app)
    app.after_request(add_limit_headers)
