"""A counting semaphore in Redis: at most N articles summarized at once across every worker.

SAQ's `concurrency` bounds one worker process; with W workers on M machines the upstream would
see W x concurrency calls. Each holder here is a member of a sorted set scored by its lease's
expiry (Redis server time, so machines' clocks do not matter); holders renew while they work, and
a SIGKILLed worker's slots lapse after one lease instead of being lost for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
    return 1
end
return 0
"""


class Slots:
    """`async with slots.hold(): ...` waits for a free slot, keeps its lease alive, and frees it."""

    def __init__(self, redis: aioredis.Redis, limit: int, lease_s: float, key: str = "summarizer:slots") -> None:
        self.redis = redis
        self.limit = limit
        self.lease_ms = int(lease_s * 1000)
        self.key = key
        self._acquire = redis.register_script(_ACQUIRE)

    async def _try(self, token: str) -> bool:
        return int(await self._acquire(keys=[self.key], args=[self.limit, token, self.lease_ms])) == 1

    async def holders(self) -> int:
        return int(await self.redis.zcard(self.key))

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        token = secrets.token_hex(8)
        while not await self._try(token):  # noqa: ASYNC110  (the slot frees in another process: nothing to await here)
            await asyncio.sleep(random.uniform(0.02, 0.1))
        renew = asyncio.create_task(self._renew(token))
        try:
            yield
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await self.redis.zrem(self.key, token)

    async def _renew(self, token: str) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            await self._try(token)  # the holder's own token always renews, full or not
