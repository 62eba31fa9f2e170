"""Batches in Redis: what was submitted, who owns it, and each article's result, written exactly once.

Keys of one batch (all expire together, `batch_results_ttl_s` after creation):

    summarizer:batch:<id>            hash: owner, total, prompt, created, expires, cancelled
    summarizer:batch:<id>:ids        list: the articles' ids, in order
    summarizer:batch:<id>:articles   hash: index -> article JSON
    summarizer:batch:<id>:results    hash: index -> {"summary": ...} or {"problem": ...}  (write-once)
    summarizer:batch:<id>:counts     hash: succeeded, failed, cancelled, duplicates_refused
    summarizer:batch:<id>:running    hash: index -> saq job key, for articles started and not finished
    summarizer:batch:active          set: ids of batches with an article started (the workers' repair rounds)
    summarizer:batch:repair:<job id> who is re-queueing or settling that job now (`BatchQueue.claimed`)

Every state change is one Lua script, so it is atomic against every other worker and the API:
`start` refuses an article that already has a result (cancelled, or finished by an earlier
attempt); `finish` writes with HSETNX and counts only a write that happened, so an article retried
after its worker was killed, or run twice by two workers, still has exactly one result.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

PREFIX = "summarizer:batch"
OUTCOMES = ("succeeded", "failed", "cancelled")

_START = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('EXPIREAT', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[4])
return 1
"""

# A batch leaves the active set only when nothing of it runs: atomic with `_START`, so an article
# started meanwhile keeps its batch in the set.
_RETIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[1])
"""
ACTIVE = f"{PREFIX}:active"

_FINISH = """
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
    redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
    redis.call('EXPIREAT', KEYS[2], ARGV[4])
    redis.call('EXPIREAT', KEYS[4], ARGV[4])
    return 1
end
redis.call('HINCRBY', KEYS[4], 'duplicates_refused', 1)
return 0
"""

# Every article without a result that no worker has started gets the cancelled problem; those
# running finish on their own. Atomic with `_START`, so no article both starts and is cancelled.
_CANCEL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'cancelled', 1)
local cancelled = 0
for i = 0, tonumber(ARGV[1]) - 1 do
    local index = tostring(i)
    if redis.call('HEXISTS', KEYS[2], index) == 0 and redis.call('HEXISTS', KEYS[3], index) == 0 then
        redis.call('HSET', KEYS[2], index, ARGV[2])
        cancelled = cancelled + 1
    end
end
if cancelled > 0 then
    redis.call('HINCRBY', KEYS[4], 'cancelled', cancelled)
    redis.call('EXPIREAT', KEYS[2], ARGV[3])
    redis.call('EXPIREAT', KEYS[4], ARGV[3])
end
return cancelled
"""


@dataclass(frozen=True)
class BatchInfo:
    """A batch as stored, with its counts per state."""

    id: str
    owner: str
    total: int
    prompt: str | None
    created: float
    expires: int
    cancelled: bool
    counts: dict[str, int]
    running: int

    @property
    def done(self) -> int:
        return sum(self.counts.get(outcome, 0) for outcome in OUTCOMES)

    @property
    def status(self) -> str:
        if self.done >= self.total:
            return "cancelled" if self.cancelled and self.counts.get("cancelled") else "completed"
        if self.cancelled:
            return "cancelling"
        return "running" if self.running or self.done else "queued"

    def public(self) -> dict[str, Any]:
        """The body of `GET /v1/batches/{id}`."""
        queued = max(self.total - self.done - self.running, 0)
        return {
            "id": self.id,
            "status": self.status,
            "total": self.total,
            "counts": {
                "queued": queued,
                "running": self.running,
                **{outcome: self.counts.get(outcome, 0) for outcome in OUTCOMES},
            },
            "prompt": self.prompt,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.expires)),
        }


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def new_batch_id() -> str:
    return "b_" + secrets.token_hex(12)


