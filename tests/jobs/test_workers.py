"""Real `summarizer worker` and `summarizer serve` processes on a real valkey-server: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import httpx
import redis
from litestar.testing import AsyncTestClient

from bench.serving import serve_subprocess
from bench.upstream import healthy
from summarizer.jobs.batches import QUEUE_NAME
from summarizer.jobs.valkey import ping
from summarizer.settings import Settings
from tests.jobs.conftest import wait_for, worker_env, worker_process
from tests.jobs.test_batches import articles
from tests.support.fake_upstream import FakeUpstream, Reply, delayed

Client = AsyncTestClient[Any]


def slow(seconds: float) -> Any:
    def answer(request: dict[str, Any]) -> Reply:
        return delayed(healthy(request), seconds)

    return answer


def done(status: dict[str, Any]) -> bool:
    return bool(status["status"] in ("completed", "cancelled"))


async def test_results_are_jsonl_in_order_with_summaries_and_problems(
    batch_client: Client, batch_settings: Settings, upstream: FakeUpstream, tmp_path: Path
) -> None:
    upstream._responder = healthy
    sent = [*articles(3), {"id": "nul", "text": "bad \x00 byte"}]
    batch = (await batch_client.post("/v1/batches", json={"articles": sent})).json()["id"]
    with worker_process(batch_settings, tmp_path / "worker.log"):
        status = await wait_for(lambda: batch_client.get(f"/v1/batches/{batch}"), lambda r: done(r.json()))
    response = await batch_client.get(f"/v1/batches/{batch}/results")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert response.headers["content-type"].startswith("application/jsonl")
    assert status.json()["counts"] == {"queued": 0, "running": 0, "succeeded": 3, "failed": 1, "cancelled": 0}
    assert [line["id"] for line in lines] == ["a0", "a1", "a2", "nul"]
    assert all(line["summary"]["headline"] == "An article" and line["meta"]["attempts"] == 2 for line in lines[:3])
    problem = lines[3]["problem"]
    assert problem["type"].endswith("/invalid-input") and problem["status"] == 422 and "NUL" in problem["detail"]


async def test_a_batch_article_already_answered_comes_from_the_same_cache(
    batch_client: Client, batch_settings: Settings, upstream: FakeUpstream, tmp_path: Path
) -> None:
    """The use-case keeps answers for every caller: a worker process finds what the API answered (one Redis)."""
    upstream._responder = healthy
    [known, new] = articles(2)
    answered = await batch_client.post("/v1/summaries", json={"article": {"text": known["text"]}})
    assert answered.status_code == 200, answered.text
    calls = upstream.calls
    assert calls == answered.json()["meta"]["attempts"] > 0
    batch = (await batch_client.post("/v1/batches", json={"articles": [known, new]})).json()["id"]
    with worker_process(batch_settings, tmp_path / "worker.log"):
        await wait_for(lambda: batch_client.get(f"/v1/batches/{batch}"), lambda r: done(r.json()))
    lines = [json.loads(line) for line in (await batch_client.get(f"/v1/batches/{batch}/results")).text.splitlines()]
    assert [line["meta"]["cached"] for line in lines] == [True, False]
    assert upstream.calls == calls + lines[1]["meta"]["attempts"], "only the new article reached the model"


async def test_a_killed_workers_articles_are_finished_by_another(
    batch_client: Client, batch_settings: Settings, upstream: FakeUpstream, queue: redis.Redis, tmp_path: Path
) -> None:
    upstream._responder = slow(0.4)  # ~0.8 s an article: the kill lands mid-article
    batch = (await batch_client.post("/v1/batches", json={"articles": articles(8)})).json()["id"]
    running_key = f"summarizer:batch:{batch}:running"
    with worker_process(batch_settings, tmp_path / "doomed.log") as doomed:
        taken = await wait_for(lambda: queue.hgetall(running_key), lambda r: len(r) == 2, what="two articles running")
        with worker_process(batch_settings, tmp_path / "survivor.log"):
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
            status = await wait_for(
                lambda: batch_client.get(f"/v1/batches/{batch}"), lambda r: done(r.json()), timeout_s=90
            )
    lines = [json.loads(line) for line in (await batch_client.get(f"/v1/batches/{batch}/results")).text.splitlines()]
    jobs = {key: json.loads(queue.get(f"saq:job:{QUEUE_NAME}:{key.decode()}") or b"{}") for key in taken.values()}
    assert status.json()["counts"]["succeeded"] == 8
    assert sorted(line["id"] for line in lines) == [f"a{i}" for i in range(8)]  # each once
    assert all("summary" in line for line in lines)
    assert all(job["attempts"] >= 2 and job["status"] == "complete" for job in jobs.values()), jobs


async def test_a_restarted_service_resumes_its_unfinished_batches(upstream: FakeUpstream, tmp_path: Path) -> None:
    """`summarizer serve` on its embedded queue is SIGKILLed mid-batch; the next one finishes the batch."""
    upstream._responder = slow(0.3)
    settings = Settings(
        llm_base_url=upstream.base_url,
        cache_dir=tmp_path / "cache",
        llm_timeout_s=5.0,
        batch_heartbeat_s=2,
        worker_concurrency=1,
        rate_limit_requests=0,
    )
    env = {k: v for k, v in worker_env(settings).items() if k.startswith("SUMMARIZER_")}
    with serve_subprocess(env) as first:
        async with httpx.AsyncClient(base_url=first.base_url) as http:
            batch = (await http.post("/v1/batches", json={"articles": articles(4)})).json()["id"]
            await wait_for(
                lambda: http.get(f"/v1/batches/{batch}"),
                lambda r: r.json()["counts"]["succeeded"] >= 1 and r.json()["counts"]["running"] == 1,
                what="one article done and one running",
            )
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait()
    socket_path = tmp_path / "cache" / "queue" / "valkey.sock"
    await wait_for(lambda: ping(socket_path), lambda up: not up, timeout_s=10, what="the queue server to die with it")
    with serve_subprocess(env) as second:
        async with httpx.AsyncClient(base_url=second.base_url) as http:
            status = await wait_for(lambda: http.get(f"/v1/batches/{batch}"), lambda r: done(r.json()))
            lines = (await http.get(f"/v1/batches/{batch}/results")).text.splitlines()
    assert status.json()["counts"]["succeeded"] == 4
    assert [json.loads(line)["id"] for line in lines] == ["a0", "a1", "a2", "a3"]
