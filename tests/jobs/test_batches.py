"""The batch API against a real valkey-server: submission, limits, ownership, TTLs, cancel, write-once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from bench.upstream import healthy
from summarizer.api import create_app
from summarizer.jobs.batches import QUEUE_NAME
from summarizer.jobs.slots import Slots
from summarizer.jobs.store import BatchStore
from summarizer.settings import Settings
from tests.jobs.conftest import wait_for, worker_process
from tests.support.fake_upstream import FakeUpstream

TEXT = "The council approved the new bridge on Monday after a long debate."
Client = AsyncTestClient[Any]


def articles(n: int, prefix: str = "a") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "text": f"{TEXT} Item {i}."} for i in range(n)]


def batch_keys(queue: redis.Redis) -> list[str]:
    return sorted(str(key) for key in queue.keys("summarizer:batch:*"))


async def test_json_batch_is_accepted_with_its_id_and_location(batch_client: Client) -> None:
    response = await batch_client.post("/v1/batches", json={"articles": articles(3)})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["total"] == 3 and body["id"].startswith("b_")
    assert response.headers["location"] == f"/v1/batches/{body['id']}"
    status = (await batch_client.get(response.headers["location"])).json()
    assert status["counts"] == {"queued": 3, "running": 0, "succeeded": 0, "failed": 0, "cancelled": 0}


async def test_jsonl_upload_takes_one_article_per_line(batch_client: Client, queue: redis.Redis) -> None:
    lines = "\n".join(json.dumps(a) for a in articles(4)) + "\n\n"
    response = await batch_client.post(
        "/v1/batches?prompt=summarize-grouped@4", content=lines, headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 202, response.text
    status = (await batch_client.get(f"/v1/batches/{response.json()['id']}")).json()
    assert status["total"] == 4 and status["prompt"] == "summarize-grouped@4"
    assert queue.llen(f"saq:{QUEUE_NAME}:queued") == 4


async def test_bad_batches_are_refused_before_anything_is_queued(batch_settings: Settings, queue: redis.Redis) -> None:
    small = batch_settings.model_copy(update={"batch_max_articles": 3})
    async with AsyncTestClient(app=create_app(small)) as client:
        too_many = await client.post("/v1/batches", json={"articles": articles(4)})
        twice = await client.post("/v1/batches", json={"articles": articles(2) + articles(1)})
        unknown_prompt = await client.post("/v1/batches", json={"articles": articles(1), "prompt": "nope@9"})
        no_text = await client.post("/v1/batches", json={"articles": [{"id": "x"}]})
        not_json = await client.post("/v1/batches", content=b"{", headers={"content-type": "application/json"})
        plain = await client.post("/v1/batches", content=b"hello", headers={"content-type": "text/plain"})
    assert too_many.status_code == 413 and too_many.json()["type"].endswith("/batch-too-large")
    assert too_many.headers["content-type"] == "application/problem+json"
    assert too_many.json()["limit"] == 3
    assert twice.status_code == 422 and "appears twice" in twice.json()["detail"]
    assert unknown_prompt.status_code == 422 and unknown_prompt.json()["type"].endswith("/prompt-not-found")
    assert no_text.status_code == 422 and no_text.json()["errors"][0]["loc"] == ["articles", 0, "text"]
    assert not_json.status_code == 400
    assert plain.status_code == 415
    assert batch_keys(queue) == [] and queue.llen(f"saq:{QUEUE_NAME}:queued") == 0


async def test_a_batch_is_invisible_to_every_other_key(batch_settings: Settings) -> None:
    keyed = batch_settings.model_copy(update={"api_keys": Settings(api_keys="key-a,key-b").api_keys})
    a, b = {"X-API-Key": "key-a"}, {"X-API-Key": "key-b"}
    async with AsyncTestClient(app=create_app(keyed)) as client:
        created = await client.post("/v1/batches", json={"articles": articles(2)}, headers=a)
        batch = created.json()["id"]
        theirs = [
            await client.get(f"/v1/batches/{batch}", headers=b),
            await client.get(f"/v1/batches/{batch}/results", headers=b),
            await client.delete(f"/v1/batches/{batch}", headers=b),
        ]
        missing = await client.get("/v1/batches/b_000000000000000000000000", headers=b)
        mine = await client.get(f"/v1/batches/{batch}", headers=a)
    assert [r.status_code for r in theirs] == [404, 404, 404]
    assert {r.json()["type"] for r in theirs} == {missing.json()["type"]}
    assert mine.status_code == 200 and mine.json()["counts"]["queued"] == 2  # B's DELETE cancelled nothing


async def test_results_expire_after_the_configured_time(batch_settings: Settings, queue_url: str) -> None:
    short = batch_settings.model_copy(update={"batch_results_ttl_s": 300})
    async with AsyncTestClient(app=create_app(short)) as client:
        batch = (await client.post("/v1/batches", json={"articles": articles(2)})).json()["id"]
    store = BatchStore(aioredis.Redis.from_url(queue_url))
    info = await store.info(batch)
    assert info is not None
    await store.start(batch, 0, f"{batch}.0", info.expires)
    await store.finish(batch, 0, "succeeded", {"summary": {}}, info.expires)
    await store.cancel(batch, info.total, {"problem": {}}, info.expires)
    ttls = await store.ttls(batch)
    await store.redis.aclose()
    assert set(ttls) == {"batch", "results", "running", "counts", "articles", "ids"}
    assert ttls.pop("running") == -2  # emptied: nothing runs any more
    assert all(0 < ttl <= 300 for ttl in ttls.values()), ttls


async def test_a_result_is_written_once(batch_client: Client, queue_url: str) -> None:
    batch = (await batch_client.post("/v1/batches", json={"articles": articles(1)})).json()["id"]
    store = BatchStore(aioredis.Redis.from_url(queue_url))
    info = await store.info(batch)
    assert info is not None
    assert await store.start(batch, 0, f"{batch}.0", info.expires) == 1
    first = await store.finish(batch, 0, "succeeded", {"summary": {"headline": "first"}}, info.expires)
    second = await store.finish(batch, 0, "failed", {"problem": {"title": "second"}}, info.expires)
    again = await store.start(batch, 0, f"{batch}.0", info.expires)  # a retried job finds the result there
    lines = [line async for line in store.results(batch)]
    after = await store.info(batch)
    await store.redis.aclose()
    assert (first, second, again) == (True, False, 0)
    assert [json.loads(line) for line in lines] == [{"id": "a0", "summary": {"headline": "first"}}]
    assert after is not None and after.counts == {"succeeded": 1, "duplicates_refused": 1}


async def test_slots_bound_holders_across_clients(queue_url: str) -> None:
    """Two clients (as two workers would be) never hold more than the limit between them."""
    one, two = aioredis.Redis.from_url(queue_url), aioredis.Redis.from_url(queue_url)
    slots = [Slots(one, limit=2, lease_s=5), Slots(two, limit=2, lease_s=5)]
    holding, peak = 0, 0

    async def work(s: Slots) -> None:
        nonlocal holding, peak
        async with s.hold():
            holding += 1
            peak = max(peak, holding)
            await asyncio.sleep(0.05)
            holding -= 1

    await asyncio.gather(*(work(slots[i % 2]) for i in range(8)))
    left = await slots[0].holders()
    await one.aclose()
    await two.aclose()
    assert peak == 2 and left == 0


async def test_cancel_stops_every_article_not_started(
    batch_client: Client, batch_settings: Settings, upstream: FakeUpstream, queue: redis.Redis, tmp_path: Path
) -> None:
    batch = (await batch_client.post("/v1/batches", json={"articles": articles(5)})).json()["id"]
    cancelled = await batch_client.delete(f"/v1/batches/{batch}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["counts"]["cancelled"] == 5
    upstream._responder = healthy
    with worker_process(batch_settings, tmp_path / "worker.log"):  # it drains the queue without calling upstream
        await wait_for(lambda: queue.zcard(f"saq:{QUEUE_NAME}:incomplete"), lambda n: n == 0, what="the queue to drain")
    lines = [json.loads(line) for line in (await batch_client.get(f"/v1/batches/{batch}/results")).text.splitlines()]
    assert upstream.calls == 0
    assert [line["id"] for line in lines] == [f"a{i}" for i in range(5)]
    assert {line["problem"]["type"].rsplit("/", 1)[1] for line in lines} == {"batch-item-cancelled"}


async def test_idempotency_key_resubmits_the_same_batch(batch_settings: Settings, queue: redis.Redis) -> None:
    """Same key and articles: the first batch again, nothing queued twice; other articles: 422; keys per API key."""
    keyed = batch_settings.model_copy(update={"api_keys": Settings(api_keys="key-a,key-b").api_keys})
    a = {"X-API-Key": "key-a", "Idempotency-Key": "nightly-1"}
    b = {"X-API-Key": "key-b", "Idempotency-Key": "nightly-1"}
    async with AsyncTestClient(app=create_app(keyed)) as client:
        first = await client.post("/v1/batches", json={"articles": articles(3)}, headers=a)
        again = await client.post("/v1/batches", json={"articles": articles(3)}, headers=a)
        other = await client.post("/v1/batches", json={"articles": articles(2)}, headers=a)
        theirs = await client.post("/v1/batches", json={"articles": articles(2)}, headers=b)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    assert theirs.status_code == 202 and theirs.json()["id"] != first.json()["id"]
    assert queue.llen(f"saq:{QUEUE_NAME}:queued") == 3 + 2