class BatchStore:
    """Reads and writes batches; shared by the API and every worker."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis
        self._start = redis.register_script(_START)
        self._finish = redis.register_script(_FINISH)
        self._cancel = redis.register_script(_CANCEL)
        self._retire = redis.register_script(_RETIRE)

    @staticmethod
    def _keys(batch_id: str) -> tuple[str, str, str, str, str, str]:
        base = f"{PREFIX}:{batch_id}"
        return base, f"{base}:results", f"{base}:running", f"{base}:counts", f"{base}:articles", f"{base}:ids"

    async def create(
        self, batch_id: str, owner: str, articles: Sequence[dict[str, Any]], prompt: str | None, ttl_s: int
    ) -> None:
        """Store a batch and its articles, all expiring `ttl_s` from now (one transaction)."""
        meta, _, _, _, stored, ids = self._keys(batch_id)
        now = time.time()
        expires = int(now) + ttl_s
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                meta,
                mapping={
                    "owner": owner,
                    "total": len(articles),
                    "prompt": prompt or "",
                    "created": repr(now),
                    "expires": expires,
                    "cancelled": 0,
                },
            )
            for start in range(0, len(articles), 1000):
                chunk = articles[start : start + 1000]
                pipe.hset(stored, mapping={str(start + i): json.dumps(a) for i, a in enumerate(chunk)})
                pipe.rpush(ids, *[str(a["id"]) for a in chunk])
            for key in (meta, stored, ids):
                pipe.expireat(key, expires)
            await pipe.execute()

    async def info(self, batch_id: str) -> BatchInfo | None:
        meta, _, running, counts, _, _ = self._keys(batch_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(meta)
            pipe.hgetall(counts)
            pipe.hlen(running)
            fields, tallies, n_running = await pipe.execute()
        if not fields:
            return None
        text = {k.decode(): v.decode() for k, v in fields.items()}
        return BatchInfo(
            id=batch_id,
            owner=text["owner"],
            total=int(text["total"]),
            prompt=text["prompt"] or None,
            created=float(text["created"]),
            expires=int(text["expires"]),
            cancelled=text["cancelled"] == "1",
            counts={k.decode(): int(v) for k, v in tallies.items()},
            running=int(n_running),
        )

    async def article(self, batch_id: str, index: int) -> dict[str, Any] | None:
        raw = await self.redis.hget(self._keys(batch_id)[4], str(index))
        return json.loads(raw) if raw else None

    async def start(self, batch_id: str, index: int, job_key: str, expires: int) -> int:
        """Mark an article running under `job_key`: 1 started, 0 it already has a result, -1 the batch is gone."""
        meta, results, running, _, _, _ = self._keys(batch_id)
        return int(await self._start(keys=[meta, results, running, ACTIVE], args=[index, expires, job_key, batch_id]))

    async def unstart(self, batch_id: str, index: int) -> None:
        """Undo `start` for an article handed back to the queue (deferred by the rate limit)."""
        await self.redis.hdel(self._keys(batch_id)[2], str(index))

    async def finish(self, batch_id: str, index: int, outcome: str, body: dict[str, Any], expires: int) -> bool:
        """Write an article's result if it has none yet; False when one was already there."""
        meta, results, running, counts, _, _ = self._keys(batch_id)
        written = await self._finish(
            keys=[meta, results, running, counts], args=[index, json.dumps(body), outcome, expires]
        )
        return int(written) == 1

    async def running(self, batch_id: str) -> dict[int, str]:
        """Articles started and not finished, with the saq job key each runs under."""
        found = await self.redis.hgetall(self._keys(batch_id)[2])
        return {int(index): _text(key) for index, key in found.items()}

    async def active(self) -> list[str]:
        """Ids of the batches that had an article started and may still have one running."""
        return sorted([_text(member) async for member in self.redis.sscan_iter(ACTIVE, count=500)])

    async def retire(self, batch_id: str) -> bool:
        """Take a batch out of `active` if none of its articles is running (or it expired)."""
        return int(await self._retire(keys=[self._keys(batch_id)[2], ACTIVE], args=[batch_id])) == 1

    async def cancel(self, batch_id: str, total: int, body: dict[str, Any], expires: int) -> int:
        """Cancel every article not started yet; returns how many."""
        meta, results, running, counts, _, _ = self._keys(batch_id)
        return int(await self._cancel(keys=[meta, results, running, counts], args=[total, json.dumps(body), expires]))

    async def results(self, batch_id: str, chunk: int = 500) -> AsyncIterator[bytes]:
        """JSONL lines, in article order, for every article that has a result."""
        _, results, _, _, _, ids = self._keys(batch_id)
        total = int(await self.redis.llen(ids))
        for start in range(0, total, chunk):
            indexes = [str(i) for i in range(start, min(start + chunk, total))]
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.lrange(ids, start, start + len(indexes) - 1)
                pipe.hmget(results, indexes)
                names, bodies = await pipe.execute()
            for name, body in zip(names, bodies, strict=True):
                if body is not None:
                    yield b'{"id": ' + json.dumps(name.decode()).encode() + b", " + body[1:] + b"\n"

    async def ttls(self, batch_id: str) -> dict[str, int]:
        """Seconds each of the batch's keys has left (-2: absent): what the TTL test reads."""
        names = ("batch", "results", "running", "counts", "articles", "ids")
        return {n: int(await self.redis.ttl(k)) for n, k in zip(names, self._keys(batch_id), strict=True)}
