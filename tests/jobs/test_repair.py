"""Workers repair lost articles on their own (issue 11): no client has to read the batch.

A batch's lost articles used to be settled only by `GET /v1/batches/{id}`; a batch nobody polled
kept them "running" forever. Real `summarizer worker` processes on a real valkey-server; the tests
read the batch's progress straight from valkey, never through the API (whose read would repair it).
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from bench.serving import serve_subprocess
from summarizer.api import create_app
from summarizer.jobs.batches import QUEUE_NAME, Batches, build_queue
from summarizer.jobs.store import BatchStore
from summarizer.jobs.tasks import job_key
from summarizer.settings import Settings
from tests.jobs.conftest import wait_for, worker_env, worker_process
from tests.jobs.test_batches import articles
from tests.jobs.test_workers import slow
from tests.support.fake_upstream import FakeUpstream

Client = AsyncTestClient[Any]
SAQ = f"saq:{QUEUE_NAME}"


def counts(queue: redis.Redis, batch: str) -> dict[str, int]:
    found = queue.hgetall(f"summarizer:batch:{batch}:counts")
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in found.items()}


def finished(queue: redis.Redis, batch: str) -> int:
    return sum(counts(queue, batch).get(k, 0) for k in ("succeeded", "failed", "cancelled"))


def results(queue: redis.Redis, batch: str) -> dict[int, dict[str, Any]]:
    return {int(k): json.loads(v) for k, v in queue.hgetall(f"summarizer:batch:{batch}:results").items()}


async def killed_mid_article(settings: Settings, queue: redis.Redis, batch: str, tmp_path: Path) -> dict[bytes, bytes]:
    """Start a worker, SIGKILL it once it runs two of the batch's articles; those articles' running entries."""
    with worker_process(settings, tmp_path / "doomed.log") as doomed:
        running = f"summarizer:batch:{batch}:running"
        taken: dict[bytes, bytes] = await wait_for(
            lambda: queue.hgetall(running), lambda r: len(r) == 2, what="two articles running"
        )
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    return taken


def orphan(queue: redis.Redis, job_id: str) -> None:
    """Leave a job as a sweep that died mid-way does: ABORTING and in none of saq's lists (see `BatchQueue`)."""
    job = json.loads(queue.get(job_id) or b"{}")
    queue.set(job_id, json.dumps({**job, "status": "aborting"}))
    for key in ("queued", "active"):
        queue.lrem(f"{SAQ}:{key}", 0, job_id)
    queue.zrem(f"{SAQ}:incomplete", job_id)


@contextmanager
def survivor(kind: str, settings: Settings, tmp_path: Path) -> Iterator[object]:
    """A `summarizer worker`, or a `summarizer serve` running its own worker, on the test's queue."""
    if kind == "worker":
        with worker_process(settings, tmp_path / "survivor.log") as process:
            yield process
    else:
        env = {k: v for k, v in worker_env(settings).items() if k.startswith("SUMMARIZER_")}
        with serve_subprocess({**env, "SUMMARIZER_BATCH_WORKER_IN_SERVE": "true"}) as served:
            yield served


@pytest.mark.parametrize("kind", ["worker", "serve"])
async def test_a_lost_article_is_settled_with_nobody_polling(
    kind: str, batch_settings: Settings, upstream: FakeUpstream, queue: redis.Redis, tmp_path: Path
) -> None:
    """One attempt only: saq gives the killed worker's jobs up, and the survivor writes their problem."""
    settings = batch_settings.model_copy(update={"batch_attempts": 1})  # the jobs' retries are set on submission
    upstream._responder = slow(0.4)
    async with AsyncTestClient(app=create_app(settings)) as client:
        batch = (await client.post("/v1/batches", json={"articles": articles(4)})).json()["id"]
    taken = await killed_mid_article(settings, queue, batch, tmp_path)
    with survivor(kind, settings, tmp_path):
        await wait_for(lambda: finished(queue, batch), lambda n: n == 4, timeout_s=60, what="every article settled")
    written = results(queue, batch)
    lost = {int(index) for index in taken}
    assert sorted(written) == [0, 1, 2, 3]
    for index, result in written.items():
        if index in lost:
            assert result["problem"]["type"].endswith("/batch-item-lost"), result
        else:
            assert "summary" in result
    assert counts(queue, batch) == {"succeeded": 2, "failed": 2}  # no duplicates_refused: each result written once
    assert not queue.exists(f"summarizer:batch:{batch}:running")


async def test_an_orphaned_article_is_finished_by_another_worker_with_nobody_polling(
    batch_client: Client, batch_settings: Settings, upstream: FakeUpstream, queue: redis.Redis, tmp_path: Path
) -> None:
    """The worker dies mid-article and its jobs are left in no saq list: only a repair round finds them."""
    upstream._responder = slow(0.4)
    batch = (await batch_client.post("/v1/batches", json={"articles": articles(6)})).json()["id"]
    taken = await killed_mid_article(batch_settings, queue, batch, tmp_path)
    job_ids = [f"saq:job:{QUEUE_NAME}:{key.decode()}" for key in taken.values()]
    for job_id in job_ids:
        orphan(queue, job_id)
    with worker_process(batch_settings, tmp_path / "survivor.log"):
        await wait_for(lambda: finished(queue, batch), lambda n: n == 6, timeout_s=90, what="every article finished")
    written = results(queue, batch)
    assert sorted(written) == list(range(6)) and all("summary" in r for r in written.values())
    assert counts(queue, batch) == {"succeeded": 6}  # each result written once
    jobs = [json.loads(queue.get(job_id) or b"{}") for job_id in job_ids]
    assert all(job["status"] == "complete" and job["attempts"] == 2 for job in jobs), jobs  # re-queued once
    assert "re-queueing orphaned job" in (tmp_path / "survivor.log").read_text()


async def test_repairs_at_once_re_queue_an_orphan_once(
    batch_client: Client, batch_settings: Settings, queue: redis.Redis, queue_url: str
) -> None:
    """Three repairers (three workers' rounds, or a round and a read) find one orphan at the same moment.

    First while a sweep holds the job's claim (the sweep takes a job out of every list for up to 2 s
    before it re-queues it): nobody else re-queues it. Then unclaimed: one of them does, once.
    """
    batch = (await batch_client.post("/v1/batches", json={"articles": articles(1)})).json()["id"]
    clients = [aioredis.Redis.from_url(queue_url) for _ in range(3)]
    try:
        repairers = [Batches(batch_settings, build_queue(c), BatchStore(c)) for c in clients]
        key = job_key(batch, 0)
        job = await repairers[0].queue.dequeue()
        assert job is not None and job.key == key
        assert await repairers[0].store.start(batch, 0, key, 2_000_000_000) == 1
        orphan(queue, job.id)
        async with repairers[0].queue.claimed(job.id) as mine:  # as a sweep holds it while it re-queues
            assert mine
            assert await asyncio.gather(*(r.repair() for r in repairers)) == [0, 0, 0]
        assert queue.llen(f"{SAQ}:queued") == 0  # the job in no list, but claimed: left to its claimer
        settled = await asyncio.gather(*(r.repair() for r in repairers))
        assert sum(settled) == 1
        assert queue.lrange(f"{SAQ}:queued", 0, -1) == [job.id.encode()]  # once, not three times
        assert await asyncio.gather(*(r.repair() for r in repairers)) == [0, 0, 0]  # now saq has it again
    finally:
        for c in clients:
            await c.aclose()
