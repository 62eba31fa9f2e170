"""The response cache, request coalescing and Idempotency-Key, against the scripted upstream (issue 11).

Model runs are counted as upstream calls: one grouped summary of the seed costs three.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, TypeAlias

import httpx
from litestar import Litestar
from litestar.stores.redis import RedisStore
from litestar.testing import AsyncTestClient
from pydantic import SecretStr

from bench.serving import serve_in_thread
from summarizer.api import create_app
from summarizer.cache.stores import BoundedMemoryStore
from summarizer.jobs.valkey import QueueServer
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, status
from tests.support.scripts import ATTRIBUTIONS, ENTITIES, EVENTS, answering, seed_text

Client: TypeAlias = AsyncTestClient[Litestar]
RUN = 3  # upstream calls of one grouped summary


def body(**extra: Any) -> dict[str, Any]:
    return {"article": {"text": seed_text()}, **extra}


def succeed(upstream: FakeUpstream, seconds: float = 0.0) -> None:
    upstream._responder = answering(
        seconds, EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )


async def test_second_identical_request_is_a_hit_without_a_run(client: Client, upstream: FakeUpstream) -> None:
    succeed(upstream)
    first = await client.post("/v1/summaries", json=body())
    assert first.status_code == 200, first.text
    assert first.headers["cache-status"] == "summarizer; fwd=miss; stored"
    assert first.json()["meta"]["cached"] is False
    second = await client.post("/v1/summaries", json=body())
    assert second.status_code == 200, second.text
    assert second.headers["cache-status"] == "summarizer; hit"
    assert second.json()["meta"]["cached"] is True
    assert second.json()["summary"] == first.json()["summary"]
    assert upstream.calls == RUN


async def test_no_cache_request_runs_again_and_refreshes(client: Client, upstream: FakeUpstream) -> None:
    succeed(upstream)
    assert (await client.post("/v1/summaries", json=body())).status_code == 200
    fresh = await client.post("/v1/summaries", json=body(), headers={"Cache-Control": "no-cache"})
    assert fresh.status_code == 200, fresh.text
    assert fresh.headers["cache-status"] == "summarizer; fwd=request; stored"
    assert fresh.json()["meta"]["cached"] is False
    assert upstream.calls == 2 * RUN
    again = await client.post("/v1/summaries", json=body())
    assert again.headers["cache-status"] == "summarizer; hit" and upstream.calls == 2 * RUN


async def test_another_prompt_or_article_field_is_a_miss(client: Client, upstream: FakeUpstream) -> None:
    succeed(upstream)
    assert (await client.post("/v1/summaries", json=body())).status_code == 200
    titled = await client.post("/v1/summaries", json={"article": {"text": seed_text(), "title": "Talks"}})
    assert titled.headers["cache-status"] == "summarizer; fwd=miss; stored"
    other_prompt = await client.post("/v1/summaries", json=body(prompt="summarize-grouped@3"))
    assert other_prompt.status_code == 200, other_prompt.text
    assert other_prompt.headers["cache-status"] == "summarizer; fwd=miss; stored"
    assert upstream.calls == 3 * RUN


async def test_file_store_is_shared_and_keyed_by_sampling_settings(
    settings: Settings, upstream: FakeUpstream, tmp_path: Path
) -> None:
    """Two apps on one file store: the same settings share answers, another temperature does not."""
    succeed(upstream)
    shared = settings.model_copy(update={"response_cache": "file", "response_cache_dir": tmp_path / "answers"})
    warmer = shared.model_copy(update={"llm_temperature": 0.7})
    async with AsyncTestClient(app=create_app(shared)) as first:
        assert (await first.post("/v1/summaries", json=body())).status_code == 200
    async with AsyncTestClient(app=create_app(shared)) as second:
        hit = await second.post("/v1/summaries", json=body())
        assert hit.headers["cache-status"] == "summarizer; hit" and hit.json()["meta"]["cached"] is True
    async with AsyncTestClient(app=create_app(warmer)) as third:
        miss = await third.post("/v1/summaries", json=body())
        assert miss.headers["cache-status"] == "summarizer; fwd=miss; stored"
    assert upstream.calls == 2 * RUN


async def test_errors_are_never_cached(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = lambda request: status(503)
    failed = await client.post("/v1/summaries", json=body())
    assert failed.status_code == 503 and "cache-status" not in failed.headers
    failed_calls = upstream.calls
    succeed(upstream)
    ok = await client.post("/v1/summaries", json=body())
    assert ok.status_code == 200 and ok.headers["cache-status"] == "summarizer; fwd=miss; stored"
    assert upstream.calls == failed_calls + RUN


async def test_a_partial_answer_is_returned_but_not_cached(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = answering(EntitiesExtraction=ENTITIES, EventsExtraction=None, QuoteAttributions=ATTRIBUTIONS)
    partial = await client.post("/v1/summaries", json=body())
    assert partial.status_code == 200 and partial.json()["meta"]["incomplete"]
    assert partial.headers["cache-status"] == "summarizer; fwd=miss"  # not `stored`
    calls = upstream.calls
    succeed(upstream)
    complete = await client.post("/v1/summaries", json=body())
    assert complete.json()["meta"]["incomplete"] == [] and upstream.calls == calls + RUN


async def test_concurrent_identical_requests_share_one_run(settings: Settings, upstream: FakeUpstream) -> None:
    """Served for real (uvicorn on loopback), so the five requests overlap; each model call takes 0.3 s."""
    succeed(upstream, seconds=0.3)
    with serve_in_thread(create_app(settings)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            responses = await asyncio.gather(*(client.post("/v1/summaries", json=body()) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    statuses = sorted(r.headers["cache-status"] for r in responses)
    assert statuses == ["summarizer; fwd=miss; collapsed"] * 4 + ["summarizer; fwd=miss; stored"]
    assert sum(r.json()["meta"]["cached"] for r in responses) == 4
    assert upstream.calls == RUN


async def test_cache_off_runs_every_time_and_says_nothing(settings: Settings, upstream: FakeUpstream) -> None:
    succeed(upstream)
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"response_cache": "off"}))) as client:
        for _ in range(2):
            response = await client.post("/v1/summaries", json=body())
            assert response.status_code == 200 and "cache-status" not in response.headers
    assert upstream.calls == 2 * RUN


async def test_idempotency_key_replays_the_answer_and_refuses_another_body(
    client: Client, upstream: FakeUpstream
) -> None:
    succeed(upstream)
    key = {"Idempotency-Key": "order-1", "Cache-Control": "no-cache"}  # no-cache: the replay is the key's doing
    first = await client.post("/v1/summaries", json=body(), headers=key)
    assert first.status_code == 200, first.text
    again = await client.post("/v1/summaries", json=body(), headers=key)
    assert again.status_code == 200 and again.json()["meta"]["cached"] is True
    assert again.headers["cache-status"] == "summarizer; hit; detail=idempotency-key"
    assert again.json()["summary"] == first.json()["summary"] and upstream.calls == RUN
    other = await client.post("/v1/summaries", json=body(require_complete=True), headers=key)
    assert other.status_code == 422 and other.headers["content-type"].startswith("application/problem+json")
    problem = other.json()
    assert problem["type"].endswith("/idempotency-key-reused") and problem["idempotency_key"] == "order-1"
    assert upstream.calls == RUN


async def test_idempotency_keys_belong_to_their_api_key(settings: Settings, upstream: FakeUpstream) -> None:
    """The same Idempotency-Key under two API keys is two keys: neither sees the other's body."""
    succeed(upstream)
    keyed = settings.model_copy(update={"api_keys": (SecretStr("alpha-key"), SecretStr("beta-key"))})
    async with AsyncTestClient(app=create_app(keyed)) as client:
        alpha = {"X-API-Key": "alpha-key", "Idempotency-Key": "shared"}
        beta = {"X-API-Key": "beta-key", "Idempotency-Key": "shared"}
        assert (await client.post("/v1/summaries", json=body(), headers=alpha)).status_code == 200
        mine = await client.post("/v1/summaries", json=body(require_complete=True), headers=beta)
        assert mine.status_code == 200, mine.text  # beta's first use of "shared": not alpha's body
        reused = await client.post("/v1/summaries", json=body(require_complete=True), headers=alpha)
        assert reused.status_code == 422 and reused.json()["type"].endswith("/idempotency-key-reused")


