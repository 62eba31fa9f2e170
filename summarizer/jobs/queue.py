"""SAQ's Redis queue, with one fix to its sweep: a job just taken is not mistaken for an abandoned one.

saq moves a job to its active list (BLMOVE) and only then marks it ACTIVE. Its sweep treats any
job in the active list that is not ACTIVE as abandoned (a worker killed between the two steps),
aborts it and, five seconds later, re-queues it. A sweep that runs between the two steps, which
every worker's first sweep at start-up tends to do, therefore aborts a job that is running:
measured here, with a worker SIGKILLed in those five seconds the job was left in no list at all,
never to run again. This sweep takes such a job only when it was already not ACTIVE at the
previous sweep, one sweep interval earlier: a live worker marks its job ACTIVE within
milliseconds; a dead one never does. Stuck ACTIVE jobs (heartbeat lapsed) are swept as before.

Re-queueing a job is claimed (`claimed`): the sweep takes a job out of every list for up to two
seconds before it re-queues it, and the workers' repair rounds (`Batches.repair`) re-queue a job
found in no list. Without the claim a repair in that window re-queued the job a second time.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

from saq.job import Job, Status
from saq.queue.redis import RedisQueue

log = logging.getLogger("summarizer.jobs")

_ACTIVE_JOBS = """
local id_jobs = {}
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('SETEX', KEYS[1], ARGV[1], 1)
    for i, v in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
        id_jobs[i] = {v, redis.call('GET', v)}
    end
end
return id_jobs
"""


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
CLAIM_PREFIX = "summarizer:batch:repair:"
CLAIM_S = 30  # outlives a sweep's abort wait and re-queue; a claimer that dies frees the job after this


class BatchQueue(RedisQueue):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._suspects: set[bytes] = set()
        self._active_jobs = self.redis.register_script(_ACTIVE_JOBS)
        self._release = self.redis.register_script(_RELEASE)

    @contextlib.asynccontextmanager
    async def claimed(self, job_id: str | bytes) -> AsyncIterator[bool]:
        """True for the one process (a worker's sweep or repair, the API) that may re-queue or settle the job now."""
        key = CLAIM_PREFIX + (job_id.decode() if isinstance(job_id, bytes) else job_id)
        token = secrets.token_hex(8)
        mine = bool(await self.redis.set(key, token, nx=True, ex=CLAIM_S))
        try:
            yield mine
        finally:
            if mine:
                await self._release(keys=[key], args=[token])

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """saq's `RedisQueue.sweep`, except for the one-round grace of not-yet-ACTIVE jobs.

        saq waits `abort` (5 s) for a live-but-stuck worker to give the job up; 2 s is plenty for
        its 1 s abort check, and a job run twice still has one result (`BatchStore.finish`).
        """
        abort = min(abort, 2.0)
        id_jobs = await self._active_jobs(keys=[self._sweep, self._active], args=[lock])
        swept: list[bytes] = []
        suspects: set[bytes] = set()
        for job_id, job_bytes in id_jobs:
            job = self.deserialize(job_bytes)
            if job is None:
                swept.append(job_id)
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.lrem(self._active, 0, job_id)
                    pipe.zrem(self._incomplete, job_id)
                    await pipe.execute()
                continue
            waiting = job.status != Status.ACTIVE and not job.stuck
            if waiting and job_id not in self._suspects:
                suspects.add(job_id)  # maybe just taken: look again next round
                continue
            if not (job.stuck or job.status != Status.ACTIVE):
                continue
            async with self.claimed(job_id) as mine:
                if not mine:
                    continue  # a repair round is re-queueing it
                log.warning("re-queueing abandoned job %s (status %s)", job.key, job.status.value)
                swept.append(job_id)
                await self.abort(job, error=self.swept_error_message)
                with contextlib.suppress(TimeoutError):  # its worker is gone: nobody finishes the abort
                    await job.refresh(abort)
                if job.retryable:
                    await self.retry(job, error=self.swept_error_message)
                else:
                    await self.finish(job, Status.ABORTED, error=self.swept_error_message)
        self._suspects = suspects
        return [job_id.decode() for job_id in swept]

    async def orphaned(self, job: Job) -> bool:
        """True when the job is in neither the active list nor the incomplete set: no worker will see it again."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.lpos(self._active, job.id)
            pipe.zscore(self._incomplete, job.id)
            position, score = await pipe.execute()
        return position is None and score is None
