"""The served API parses each distinct article once, in worker processes the app starts and stops."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from bench.upstream import healthy
from summarizer.api import create_app
from summarizer.settings import Settings
from summarizer.text.passes import NlpPasses
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import seed_text

PROMPT = "summarize-hybrid@2"  # reads the NLP pass


@pytest.fixture
def answering() -> Iterator[FakeUpstream]:
    with FakeUpstream(responder=healthy) as server:
        yield server


def _settings(upstream: FakeUpstream, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        default_prompt=PROMPT,
        cache_dir=tmp_path / "cache",
        llm_base_url=upstream.base_url,
        llm_model="fake-model",
        response_cache="off",  # every request is a run of its own: only the pass is shared
        **extra,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_concurrent_and_repeated_requests_share_one_pass_in_a_worker_process(
    answering: FakeUpstream, tmp_path: Path
) -> None:
    body = {"article": {"text": seed_text()}}
    async with AsyncTestClient(app=create_app(_settings(answering, tmp_path, nlp_workers=2))) as client:
        nlp: NlpPasses = client.app.state.summarizer.nlp
        for _ in range(1200):  # the workers start with the app (the default prompt reads the pass)
            if nlp.pool is not None:
                break
            await asyncio.sleep(0.1)
        responses = await asyncio.gather(*(client.post("/v1/summaries", json=body) for _ in range(6)))
        responses.append(await client.post("/v1/summaries", json=body))
        assert [r.status_code for r in responses] == [200] * 7, responses[0].text
        assert answering.calls == 7  # a model call each: no answer was shared, only the pass
        assert (nlp.counts.run, nlp.counts.threaded) == (1, 0)  # one pass, in a worker
        assert nlp.counts.joined + nlp.counts.reused == 6
        pool = nlp.pool
        assert isinstance(pool, ProcessPoolExecutor)
        workers = [p.pid for p in pool._processes.values() if p.pid is not None]
        assert workers and os.getpid() not in workers
    assert not any(_alive(pid) for pid in workers)  # the app's shutdown joined them


async def test_the_answer_is_the_same_from_the_pool_as_from_a_thread(answering: FakeUpstream, tmp_path: Path) -> None:
    answers = []
    for workers in (1, 0):
        async with AsyncTestClient(app=create_app(_settings(answering, tmp_path, nlp_workers=workers))) as client:
            response = await client.post("/v1/summaries", json={"article": {"text": seed_text()}})
            assert response.status_code == 200, response.text
            assert (client.app.state.summarizer.nlp.pool is None) == (workers == 0)
            answers.append(response.json()["summary"])
    assert answers[0] == answers[1]
    assert answers[0]["quotes"] and answers[0]["locations"]  # the pass's findings are there
