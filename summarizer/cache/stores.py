"""Where answers are kept: Litestar stores for the response cache and idempotency keys.

`open_store(settings, ...)` opens what `SUMMARIZER_RESPONSE_CACHE` names: a bounded in-memory LRU,
a `FileStore` (survives restarts: what the CLI uses by default), or a `RedisStore` shared by every
replica (on `SUMMARIZER_REDIS_URL`, or the embedded valkey of the batch queue).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Literal

import redis.asyncio as aioredis
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from summarizer.runtime import connect_redis
from summarizer.settings import Settings

NAMESPACE = "summarizer-responses"  # the Redis key prefix, beside the queue's and the rate limits' keys


class BoundedMemoryStore(MemoryStore):
    """Litestar's `MemoryStore` with at most `max_entries` keys, the least recently used going first."""

    def __init__(self, max_entries: int) -> None:
        super().__init__()
        self.max_entries = max_entries

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        self._store.pop(key, None)  # re-inserted below: now the most recent
        await super().set(key, value, expires_in)
        while len(self._store) > self.max_entries:
            del self._store[next(iter(self._store))]

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        value = await super().get(key, renew_for)
        if value is not None and (entry := self._store.pop(key, None)) is not None:
            self._store[key] = entry  # touched: moved to the end of the eviction order
        return value


@contextlib.asynccontextmanager
async def open_store(
    settings: Settings, embedded: aioredis.Redis | None, *, local: Literal["memory", "file"] = "memory"
) -> AsyncIterator[Store | None]:
    """The store `SUMMARIZER_RESPONSE_CACHE` names; None when off.

    `auto` is Redis when a URL is set, else `local`: memory for a server (it lives as long as the
    answers are asked for again), a file store for the CLI (each run is a new process).
    `redis` without a URL uses `embedded` (the client of the batch queue's embedded valkey), not closed here.
    """
    kind = settings.response_cache
    if kind == "auto":
        kind = "redis" if settings.redis_url else local
    if kind == "off":
        yield None
    elif kind == "file":
        yield FileStore(settings.response_cache_dir or settings.cache_dir / "responses", create_directories=True)
    elif kind == "redis" and settings.redis_url:
        client = connect_redis(settings.redis_url)  # a unix-socket URL too, with the queue's backoff
        try:
            yield RedisStore(client, namespace=NAMESPACE)
        finally:
            await client.aclose()
    elif kind == "redis" and embedded is not None:
        yield RedisStore(embedded, namespace=NAMESPACE)
    else:
        yield memory_store(settings)


def memory_store(settings: Settings) -> BoundedMemoryStore:
    """The bounded in-memory store: the cache of a server with no Redis, and idempotency keys without a cache."""
    return BoundedMemoryStore(settings.response_cache_max_entries)
