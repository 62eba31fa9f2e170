"""Rate-limit counters: fixed windows aligned to the clock, in memory (one machine) or in Redis (several).

Windows start at multiples of `window_s` since the epoch, so every instance sharing a Redis agrees
on when a window ends without talking to the others. A store only counts; the API decides what
a refusal looks like (`summarizer.api.security`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import RedisError

from summarizer.runtime import connect_redis
from summarizer.settings import Settings

log = logging.getLogger("summarizer.cache.ratelimit")


@dataclass(frozen=True)
class Decision:
    """The outcome of one hit: allowed or not, and what the `RateLimit-*` headers should say."""

    allowed: bool
    limit: int
    remaining: int
    reset_s: float
    count: int = 0  # hits counted in this window so far (batch workers space deferred articles by it)


class RateLimitStore(Protocol):
    async def hit(self, key: str, limit: int, window_s: int) -> Decision:
        """Count one request for `key` and say whether it is within `limit` for the current window."""
        ...

    async def peek(self, key: str, limit: int, window_s: int) -> Decision:
        """Say whether `key` is still under `limit` in the current window, without counting anything."""
        ...

    async def close(self) -> None: ...


def _window(window_s: int, now: float) -> tuple[int, float]:
    """Index of the current window and seconds until it ends."""
    index = math.floor(now / window_s)
    return index, (index + 1) * window_s - now


def _decide(count: int, limit: int, reset_s: float) -> Decision:
    return Decision(allowed=count <= limit, limit=limit, remaining=max(limit - count, 0), reset_s=reset_s, count=count)


def _peeked(count: int, limit: int, reset_s: float) -> Decision:
    return Decision(allowed=count < limit, limit=limit, remaining=max(limit - count, 0), reset_s=reset_s)


class MemoryStore:
    """Counters in this process: right for one instance, and the default.

    Bounded: past `max_keys` counters it first forgets past windows, then the least recently
    counted keys, down to 90 % of the bound, so strangers inventing addresses cannot grow it
    without limit and the clean-up runs once per ~10 % of the bound, not on every request.
    """

    def __init__(self, clock: Callable[[], float] = time.time, max_keys: int = 10_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window index, count), least recent first

    async def hit(self, key: str, limit: int, window_s: int) -> Decision:
        index, reset_s = _window(window_s, self._clock())
        seen_index, count = self._counts.pop(key, (index, 0))
        count = count + 1 if seen_index == index else 1
        self._counts[key] = (index, count)  # re-inserted: now the most recent
        if len(self._counts) > self._max_keys:
            self._shrink(index)
        return _decide(count, limit, reset_s)

    async def peek(self, key: str, limit: int, window_s: int) -> Decision:
        index, reset_s = _window(window_s, self._clock())
        seen_index, count = self._counts.get(key, (index, 0))
        return _peeked(count if seen_index == index else 0, limit, reset_s)

    def __len__(self) -> int:
        """How many counters are held (what the bound limits)."""
        return len(self._counts)

    def _shrink(self, index: int) -> None:
        current = {k: v for k, v in self._counts.items() if v[0] == index}
        keep = max(1, int(self._max_keys * 0.9))
        if len(current) > keep:
            current = dict(list(current.items())[len(current) - keep :])
        self._counts = current

    async def close(self) -> None:
        self._counts.clear()


class RedisStore:
    """Counters in Redis, shared by every instance pointed at it: one INCR (+EXPIRE) per request.

    If Redis cannot be reached the request is let through and a warning logged: an outage of the
    limiter should not become an outage of the service.
    """

    def __init__(self, url: str, prefix: str = "summarizer:ratelimit", clock: Callable[[], float] = time.time) -> None:
        self._redis = connect_redis(url, timeout_s=1.0, ride_out_outages=False)
        self._prefix = prefix
        self._clock = clock
        self._warned_at = -math.inf

    async def hit(self, key: str, limit: int, window_s: int) -> Decision:
        index, reset_s = _window(window_s, self._clock())
        name = f"{self._prefix}:{key}:{index}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_s + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return Decision(allowed=True, limit=limit, remaining=limit, reset_s=reset_s)
        return _decide(int(count), limit, reset_s)

    async def peek(self, key: str, limit: int, window_s: int) -> Decision:
        index, reset_s = _window(window_s, self._clock())
        try:
            count = await self._redis.get(f"{self._prefix}:{key}:{index}")
        except (RedisError, OSError) as exc:
            self._unreachable(exc)
            return Decision(allowed=True, limit=limit, remaining=limit, reset_s=reset_s)
        return _peeked(int(count or 0), limit, reset_s)

    def _unreachable(self, exc: Exception) -> None:
        """Warn at most once a minute: during an outage every request would otherwise log."""
        now = time.monotonic()
        if now - self._warned_at >= 60.0:
            self._warned_at = now
            log.warning("rate-limit store unreachable; letting requests through", extra={"error": str(exc)})

    async def close(self) -> None:
        await self._redis.aclose()


def store_for(settings: Settings) -> RateLimitStore:
    """Redis when `SUMMARIZER_REDIS_URL` is set, else in memory."""
    return RedisStore(settings.redis_url) if settings.redis_url else MemoryStore()
