"""API keys and rate limits: who may call, how often, and what a refusal looks like."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from typing import TypeAlias

import httpx
import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.serving import serve_in_thread, serve_subprocess
from summarizer.api import create_app
from summarizer.api.security import ApiKeys, client_address
from summarizer.cache.ratelimit import MemoryStore, RedisStore
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import grouped_success, seed_text

Client: TypeAlias = AsyncTestClient[Litestar]
PROBLEMS = "https://summarizer.dev/problems/"
KEYS = "alpha-0123456789,bravo-9876543210"
BODY = {"article": {"text": seed_text()}}
HOUR = 3600  # windows are aligned to the clock: a long one keeps a test from straddling two


@pytest.fixture
async def keyed(settings: Settings) -> AsyncIterator[Client]:
    keys = Settings(api_keys=KEYS).api_keys  # parsed as from the environment
    configured = settings.model_copy(
        update={"api_keys": keys, "rate_limit_requests": 3, "auth_failure_limit": 3, "rate_limit_window_s": HOUR}
    )
    async with AsyncTestClient(app=create_app(configured)) as client:
        yield client


def test_keys_are_kept_as_digests_only() -> None:
    keys = ApiKeys(Settings(api_keys=KEYS).api_keys)
    assert keys.identify("alpha-0123456789") is not None
    assert keys.identify("bravo-9876543210") not in (None, keys.identify("alpha-0123456789"))
    assert keys.identify("alpha-012345678") is None and keys.identify("") is None
    assert "alpha" not in repr(vars(keys)) and "0123456789" not in repr(vars(keys))
    assert "alpha" not in repr(Settings(api_keys=KEYS))


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "alpha"}, {"Authorization": "Basic alpha-0123456789"}],
)
async def test_missing_or_wrong_key_is_401(keyed: Client, upstream: FakeUpstream, headers: dict[str, str]) -> None:
    response = await keyed.post("/v1/summaries", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == PROBLEMS + "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert upstream.calls == 0


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
async def test_valid_key_in_either_header(keyed: Client, upstream: FakeUpstream, header: str) -> None:
    upstream.enqueue(*grouped_success())
    value = "Bearer bravo-9876543210" if header == "Authorization" else "bravo-9876543210"
    response = await keyed.post("/v1/summaries", json=BODY, headers={header: value})
    assert response.status_code == 200, response.text
    assert response.headers["ratelimit-limit"] == "3" and response.headers["ratelimit-remaining"] == "2"


async def test_health_ready_and_docs_stay_open(keyed: Client) -> None:
    for path in ("/health", "/ready", "/docs/openapi.json"):
        assert (await keyed.get(path)).status_code == 200, path


async def test_keys_never_reach_the_logs(keyed: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await keyed.post("/v1/summaries", json={"article": {"text": " "}}, headers={"X-API-Key": "alpha-0123456789"})
    await keyed.post("/v1/summaries", json=BODY, headers={"X-API-Key": "charlie-secret-key"})
    logged = caplog.text + " ".join(repr(vars(r)) for r in caplog.records)
    assert "0123456789" not in logged and "charlie-secret-key" not in logged
    summary = next(r for r in caplog.records if getattr(r, "event", None) == "summary")
    assert getattr(summary, "client_id", "").startswith("key-")  # who called, by a non-secret id


async def test_rate_limit_per_key_is_429_with_headers(keyed: Client, upstream: FakeUpstream) -> None:
    alpha = {"X-API-Key": "alpha-0123456789"}
    invalid = {"article": {"text": " "}}  # 422 without an upstream call: still counts
    for remaining in ("2", "1", "0"):
        response = await keyed.post("/v1/summaries", json=invalid, headers=alpha)
        assert response.status_code == 422 and response.headers["ratelimit-remaining"] == remaining
    limited = await keyed.post("/v1/summaries", json=BODY, headers=alpha)
    assert limited.status_code == 429
    assert limited.json()["type"] == PROBLEMS + "rate-limited"
    assert limited.headers["ratelimit-limit"] == "3" and limited.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(limited.headers["retry-after"]) <= HOUR
    assert limited.headers["ratelimit-reset"] == limited.headers["retry-after"]
    other = await keyed.post("/v1/summaries", json=invalid, headers={"Authorization": "Bearer bravo-9876543210"})
    assert other.status_code == 422  # another key has its own budget
    assert upstream.calls == 0


async def test_an_address_that_keeps_failing_is_locked_out_before_its_key_is_checked(
    keyed: Client, upstream: FakeUpstream
) -> None:
    guesses = [{"X-API-Key": f"guess-{n}"} for n in range(2)] + [{}]
    assert [(await keyed.post("/v1/summaries", json=BODY, headers=h)).status_code for h in guesses] == [401] * 3
    # Locked: even the right key is refused, so a guesser cannot tell a right guess from a wrong one.
    for headers in ({"X-API-Key": "alpha-0123456789"}, {"X-API-Key": "guess-9"}):
        refused = await keyed.post("/v1/summaries", json=BODY, headers=headers)
        assert refused.status_code == 429 and refused.json()["type"] == PROBLEMS + "rate-limited"
        assert "failed authentications" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= HOUR
    assert (await keyed.get("/metrics", headers={"X-API-Key": "alpha-0123456789"})).status_code == 429
    assert (await keyed.get("/health")).status_code == 200  # open paths stay open
    assert upstream.calls == 0


async def test_lockout_can_be_switched_off(settings: Settings) -> None:
    configured = settings.model_copy(update={"api_keys": Settings(api_keys=KEYS).api_keys, "auth_failure_limit": 0})
    async with AsyncTestClient(app=create_app(configured)) as client:
        statuses = [(await client.get("/metrics", headers={"X-API-Key": f"g{n}"})).status_code for n in range(12)]
        assert statuses == [401] * 12
        assert (await client.get("/metrics", headers={"X-API-Key": "alpha-0123456789"})).status_code == 200


@pytest.mark.parametrize(
    ("host", "counted_as"),
    [
        ("203.0.113.7", "addr-203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "addr-2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "addr-2001:db8:1:2::/64"),  # same /64: one host, one counter
        ("::ffff:203.0.113.7", "addr-203.0.113.7"),
        ("testclient", "addr-testclient"),
    ],
)
def test_addresses_are_counted_by_host_and_ipv6_by_64(host: str, counted_as: str) -> None:
    assert client_address({"client": (host, 1234)}) == counted_as  # type: ignore[arg-type]


async def test_memory_store_stays_bounded_and_keeps_recent_counters() -> None:
    store = MemoryStore(clock=lambda: 1000.0, max_keys=10)
    await store.hit("old", 5, HOUR)
    for n in range(25):
        await store.hit(f"stranger-{n}", 5, HOUR)
        await store.hit("busy", 5, HOUR)  # counted often, so never the least recent
    assert len(store) <= 10
    assert (await store.peek("busy", 25, HOUR)).remaining == 0  # kept, with all 25 hits
    assert (await store.peek("old", 5, HOUR)).remaining == 5  # evicted: forgotten
    assert (await store.peek("busy", 26, HOUR)).allowed and not (await store.peek("busy", 25, HOUR)).allowed
    tiny = MemoryStore(clock=lambda: 1000.0, max_keys=1)
    for n in range(5):
        await tiny.hit(f"k{n}", 5, HOUR)
    assert len(tiny) == 1 and (await tiny.peek("k4", 1, HOUR)).remaining == 0  # the latest one survives


@pytest.fixture
def locked_after_two(settings: Settings, redis_url: str) -> Settings:
    """Keys configured, lockout after 2 failures, counters in a freshly emptied real Redis."""
    redis.Redis.from_url(redis_url).flushdb()
    keys = Settings(api_keys=KEYS).api_keys
    return settings.model_copy(
        update={"redis_url": redis_url, "api_keys": keys, "auth_failure_limit": 2, "rate_limit_window_s": HOUR}
    )


async def test_lockout_is_shared_through_redis(locked_after_two: Settings) -> None:
    configured = locked_after_two
    alpha = {"X-API-Key": "alpha-0123456789"}
    async with AsyncTestClient(app=create_app(configured)) as one, AsyncTestClient(app=create_app(configured)) as two:
        assert (await one.get("/metrics", headers={"X-API-Key": "wrong"})).status_code == 401
        assert (await two.get("/metrics", headers={"X-API-Key": "wrong"})).status_code == 401
        assert (await one.get("/metrics", headers=alpha)).status_code == 429  # the other instance's failure counted


async def test_a_burst_of_parallel_guesses_gets_no_more_answers_than_the_limit(locked_after_two: Settings) -> None:
    """Served for real: parallel requests interleave at every Redis round trip.

    (The in-process test client runs requests one after another, which hides this race: reading the
    counter before counting let 15 of 20 parallel guesses through with a limit of 3.)
    """
    configured = locked_after_two
    with serve_in_thread(create_app(configured)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            burst = [client.get("/metrics", headers={"X-API-Key": f"guess-{n}"}) for n in range(20)]
            statuses = sorted(r.status_code for r in await asyncio.gather(*burst))
    assert statuses == [401] * 2 + [429] * 18


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(upstream: FakeUpstream) -> None:
    env = {
        "SUMMARIZER_LLM_BASE_URL": upstream.base_url,
        "SUMMARIZER_API_KEYS": KEYS,
        "SUMMARIZER_AUTH_FAILURE_LIMIT": "2",
        "SUMMARIZER_FORWARDED_ALLOW_IPS": "127.0.0.1",  # the test client plays the proxy
    }
    guesser, neighbour = {"X-Forwarded-For": "198.51.100.1"}, {"X-Forwarded-For": "198.51.100.2"}
    valid = {"X-API-Key": "alpha-0123456789"}
    with serve_subprocess(env) as served:
        get = functools.partial(httpx.get, f"{served.base_url}/metrics", timeout=10)
        assert [get(headers={**guesser, "X-API-Key": "nope"}).status_code for _ in range(2)] == [401, 401]
        assert get(headers={**guesser, **valid}).status_code == 429  # the guesser's address is locked
        assert get(headers={**neighbour, **valid}).status_code == 200  # another client behind the same proxy is not


async def test_without_keys_clients_are_limited_by_address(settings: Settings) -> None:
    configured = settings.model_copy(update={"rate_limit_requests": 2, "rate_limit_window_s": HOUR})
    async with AsyncTestClient(app=create_app(configured)) as client:
        statuses = [(await client.post("/v1/summaries", json={"article": {"text": ""}})).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


async def test_memory_store_windows() -> None:
    now = [1000.0]
    store = MemoryStore(clock=lambda: now[0])
    decisions = [await store.hit("k", 2, 60) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[0].reset_s == 20.0  # 1000 s is 40 s into the window [960, 1020)
    now[0] = 1020.0
    assert (await store.hit("k", 2, 60)).allowed


async def test_redis_store_is_shared_between_instances(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    first, second = RedisStore(redis_url, prefix="t1"), RedisStore(redis_url, prefix="t1")
    try:
        decisions = [await store.hit("shared", 3, HOUR) for store in (first, second, first, second)]
        assert [d.remaining for d in decisions] == [2, 1, 0, 0]
        assert [d.allowed for d in decisions] == [True, True, True, False]
        assert 0 < decisions[-1].reset_s <= HOUR
        keys = redis.Redis.from_url(redis_url).keys("t1:shared:*")
        assert len(keys) == 1 and 0 < redis.Redis.from_url(redis_url).ttl(keys[0]) <= HOUR + 1
    finally:
        await first.close()
        await second.close()


async def test_two_apps_share_a_redis_limit(settings: Settings, redis_url: str) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    configured = settings.model_copy(
        update={"redis_url": redis_url, "rate_limit_requests": 2, "rate_limit_window_s": HOUR}
    )
    invalid = {"article": {"text": ""}}
    async with AsyncTestClient(app=create_app(configured)) as one, AsyncTestClient(app=create_app(configured)) as two:
        statuses = [(await c.post("/v1/summaries", json=invalid)).status_code for c in (one, two, one, two)]
    assert statuses == [422, 422, 429, 429]


async def test_unreachable_redis_lets_requests_through(settings: Settings) -> None:
    configured = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0", "rate_limit_requests": 1})
    async with AsyncTestClient(app=create_app(configured)) as client:
        statuses = [(await client.post("/v1/summaries", json={"article": {"text": ""}})).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
