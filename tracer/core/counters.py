"""Counters shared by every process through Redis, and what happens when Redis stops.

Rate limits (``tracer.core.rate_limits``) and the disclosure budget
(``tracer.deconfliction.budget``) count in Redis so that every process of every host
counts the same requests. When Redis does not answer, refusing every request would turn
a cache outage into a full outage, and counting nothing would lift every limit; so each
process counts on its own, in memory, with the same limits, until Redis answers again:

- a sign-in name, an account's API calls and a user's disclosures are limited per
  process rather than across them (with N processes, at most N times the allowance);
  the account lockout after failed passwords lives in the database and is unchanged;
- the process logs one warning when Redis stops answering and one line when it is back,
  and tries Redis again every ``RETRY_SECONDS`` in between (one request then waits for
  the connection attempt, at most the client's connect timeout);
- the counts made in memory meanwhile are not carried back into Redis.

Sessions, sign-outs and the audit trail live in the database and do not depend on Redis.
"""
from __future__ import annotations

import logging
import time

from limits.storage import MemoryStorage, MovingWindowSupport, RedisStorage, Storage

SCHEME_PREFIX = "tracer+"
RETRY_SECONDS = 5.0

log = logging.getLogger("tracer")


def shared_counter_uri(redis_url: str | None) -> str:
    """The storage URI of shared counters: Redis that falls back to memory, or memory alone."""
    if redis_url and redis_url.startswith(("redis://", "rediss://")):
        return SCHEME_PREFIX + redis_url
    return redis_url or "memory://"


class RedisWithFallback(Storage, MovingWindowSupport):
    """Redis, or this process's memory while Redis does not answer (see the module)."""

    STORAGE_SCHEME = ["tracer+redis", "tracer+rediss"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.redis = RedisStorage(uri.removeprefix(SCHEME_PREFIX), **options)
        self.memory = MemoryStorage()
        self.retry_at = 0.0
        self.down_since: float | None = None

    @property
    def base_exceptions(self):
        return self.redis.base_exceptions

    @property
    def redis_answers(self) -> bool:
        """Whether the last call reached Redis."""
        return self.down_since is None

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() >= self.retry_at:
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except self.redis.base_exceptions as error:
                if self.down_since is None:
                    self.down_since = time.monotonic()
                    log.warning("Redis does not answer (%s): rate limits and disclosure budgets count in this "
                                "process only until it does", error)
                self.retry_at = time.monotonic() + RETRY_SECONDS
            else:
                if self.down_since is not None:
                    log.warning("Redis answers again after %.0f s: counters are shared again",
                                time.monotonic() - self.down_since)
                    self.down_since = None
                return result
        return getattr(self.memory, name)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def clear(self, key: str) -> None:
        self.memory.clear(key)
        return self._call("clear", key)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return self._call("acquire_entry", key, limit, expiry, amount=amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self._call("get_moving_window", key, limit, expiry)

    def check(self) -> bool:
        return self.redis.check()

    def reset(self) -> int | None:
        self.memory.reset()
        return self._call("reset")
