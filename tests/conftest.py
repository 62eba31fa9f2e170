"""Shared fixtures: a fake upstream per test, settings pointing at it, and an API client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as server:
        yield server


@pytest.fixture
def settings(upstream: FakeUpstream, tmp_path: Path) -> Settings:
    """Fast-failing settings: short deadline, tiny backoff, so fault tests stay quick.

    The cache dir is the test's own, so the embedded queue server each app starts is too. The
    default prompt is pinned to summarize-grouped@4: these tests script its three calls to exercise
    retries, re-asks, breakers and partial answers; the default's own behaviour is tested by name
    (the fault matrix and the hostile suite run every strategy, tests/pipeline the new ones).
    """
    return Settings(
        default_prompt="summarize-grouped@4",
        cache_dir=tmp_path / "cache",
        llm_base_url=upstream.base_url,
        llm_model="fake-model",
        request_deadline_s=10.0,
        llm_timeout_s=2.0,
        llm_retry_max_wait_s=0.05,
        llm_transport_retries=2,
        llm_reasks=1,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def local_llm_url() -> Iterator[str]:
    """The real embedded model behind a llama.cpp server, started once per test session.

    The model is fetched and sha256-verified on first use (`make test` does it beforehand).
    """
    from summarizer.local_model.launch import local_server

    with local_server(Settings()) as server:
        yield server.base_url
