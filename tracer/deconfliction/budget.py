"""The disclosure budget: how many restricted disclosures one user may receive an hour.

One budget per user across every channel (SPEC §2, ``TRACER_DISCLOSURE_BUDGET``,
default 50 an hour). It lives in Redis when ``TRACER_REDIS_URL`` is set, so every
process of every host counts the same disclosures; without Redis (development, one
process), and while a configured Redis does not answer, it lives in the process's memory. A moving window: the hour is always the last sixty minutes.
"""
from __future__ import annotations

from flask import Flask, current_app
from limits import RateLimitItemPerHour
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from tracer.core.counters import SCHEME_PREFIX, shared_counter_uri

EXTENSION = "tracer.disclosure_budget"
NAMESPACE = "tracer-disclosure"


class DisclosureBudget:
    """Counts disclosures per user in the storage it was given."""

    def __init__(self, storage_uri: str, per_hour: int, key_prefix: str = NAMESPACE):
        storage_uri = shared_counter_uri(storage_uri)
        # A stalled Redis costs a disclosure a second at most; a stopped one, nothing (see
        # tracer/core/counters.py: each process then counts on its own).
        options = ({"key_prefix": key_prefix, "socket_timeout": 1.0, "socket_connect_timeout": 1.0}
                   if storage_uri.startswith(SCHEME_PREFIX) else {})
        self.storage = storage_from_string(storage_uri, **options)
        self.per_hour = per_hour
        self._strategy = MovingWindowRateLimiter(self.storage)
        self._item = RateLimitItemPerHour(max(per_hour, 1), namespace=NAMESPACE)

    def take(self, user_id: int) -> bool:
        """Spend one disclosure of ``user_id``'s budget; False when none is left."""
        return self.per_hour > 0 and self._strategy.hit(self._item, str(user_id))

    def spent(self, user_id: int) -> bool:
        """Whether ``user_id`` has no disclosure left this hour."""
        return self.per_hour <= 0 or not self._strategy.test(self._item, str(user_id))

    def reset(self) -> None:
        self.storage.reset()


def init_budget(app: Flask) -> None:
    uri = app.config.get("DISCLOSURE_BUDGET_STORAGE_URI") or app.config.get("REDIS_URL") or "memory://"
    app.extensions[EXTENSION] = DisclosureBudget(uri, int(app.config["DISCLOSURE_BUDGET"]),
                                                 app.config.get("DISCLOSURE_BUDGET_KEY_PREFIX") or NAMESPACE)


def budget() -> DisclosureBudget:
    return current_app.extensions[EXTENSION]
