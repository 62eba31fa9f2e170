"""`summarizer.client` against the app served for real on loopback, backed by the scripted fake upstream."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from bench.serving import serve_in_thread
from summarizer.api import create_app
from summarizer.client import AsyncClient, Client, error_from_response
from summarizer.errors import (
    ArticleTooLarge,
    CircuitOpen,
    InputError,
    PromptNotFound,
    RateLimited,
    SummarizerError,
    Unauthorized,
    UpstreamError,
    UpstreamUnavailable,
)
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, hang, status
from tests.support.scripts import grouped_success, seed_text

KEY = "client-test-key"


@dataclass
class Served:
    url: str
    upstream: FakeUpstream


def serve(upstream: FakeUpstream, **overrides: object) -> Iterator[Served]:
    settings = Settings(
        default_prompt="summarize-grouped@4",  # the scripted replies are its three calls
        llm_base_url=upstream.base_url,
        llm_model="fake-model",
        api_keys=KEY,  # parsed as from the environment
        request_deadline_s=10.0,
        llm_timeout_s=5.0,
        llm_retry_max_wait_s=0.05,
        llm_transport_retries=2,
        llm_reasks=1,
        breaker_threshold=2,
        max_article_chars=20_000,
    ).model_copy(update=overrides)
    with serve_in_thread(create_app(settings)) as url:
        yield Served(url, upstream)


@pytest.fixture
def served(upstream: FakeUpstream) -> Iterator[Served]:
    yield from serve(upstream)


def test_sync_client_returns_the_typed_summary(served: Served) -> None:
    served.upstream.enqueue(*grouped_success())
    with Client(served.url, api_key=KEY) as client:
        published = datetime(2022, 2, 28, tzinfo=UTC)
        answer = client.summarize(seed_text(), title="Talks in Belarus", published_at=published)
    text = seed_text()
    assert answer.meta.model == "fake-model" and answer.meta.attempts == 3
    assert answer.summary.quotes and all(text[q.start : q.end] == q.text for q in answer.summary.quotes)
    sent = " ".join(str(m["content"]) for m in served.upstream.requests[0]["messages"])
    assert "Talks in Belarus" in sent  # the title reached the prompt


async def test_async_client_returns_the_typed_summary(served: Served) -> None:
    served.upstream.enqueue(*grouped_success())
    async with AsyncClient(served.url, api_key=KEY) as client:
        answer = await client.summarize(seed_text(), prompt="summarize-grouped@4")
    assert answer.meta.prompt.id == "summarize-grouped" and answer.meta.prompt.version == 4


def test_sync_stream_yields_each_part_then_the_typed_summary(served: Served) -> None:
    served.upstream.enqueue(*grouped_success())
    with Client(served.url, api_key=KEY) as client:
        parts = list(client.stream(seed_text()))
    assert [p.event for p in parts] == ["entities", "locations", "quotes", "outcomes", "claims", "summary"]
    answer = parts[-1].response
    assert answer is not None and answer.meta.attempts == 3
    assert parts[0].data["headline"] == answer.summary.headline
    assert parts[1].data["locations"] == [loc.model_dump(mode="json") for loc in answer.summary.locations]
    assert parts[2].data["quotes"] == [q.model_dump(mode="json") for q in answer.summary.quotes]
    assert all(p.response is None for p in parts[:-1])


async def test_async_stream_raises_the_problem_event_and_plain_problems(served: Served) -> None:
    busy = status(503, headers={"Retry-After": "7"})
    served.upstream.enqueue(busy, busy, busy)
    async with AsyncClient(served.url, api_key=KEY) as client:
        with pytest.raises(UpstreamUnavailable) as unavailable:
            [part async for part in client.stream(seed_text())]
        assert unavailable.value.retry_after_s == 7.0 and unavailable.value.attempts == 3
        with pytest.raises(InputError):
            [part async for part in client.stream("   ")]  # refused before the run: a plain problem response
    assert served.upstream.calls == 3


def test_problems_come_back_as_the_error_tree(served: Served) -> None:
    with Client(served.url, api_key="not-the-key") as stranger, pytest.raises(Unauthorized) as refused:
        stranger.summarize("Talks began.")
    assert refused.value.status_code == 401 and "not valid" in refused.value.detail

    with Client(served.url, api_key=KEY) as client:
        with pytest.raises(InputError) as invalid:
            client.summarize("   ")
        assert type(invalid.value) is InputError and "whitespace" in invalid.value.detail
        with pytest.raises(PromptNotFound):
            client.summarize("Talks began.", prompt="nope@9")
        with pytest.raises(ArticleTooLarge) as large:
            client.summarize("word " * 5000)
        assert large.value.extra["limit"] == 20_000
    assert served.upstream.calls == 0


async def test_upstream_failures_keep_retry_after_attempts_and_usage(served: Served) -> None:
    busy = status(503, headers={"Retry-After": "7"})
    served.upstream.enqueue(busy, busy, busy)
    async with AsyncClient(served.url, api_key=KEY) as client:
        with pytest.raises(UpstreamUnavailable) as unavailable:
            await client.summarize(seed_text())
        assert type(unavailable.value) is UpstreamUnavailable
        assert unavailable.value.retry_after_s == 7.0 and unavailable.value.attempts == 3

        served.upstream.enqueue(busy, busy, busy)
        with pytest.raises(UpstreamUnavailable):
            await client.summarize(seed_text())  # the second failed request opens the circuit (threshold 2)
        with pytest.raises(CircuitOpen) as open_circuit:
            await client.summarize(seed_text())
        assert open_circuit.value.retry_after_s is not None and open_circuit.value.retry_after_s >= 1
        assert served.upstream.calls == 6


def test_rate_limited_keeps_limit_and_reset(upstream: FakeUpstream) -> None:
    for served in serve(upstream, rate_limit_requests=1, rate_limit_window_s=3600):
        with Client(served.url, api_key=KEY) as client:
            with pytest.raises(InputError):
                client.summarize(" ")  # uses the one request of the window
            with pytest.raises(RateLimited) as limited:
                client.summarize("Talks began.")
        assert limited.value.limit == 1 and 1 <= limited.value.reset_s <= 3600  # the rest of the window
        assert limited.value.extra["retry_after_s"] == limited.value.reset_s  # the header, as the body said


def test_the_client_timeout_is_httpx_s_own(served: Served) -> None:
    served.upstream.enqueue(hang(3.0))
    impatient = Client(served.url, api_key=KEY, timeout=httpx.Timeout(0.5, connect=2.0))
    with impatient, pytest.raises(httpx.ReadTimeout):
        impatient.summarize(seed_text())


def test_an_answer_outside_the_tree_maps_by_status() -> None:
    page = httpx.Response(502, text="<html>Bad gateway</html>", request=httpx.Request("POST", "http://x/"))
    error = error_from_response(page)
    assert type(error) is UpstreamError and error.detail == "502 Bad Gateway"
    teapot = error_from_response(httpx.Response(418, json={"detail": "short and stout"}))
    assert type(teapot) is SummarizerError and teapot.status_code == 418 and teapot.detail == "short and stout"


def test_public_names() -> None:
    import summarizer.client

    public = ["DEFAULT_TIMEOUT", "AsyncClient", "Client", "Part", "SummarizeOptions", "error_from_response"]
    assert sorted(summarizer.client.__all__) == sorted(public)
