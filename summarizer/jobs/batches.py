"""Wiring of batch jobs: the queue (SAQ on Redis/Valkey via litestar-saq), the API's use-cases, the worker.

`open_batches` is what the app lifespan enters; `run_worker` is `summarizer worker`. Both reach
the queue the same way: `SUMMARIZER_REDIS_URL`, or the embedded server (`summarizer.jobs.embedded`).

The queue is built from litestar-saq's `QueueConfig`/`SAQConfig` and worked by its `Worker`, but
not through `SAQPlugin`'s startup/shutdown hooks: Litestar runs `on_shutdown` hooks after the
lifespan has exited, i.e. after the embedded server is gone, so the worker is started and
stopped inside our own lifespan, in order (server, queue, worker; and back).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from litestar.serialization import decode_json
from litestar_saq import QueueConfig, SAQConfig, Worker
from litestar_saq.config import serializer
from redis.exceptions import RedisError
from saq import Queue
from saq.job import TERMINAL_STATUSES

from summarizer.cache.ratelimit import RedisStore
from summarizer.errors import (
    BatchItemCancelled,
    BatchItemLost,
    BatchNotFound,
    BatchTooLarge,
    ConfigurationError,
    QueueUnavailable,
    problem_for,
)
from summarizer.jobs.embedded import embedded_queue, embedded_server
from summarizer.jobs.queue import BatchQueue
from summarizer.jobs.slots import Slots
from summarizer.jobs.store import BatchInfo, BatchStore, new_batch_id
from summarizer.jobs.tasks import TASK, JobDeps, job_key, job_options, make_task, problem_body
from summarizer.jobs.valkey import ping
from summarizer.runtime import connect_redis
from summarizer.service import Summarizer
from summarizer.settings import Settings

log = logging.getLogger("summarizer.jobs")
QUEUE_NAME = "summarizer-batches"
SHUTDOWN_GRACE_S = 10.0


def sweep_interval_s(settings: Settings) -> int:
    return max(1, settings.batch_heartbeat_s // 2)


def repair_interval_s(settings: Settings) -> int:
    """How often each worker repairs lost articles: once a heartbeat, after saq's sweep had its chances."""
    return settings.batch_heartbeat_s


async def repair_periodically(batches: Batches, every_s: float) -> None:
    """`Batches.repair` every `every_s` until cancelled; a failed round is logged, never the worker's end."""
    while True:
        await asyncio.sleep(every_s)
        try:
            if settled := await batches.repair():
                log.info("batch repair: %d articles re-queued or settled", settled)
        except Exception:  # the queue down, a bug: the next round tries again
            log.warning("batch repair failed", exc_info=True)


def start_repairs(settings: Settings, queue: BatchQueue, redis: aioredis.Redis) -> asyncio.Task[None]:
    """A worker's repair rounds, beside its saq worker (inside `summarizer serve` and in `summarizer worker`)."""
    return asyncio.create_task(
        repair_periodically(Batches(settings, queue, BatchStore(redis)), repair_interval_s(settings))
    )


