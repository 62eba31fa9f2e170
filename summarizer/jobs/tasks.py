"""The one SAQ task: summarize one article of a batch and write its result exactly once.

A job is `(batch_id, index)`. What makes "nothing lost, nothing twice" hold:

- the job beats (`job.update()`, as saq documents) every third of `batch_heartbeat_s`; a worker
  that is SIGKILLed stops beating, saq's sweep (any live worker, every `sweep` seconds) finds the
  job stuck, and re-queues it while attempts remain (`retries` = `batch_attempts`);
- `BatchStore.start` skips an article that already has a result, and `BatchStore.finish` writes
  with HSETNX, so a job run twice (a sweep racing a slow worker) still yields one result;
- our errors become the article's problem (the LLM client already retried the transport); any
  other exception is a bug: saq retries it, and the last attempt records an `internal` problem.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from saq import Job, Queue
from saq.types import Context, Function

from summarizer.cache.ratelimit import RateLimitStore
from summarizer.errors import Problem, SummarizerError, problem_for
from summarizer.jobs.slots import Slots
from summarizer.jobs.store import BatchStore
from summarizer.service import ArticleIn, Summarizer
from summarizer.settings import Settings

log = logging.getLogger("summarizer.jobs")
TASK = "summarize_article"


def job_key(batch_id: str, index: int, suffix: str = "") -> str:
    return f"{batch_id}.{index}{suffix}"


def job_options(settings: Settings) -> dict[str, Any]:
    """How saq runs each article's job: liveness by heartbeat, not by a wall-clock timeout.

    `timeout=0`: a job may wait long for a global slot or a rate-limit window and is not dead for
    it; the summary itself is bounded by `request_deadline_s`. The job record is kept as long as
    the batch, so the API can tell an abandoned article (saq gave up on it) from a running one.
    """
    return {
        "timeout": 0,
        "heartbeat": settings.batch_heartbeat_s,
        "retries": settings.batch_attempts,
        "ttl": settings.batch_results_ttl_s,
    }


def problem_body(problem: Problem) -> dict[str, Any]:
    return {"problem": problem.body()}


@dataclass
class JobDeps:
    """What a worker's task needs, built once per worker process."""

    settings: Settings
    summarizer: Summarizer
    store: BatchStore
    slots: Slots
    limits: RateLimitStore
    queue: Queue

    async def pacing_delay(self, owner: str) -> float | None:
        """Seconds to put this article off by, when its key used up its rate limit; None to go now.

        Per-key limits count articles, not requests: each article takes one hit on the same
        counter its key's HTTP requests use. A refused article is scheduled for the window that
        has room for it (its place in the overflow / limit, windows ahead), so a 10,000-article
        batch on a 60-a-minute key is deferred about once per article, not once per window.
        """
        limit, window = self.settings.rate_limit_requests, self.settings.rate_limit_window_s
        if not limit:
            return None
        decision = await self.limits.hit(owner, limit, window)
        if decision.allowed:
            return None
        windows_ahead = max(decision.count - limit - 1, 0) // limit
        return decision.reset_s + windows_ahead * window + random.uniform(0, min(1.0, window / 10))


@contextlib.asynccontextmanager
async def heartbeat(job: Job, every_s: float) -> AsyncIterator[None]:
    """Touch the job every `every_s` while the body runs, so the sweep knows its worker lives."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await job.update()
            except Exception:  # a missed beat is retried at the next one
                log.warning("heartbeat of %s failed", job.key, exc_info=True)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def summarize_one(deps: JobDeps, article: dict[str, Any], prompt: str | None) -> tuple[str, dict[str, Any]]:
    """The article's outcome: ("succeeded", {"summary", "meta"}) or ("failed", {"problem"})."""
    try:
        fields = {k: v for k, v in article.items() if k != "id"}
        response = await deps.summarizer.summarize(ArticleIn.model_validate(fields), prompt)
    except SummarizerError as exc:
        return "failed", problem_body(problem_for(exc))
    return "succeeded", response.model_dump(mode="json")


def make_task(deps: JobDeps) -> tuple[str, Function[Context]]:
    """The task bound to this worker's dependencies, under the name jobs are enqueued with."""
    beat_every = max(deps.settings.batch_heartbeat_s / 3, 0.5)

    async def summarize_article(ctx: Context, *, batch_id: str, index: int) -> str:
        job = ctx["job"]
        info = await deps.store.info(batch_id)
        if info is None:
            return "expired"
        if await deps.store.start(batch_id, index, job.key, info.expires) != 1:
            return "skipped"  # cancelled, or finished by an earlier attempt
        async with heartbeat(job, beat_every):
            if (delay := await deps.pacing_delay(info.owner)) is not None:
                await deps.queue.enqueue(
                    TASK,
                    key=job_key(batch_id, index, f".d{secrets.token_hex(4)}"),
                    scheduled=int(time.time() + delay) + 1,
                    batch_id=batch_id,
                    index=index,
                    **job_options(deps.settings),
                )
                await deps.store.unstart(batch_id, index)
                return "deferred"
            article = await deps.store.article(batch_id, index)
            if article is None:
                return "expired"
            try:
                async with deps.slots.hold():
                    outcome, body = await summarize_one(deps, article, info.prompt)
            except Exception:
                if job.attempts < job.retries:
                    raise  # a bug or an outage of Redis: let saq retry the job
                log.exception("article %s of batch %s failed on its last attempt", index, batch_id)
                outcome, body = "failed", problem_body(problem_for(SummarizerError("unexpected error; see logs")))
            written = await deps.store.finish(batch_id, index, outcome, body, info.expires)
        return outcome if written else "duplicate"

    return TASK, summarize_article
