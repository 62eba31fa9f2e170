"""A one-slot upstream (the embedded llama.cpp server) is waited for, never re-sent the same prompt after a
read timeout; every transport retry leaves a log line when it is decided (issue 17).

llama.cpp's server works on one request at a time and cannot stop a non-streamed one it has started:
a retry after a read timeout queues the same prompt behind the first and waits for both. The fake
upstream here answers slower than `llm_timeout_s` but well within the request deadline.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, Reply, delayed, hang, status, tool_call
from tests.support.scripts import ENTITIES, seed_text

BODY = {"article": {"text": seed_text()}, "prompt": "summarize-hybrid@2"}


def retry_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "upstream_retry"]


def test_the_embedded_model_is_a_one_slot_upstream_and_a_configured_url_is_not(tmp_path: Path) -> None:
    assert Settings(cache_dir=tmp_path).upstream_one_slot
    assert not Settings(cache_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1").upstream_one_slot
    assert Settings(cache_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_one_slot=True).upstream_one_slot
    assert not Settings(cache_dir=tmp_path, llm_one_slot=False).upstream_one_slot


async def test_a_slow_answer_on_a_one_slot_upstream_is_waited_for_not_sent_again(
    settings: Settings, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    one_slot = settings.model_copy(update={"llm_one_slot": True, "llm_timeout_s": 0.3, "request_deadline_s": 20.0})
    upstream.enqueue(delayed(tool_call(ENTITIES), 1.5), tool_call(ENTITIES))  # 5x the read timeout
    async with AsyncTestClient(app=create_app(one_slot)) as client:
        response = await client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200, response.text
    assert upstream.calls == 1
    meta = response.json()["meta"]
    assert meta["attempts"] == 1 and meta["incomplete"] == []
    assert retry_lines(caplog) == []


async def test_a_one_slot_upstream_that_refused_is_still_retried(
    settings: Settings, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    """A 503 means the server is not working on the prompt: asking again queues behind nothing."""
    caplog.set_level(logging.INFO)
    upstream.enqueue(status(503), tool_call(ENTITIES))
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"llm_one_slot": True}))) as client:
        response = await client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200 and response.json()["meta"]["attempts"] == 2
    assert [(r.attempt, r.reason) for r in retry_lines(caplog)] == [(1, "http_503")]  # type: ignore[attr-defined]


async def test_a_retry_is_logged_before_it_is_sent(
    settings: Settings, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    """On a configured URL a read timeout is retried; its log line exists when the second call arrives."""
    caplog.set_level(logging.INFO)
    seen_at_retry: list[int] = []

    def second(request: dict[str, Any]) -> Reply:
        seen_at_retry.append(len(retry_lines(caplog)))
        return tool_call(ENTITIES)

    upstream._responder = second
    upstream.enqueue(hang(3.0))
    async with AsyncTestClient(app=create_app(settings.model_copy(update={"llm_timeout_s": 0.3}))) as client:
        response = await client.post("/v1/summaries", json=BODY)
    assert response.status_code == 200 and upstream.calls == 2
    assert seen_at_retry == [1]
    (line,) = retry_lines(caplog)
    fields = vars(line)
    assert (fields["attempt"], fields["reason"], fields["task"]) == (1, "timeout", "entities")
    assert 0 <= fields["wait_s"] <= settings.llm_retry_max_wait_s
    assert 0 < fields["remaining_s"] <= settings.request_deadline_s