async def stop_repairs(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def queue_config(settings: Settings, redis: aioredis.Redis) -> QueueConfig:
    return QueueConfig(
        broker_instance=redis,
        name=QUEUE_NAME,
        concurrency=settings.worker_concurrency,
        # sweep: how soon a dead worker's jobs are found (after their heartbeat lapses).
        timers={"sweep": sweep_interval_s(settings), "abort": 1, "schedule": 1, "worker_info": 5},
        separate_process=False,
        dequeue_timeout=1.0,  # idle dequeues return every second, so a stop never waits on one
    )


def build_queue(redis: aioredis.Redis) -> BatchQueue:
    """The queue (our `BatchQueue`: saq's Redis queue with a race-free sweep), through litestar-saq's config."""
    instance = BatchQueue(redis, name=QUEUE_NAME, dump=serializer, load=decode_json)
    queue = SAQConfig(queue_instances={QUEUE_NAME: instance}).get_queues().get(QUEUE_NAME)
    assert isinstance(queue, BatchQueue)
    return queue


def quiet_saq(settings: Settings) -> None:
    """saq logs every job at INFO (twice) and warns on every stop; our log line per summary says what matters."""
    if settings.log_level != "DEBUG":
        logging.getLogger("saq").setLevel(logging.ERROR)


def build_worker(
    settings: Settings, queue: Queue, redis: aioredis.Redis, summarizer: Summarizer, limits: RedisStore
) -> Worker:
    """A worker for `queue`; its task closes over this process's summarizer and stores.

    litestar-saq's HeartbeatManager is off: it writes jobs from its own thread and event loop;
    the task beats with `job.update()` on the worker's loop instead (see `jobs.tasks`).
    """
    quiet_saq(settings)
    deps = JobDeps(
        settings=settings,
        summarizer=summarizer,
        store=BatchStore(redis),
        slots=Slots(redis, settings.batch_max_inflight, lease_s=settings.batch_heartbeat_s),
        limits=limits,
        queue=queue,
    )
    config = queue_config(settings, redis)
    return Worker(
        queue=queue,
        functions=[make_task(deps)],  # (name, function): QueueConfig.tasks would drop the name
        concurrency=config.concurrency,
        timers=config.timers,
        dequeue_timeout=config.dequeue_timeout,
        separate_process=config.separate_process,
        enable_heartbeat_manager=False,
        metadata={"host": socket.gethostname(), "pid": os.getpid()},  # in saq's worker info: who is who
    )


class Batches:
    """The batch use-cases behind the API: submit, look up, cancel, read results."""

    def __init__(self, settings: Settings, queue: BatchQueue, store: BatchStore) -> None:
        self.settings = settings
        self.queue = queue
        self.store = store

    async def submit(self, owner: str, articles: Sequence[dict[str, Any]], prompt: str | None) -> BatchInfo:
        if len(articles) > self.settings.batch_max_articles:
            raise BatchTooLarge(
                f"batch has {len(articles)} articles; the limit is {self.settings.batch_max_articles}",
                limit=self.settings.batch_max_articles,
            )
        batch_id = new_batch_id()
        options = job_options(self.settings)
        try:
            await self.store.create(batch_id, owner, articles, prompt, self.settings.batch_results_ttl_s)
            for start in range(0, len(articles), 200):
                await asyncio.gather(
                    *(
                        self.queue.enqueue(TASK, key=job_key(batch_id, i), batch_id=batch_id, index=i, **options)
                        for i in range(start, min(start + 200, len(articles)))
                    )
                )
        except (RedisError, OSError) as exc:
            raise QueueUnavailable(f"the batch queue did not answer: {exc}") from exc
        info = await self.get(owner, batch_id)
        return info

    async def get(self, owner: str, batch_id: str) -> BatchInfo:
        """The caller's batch, after settling articles whose jobs saq gave up on."""
        info = await self._owned(owner, batch_id)
        if info.running and await self._settle_lost(info):
            info = await self._owned(owner, batch_id)
        return info

    async def cancel(self, owner: str, batch_id: str) -> BatchInfo:
        info = await self._owned(owner, batch_id)
        body = problem_body(problem_for(BatchItemCancelled("the batch was cancelled before this article started")))
        await self._guard(self.store.cancel(batch_id, info.total, body, info.expires))
        return await self.get(owner, batch_id)

    async def results(self, owner: str, batch_id: str) -> AsyncIterator[bytes]:
        await self.get(owner, batch_id)
        return self.store.results(batch_id)

    async def _owned(self, owner: str, batch_id: str) -> BatchInfo:
        info: BatchInfo | None = await self._guard(self.store.info(batch_id))
        if info is None or info.owner != owner:  # another key's batch looks exactly like a missing one
            raise BatchNotFound(f"no batch {batch_id!r} for this API key (unknown, expired, or not yours)")
        return info

    async def _settle_lost(self, info: BatchInfo) -> int:
        """Settle running articles whose job is no longer going anywhere; returns how many changed.

        - saq finished or dropped the job (every attempt's worker died): a `batch-item-lost` problem;
        - the job is in none of saq's lists (a worker died while its sweep was re-queueing it: saq
          takes a job out of the active list before it re-queues it): re-queued while attempts remain.

        Every worker does this for every active batch each `repair_interval_s` (`repair`), and a
        read of the batch does it too: only the one holding the job's claim (`BatchQueue.claimed`,
        which saq's sweep takes too) acts on it, so a job is re-queued once however many find it.
        """
        running = await self._guard(self.store.running(info.id))
        jobs = await self._guard(self.queue.jobs(running.values()))
        settled = 0
        for (index, key), job in zip(running.items(), jobs, strict=True):
            alive = job is not None and job.status not in TERMINAL_STATUSES
            if job is not None and alive and not await self._guard(self.queue.orphaned(job)):
                continue  # saq still has it: queued, running, or its sweep will find it
            async with self.queue.claimed(self.queue.job_id(key)) as mine:
                if not mine:
                    continue  # another worker's sweep or repair (or a read of this batch) is on it
                if job is not None and alive and job.retryable:
                    if await self._guard(self.queue.orphaned(job)):  # still: not re-queued while we claimed
                        log.warning("re-queueing orphaned job %s", job.key)
                        await self._guard(self.queue.retry(job, error="orphaned"))
                        settled += 1
                    continue
                attempts = job.attempts if job else "?"
                lost = BatchItemLost(
                    f"every worker that took this article died before finishing it ({attempts} attempts)"
                )
                body = problem_body(problem_for(lost))
                settled += await self.store.finish(info.id, index, "failed", body, info.expires)
        return settled

    async def repair(self) -> int:
        """`_settle_lost` over every active batch: what a read of the batch does, for batches nobody reads."""
        settled = 0
        for batch_id in await self._guard(self.store.active()):
            info: BatchInfo | None = await self._guard(self.store.info(batch_id))
            if info is not None and info.running:
                settled += await self._settle_lost(info)
            else:
                await self._guard(self.store.retire(batch_id))  # finished, or expired
        return settled

    @staticmethod
    async def _guard(awaitable: Any) -> Any:
        try:
            return await awaitable
        except (RedisError, OSError) as exc:
            raise QueueUnavailable(f"the batch queue did not answer: {exc}") from exc


async def disconnect(queue: Queue) -> None:
    """Close the queue's connections; an unreachable server must not fail the service's shutdown."""
    try:
        await queue.disconnect()
    except (RedisError, OSError) as exc:
        log.warning("closing the batch queue: %s", exc)


async def stop_gracefully(worker: Worker, task: asyncio.Task[None], grace_s: float = SHUTDOWN_GRACE_S) -> None:
    """Let the articles in flight finish for up to `grace_s`, then cancel the rest (saq re-queues them).

    saq's own grace period waits for every task, its sleeping upkeep loops included, so even an
    idle worker would take the whole period to stop; here only the jobs get it.
    """
    worker.event.set()  # no new jobs
    running = [context["task"] for context in worker.job_task_contexts.values()]
    if running:
        await asyncio.wait(running, timeout=grace_s)
    await worker.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@dataclass(frozen=True)
class QueueConnection:
    """The Redis the batch queue lives in: the configured one, or the embedded valkey started for it."""

    url: str
    redis: aioredis.Redis


@contextlib.asynccontextmanager
async def open_queue_connection(settings: Settings) -> AsyncIterator[QueueConnection]:
    """`SUMMARIZER_REDIS_URL`, or the embedded valkey, started here and stopped on exit.

    Opened before the summarizer, because the response cache may live in it too (`cache.stores`).
    """
    async with AsyncExitStack() as stack:
        url = settings.redis_url
        if url is None:
            url = (await stack.enter_async_context(embedded_queue(settings))).url
        redis = connect_redis(url)
        stack.push_async_callback(redis.aclose)
        yield QueueConnection(url, redis)


@contextlib.asynccontextmanager
async def open_batches(
    settings: Settings, connection: QueueConnection, summarizer: Summarizer | None
) -> AsyncIterator[Batches]:
    """The queue for the app's lifespan; with `summarizer` and `batch_worker_in_serve`, a worker too."""
    async with AsyncExitStack() as stack:
        url, redis = connection.url, connection.redis
        queue = build_queue(redis)
        await queue.connect()
        stack.push_async_callback(disconnect, queue)  # closes `redis` too
        if summarizer is not None and settings.batch_worker_in_serve:
            limits = RedisStore(url)  # per-article rate limits: the same counters as the HTTP requests'
            stack.push_async_callback(limits.close)
            worker = build_worker(settings, queue, redis, summarizer, limits)
            worker.SIGNALS = []  # the server (uvicorn) owns the signals
            stack.push_async_callback(stop_gracefully, worker, asyncio.create_task(worker.start()))
            stack.push_async_callback(stop_repairs, start_repairs(settings, queue, redis))
        yield Batches(settings, queue, BatchStore(redis))


def worker_url(settings: Settings) -> str:
    """Where `summarizer worker` finds the queue: the configured Redis, or this machine's embedded one."""
    if settings.redis_url:
        return settings.redis_url
    server = embedded_server(settings)
    if not ping(server.socket_path):
        raise ConfigurationError(
            "no queue to work on: set SUMMARIZER_REDIS_URL, or start `summarizer serve` on this machine first "
            f"(its embedded queue listens on {server.socket_path})"
        )
    return server.url


async def run_worker(settings: Settings, connection: QueueConnection, summarizer: Summarizer) -> None:
    """`summarizer worker`: work the queue until SIGTERM/SIGINT, then hand unfinished jobs back."""
    url, redis = connection.url, connection.redis
    queue = build_queue(redis)
    await queue.connect()
    limits = RedisStore(url)
    try:
        worker = build_worker(settings, queue, redis, summarizer, limits)
        worker.SIGNALS = []  # ours below, so the jobs in flight get a grace period
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        log.info("worker %s on queue %s (concurrency %d)", worker.id, QUEUE_NAME, settings.worker_concurrency)
        task = asyncio.create_task(worker.start())
        repairs = start_repairs(settings, queue, redis)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([task, stopped], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        await stop_repairs(repairs)
        await stop_gracefully(worker, task)
    finally:
        await limits.close()
        await disconnect(queue)
