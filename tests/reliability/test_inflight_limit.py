"""A bounded number of upstream calls in flight: past the queue timeout, a 503 instead of a pile-up.

Requests overlap for real here (uvicorn on loopback), and the fake upstream answers by tool name,
so concurrent summaries cannot take each other's scripted replies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from bench.serving import serve_in_thread
from bench.upstream import healthy
from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, hang
from tests.support.scripts import seed_text

BODY = {"article": {"text": seed_text()}}


@pytest.fixture
def answering() -> Iterator[FakeUpstream]:
    with FakeUpstream(responder=healthy) as upstream:
        yield upstream


async def wait_for_calls(upstream: FakeUpstream, count: int) -> None:
    for _ in range(1000):
        if upstream.calls >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"upstream saw {upstream.calls} calls, expected {count}")


async def test_no_free_slot_within_the_queue_timeout_is_503(settings: Settings, answering: FakeUpstream) -> None:
    one_slot = settings.model_copy(
        update={
            "llm_base_url": answering.base_url,
            "max_inflight_upstream": 1,
            "upstream_queue_timeout_s": 0.2,
            "llm_timeout_s": 10.0,  # the hang, not the client's read timeout, decides how long the slot is held
        }
    )
    answering.enqueue(hang(3.0))  # the first request's first call holds the only slot
    with serve_in_thread(create_app(one_slot)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            first = asyncio.create_task(client.post("/v1/summaries", json=BODY))
            await wait_for_calls(answering, 1)
            second = await client.post("/v1/summaries", json=BODY)
            done = await first

    assert second.status_code == 503
    problem = second.json()
    assert problem["type"] == "https://summarizer.dev/problems/upstream-busy"
    assert second.headers["retry-after"] == "1"
    assert problem["attempts"] == 0  # it never reached the upstream
    assert done.status_code == 200, done.text  # the slot holder retried after the hang and finished
    assert answering.calls == 4  # hang + the three calls of one summary


async def test_queued_calls_proceed_when_slots_free_in_time(settings: Settings, answering: FakeUpstream) -> None:
    one_slot = settings.model_copy(
        update={"llm_base_url": answering.base_url, "max_inflight_upstream": 1, "upstream_queue_timeout_s": 5.0}
    )
    with serve_in_thread(create_app(one_slot)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            responses = await asyncio.gather(*(client.post("/v1/summaries", json=BODY) for _ in range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    assert answering.calls == 12