async def test_idempotent_failure_is_not_kept(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = lambda request: status(503)
    key = {"Idempotency-Key": "retry-me"}
    assert (await client.post("/v1/summaries", json=body(), headers=key)).status_code == 503
    succeed(upstream)
    retried = await client.post("/v1/summaries", json=body(), headers=key)
    assert retried.status_code == 200 and retried.json()["meta"]["cached"] is False


async def test_memory_store_forgets_the_least_recently_used() -> None:
    store = BoundedMemoryStore(max_entries=2)
    await store.set("a", b"1")
    await store.set("b", b"2")
    assert await store.get("a") == b"1"  # touched: "b" is now the oldest
    await store.set("c", b"3")
    assert [await store.get(k) for k in ("a", "b", "c")] == [b"1", None, b"3"]


async def test_replicas_on_one_redis_share_answers(settings: Settings, upstream: FakeUpstream, tmp_path: Path) -> None:
    """`auto` with a Redis URL: two apps (two replicas) on one real valkey-server, one model run."""
    succeed(upstream)
    with QueueServer(tmp_path / "valkey") as server:
        replica = settings.model_copy(update={"redis_url": server.url, "batch_worker_in_serve": False})
        async with AsyncTestClient(app=create_app(replica)) as one, AsyncTestClient(app=create_app(replica)) as two:
            first = await one.post("/v1/summaries", json=body())
            assert first.headers["cache-status"] == "summarizer; fwd=miss; stored"
            second = await two.post("/v1/summaries", json=body())
            assert second.headers["cache-status"] == "summarizer; hit" and second.json()["meta"]["cached"] is True
            key = {"Idempotency-Key": "k1"}
            assert (await one.post("/v1/summaries", json=body(), headers=key)).status_code == 200
            reused = await two.post("/v1/summaries", json=body(require_complete=True), headers=key)
            assert reused.status_code == 422  # the key is shared by replicas too
    assert upstream.calls == RUN


async def test_redis_without_a_url_uses_the_embedded_valkey(settings: Settings, upstream: FakeUpstream) -> None:
    succeed(upstream)
    app = create_app(settings.model_copy(update={"response_cache": "redis", "batch_worker_in_serve": False}))
    async with AsyncTestClient(app=app) as client:
        assert (await client.post("/v1/summaries", json=body())).status_code == 200
        assert isinstance(app.state.summarizer.cache.store, RedisStore)
        hit = await client.post("/v1/summaries", json=body())
        assert hit.headers["cache-status"] == "summarizer; hit"
    assert upstream.calls == RUN


async def test_a_broken_store_costs_the_cache_not_the_summary(
    settings: Settings, upstream: FakeUpstream, tmp_path: Path
) -> None:
    succeed(upstream)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache's folder should be")
    broken = settings.model_copy(update={"response_cache": "file", "response_cache_dir": blocker})
    async with AsyncTestClient(app=create_app(broken)) as client:
        for _ in range(2):
            response = await client.post("/v1/summaries", json=body())
            assert response.status_code == 200, response.text
            assert response.headers["cache-status"] == "summarizer; fwd=miss"  # not stored, and said so
    assert upstream.calls == 2 * RUN
