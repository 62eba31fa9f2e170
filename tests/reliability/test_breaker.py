"""The circuit breaker: open after N consecutive failed requests (not attempts), fail fast, probe once, recover."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.errors import CircuitOpen
from summarizer.llm.breaker import CircuitBreaker, State
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, status
from tests.support.scripts import grouped_success, seed_text

PROBLEMS = "https://summarizer.dev/problems/"
BODY = {"article": {"text": seed_text()}}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_states_follow_failures_cooldown_and_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, cooldown_s=10.0, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    breaker.before_call()
    breaker.record_success()  # a success resets the count
    for _ in range(3):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is State.OPEN
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert refused.value.retry_after_s == 10.0

    clock.now += 10.0
    assert breaker.state is State.HALF_OPEN  # type: ignore[comparison-overlap]  # the clock moved
    assert breaker.before_call() is True  # the one probe
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # everyone else waits for it
    breaker.record_failure()  # probe failed: open for another full cooldown
    assert breaker.state is State.OPEN
    clock.now += 4.0
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert refused.value.retry_after_s == 6.0

    clock.now += 6.0
    breaker.before_call()
    breaker.release()  # probe cancelled: the next call may probe
    breaker.before_call()
    breaker.record_success()
    assert breaker.state is State.CLOSED
    breaker.before_call()


def test_threshold_zero_never_opens() -> None:
    breaker = CircuitBreaker(threshold=0, cooldown_s=10.0)
    for _ in range(100):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is State.CLOSED


@pytest.fixture
def breaker_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"breaker_threshold": 3, "breaker_cooldown_s": 30.0})


def served_breaker(client: AsyncTestClient[Litestar], clock: Clock) -> CircuitBreaker:
    """The app's own breaker, put on a clock the test moves: no test outcome depends on CI speed."""
    breaker: CircuitBreaker = client.app.state.summarizer.llm.breaker
    breaker.clock = clock
    return breaker


async def fail_requests(client: AsyncTestClient[Litestar], upstream: FakeUpstream, count: int) -> None:
    """`count` requests that each give up after 1 + 2 retries of 503."""
    for _ in range(count):
        upstream.enqueue(status(503), status(503), status(503))
        failed = await client.post("/v1/summaries", json=BODY)
        assert failed.status_code == 503 and failed.json()["type"] == PROBLEMS + "upstream-unavailable"


async def test_opens_fails_fast_and_recovers_through_a_probe(
    breaker_settings: Settings, upstream: FakeUpstream
) -> None:
    clock = Clock()
    async with AsyncTestClient(app=create_app(breaker_settings)) as client:
        served_breaker(client, clock)
        await fail_requests(client, upstream, 3)
        assert upstream.calls == 9  # three failed requests of three attempts each: the third opens the circuit

        for remaining in (30, 25, 20, 15, 10, 5):  # no more doomed calls reach the upstream
            refused = await client.post("/v1/summaries", json=BODY)
            assert refused.status_code == 503
            assert refused.json()["type"] == PROBLEMS + "circuit-open"
            assert refused.headers["retry-after"] == str(remaining)  # the rest of the cooldown
            clock.now += 5.0
        assert upstream.calls == 9

        # the cooldown is over: the next call is the probe
        upstream.enqueue(*grouped_success())
        recovered = await client.post("/v1/summaries", json=BODY)
        assert recovered.status_code == 200, recovered.text
        assert upstream.calls == 12
        upstream.enqueue(*grouped_success())
        assert (await client.post("/v1/summaries", json=BODY)).status_code == 200
        assert upstream.calls == 15


async def test_one_request_s_retries_do_not_open_the_circuit(settings: Settings, upstream: FakeUpstream) -> None:
    """The issue's run: one request's four 503s plus a 429 opened a threshold-5 breaker for every caller."""
    roomy = settings.model_copy(update={"breaker_threshold": 5, "llm_transport_retries": 3})
    async with AsyncTestClient(app=create_app(roomy)) as client:
        upstream.enqueue(status(503), status(503), status(503), status(503))
        first = await client.post("/v1/summaries", json=BODY)
        assert first.status_code == 503 and first.json()["type"] == PROBLEMS + "upstream-unavailable"
        assert upstream.calls == 4
        upstream.enqueue(status(429), *grouped_success())  # the next caller: rate-limited once, then answered
        other = await client.post("/v1/summaries", json=BODY)
        assert other.status_code == 200, other.text  # attempts counted, its retry was refused as circuit-open
        assert upstream.calls == 8


async def test_a_request_that_recovers_counts_as_no_failure(breaker_settings: Settings, upstream: FakeUpstream) -> None:
    async with AsyncTestClient(app=create_app(breaker_settings)) as client:
        await fail_requests(client, upstream, 2)
        upstream.enqueue(status(503), status(503), *grouped_success())  # two failed attempts, then answers
        assert (await client.post("/v1/summaries", json=BODY)).status_code == 200
        await fail_requests(client, upstream, 2)  # the count started again: two more do not open it
        upstream.enqueue(*grouped_success())
        assert (await client.post("/v1/summaries", json=BODY)).status_code == 200


async def test_ready_reports_an_open_circuit(breaker_settings: Settings, upstream: FakeUpstream) -> None:
    clock = Clock()
    async with AsyncTestClient(app=create_app(breaker_settings)) as client:
        served_breaker(client, clock)
        assert (await client.get("/ready")).status_code == 200
        await fail_requests(client, upstream, 3)
        clock.now += 10.0
        ready = await client.get("/ready")
        assert ready.status_code == 503, ready.text  # the upstream still lists its models: the breaker decides
        assert ready.headers["content-type"].startswith("application/problem+json")
        assert ready.json()["type"] == PROBLEMS + "circuit-open"
        assert ready.headers["retry-after"] == "20"
        clock.now += 20.0  # cooldown over: a probe may go out, so the service is ready to try again
        assert (await client.get("/ready")).status_code == 200


async def test_failed_probe_reopens_without_retrying(breaker_settings: Settings, upstream: FakeUpstream) -> None:
    clock = Clock()
    async with AsyncTestClient(app=create_app(breaker_settings)) as client:
        served_breaker(client, clock)
        await fail_requests(client, upstream, 3)
        assert upstream.calls == 9
        clock.now += 30.0
        upstream.enqueue(status(500))
        probe = await client.post("/v1/summaries", json=BODY)
        assert probe.status_code == 503 and probe.json()["type"] == PROBLEMS + "circuit-open"
        assert upstream.calls == 10  # the probe failed; its retry was refused by the re-opened circuit
        assert probe.json()["attempts"] == 1


async def test_bad_model_output_does_not_open_the_circuit(breaker_settings: Settings, upstream: FakeUpstream) -> None:
    from tests.support.fake_upstream import tool_call

    async with AsyncTestClient(app=create_app(breaker_settings)) as client:
        for _ in range(2):
            upstream.enqueue(*[tool_call({"headline": 1})] * 6)  # three groups, each asked and re-asked
            assert (await client.post("/v1/summaries", json=BODY)).status_code == 502
        upstream.enqueue(*grouped_success())
        assert (await client.post("/v1/summaries", json=BODY)).status_code == 200
        assert upstream.calls == 15
