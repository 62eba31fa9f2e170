"""What runs outside us: the LLM upstream and Redis, opened the same way by the app, the CLI, the
eval runner and the workers.

`open_upstream(settings)` yields the upstream base URL and an `LLMClient` on it: the configured URL,
or the embedded llama.cpp child, started (fetching and verifying the model first if needed) and
stopped on exit. `service.build_summarizer` then turns that client into a `Summarizer`.
`connect_redis(url)` is the one way a Redis client is made (batch queue, response cache, rate limits).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from summarizer.llm.client import LLMClient
from summarizer.local_model.fetch import Progress
from summarizer.local_model.launch import local_server
from summarizer.settings import Settings


@dataclass(frozen=True)
class Upstream:
    """An open upstream: its base URL and the client that talks to it."""

    base_url: str
    llm: LLMClient


@asynccontextmanager
async def open_upstream(
    settings: Settings,
    *,
    progress: Progress | None = None,
    announce: Callable[[str], None] = lambda _message: None,
) -> AsyncIterator[Upstream]:
    """The configured upstream, or the local model started here; everything opened is closed on exit.

    The llama.cpp child is forked on the calling (event-loop) thread: PR_SET_PDEATHSIG follows the
    forking thread, and the loop's lives as long as whatever serves (see `LlamaServer.spawn`).
    Downloading and waiting for health happen off the loop.
    """
    async with AsyncExitStack() as stack:
        if settings.uses_local_model:
            server = await asyncio.to_thread(local_server, settings, progress)  # may download the model first
            announce("starting the local llama.cpp server…")
            server.spawn()
            stack.push_async_callback(asyncio.to_thread, server.stop)
            await asyncio.to_thread(server.wait_healthy)
            base_url = server.base_url
        else:
            assert settings.llm_base_url is not None
            base_url = settings.llm_base_url
        llm = LLMClient(settings, base_url)
        stack.push_async_callback(llm.close)
        await llm.context_tokens()  # asked once here (a model list call), not inside a request's deadline
        yield Upstream(base_url=base_url, llm=llm)


def connect_redis(url: str, *, timeout_s: float | None = None, ride_out_outages: bool = True) -> aioredis.Redis:
    """A Redis client on `url` (a unix-socket URL too).

    `ride_out_outages`: retry a failed command with backoff (about 2 s in all) instead of failing at
    once: what the batch queue and the response cache want. The rate limiter wants the opposite (an
    unreachable store lets the request through at once), so it passes False and a short `timeout_s`.
    """
    options: dict[str, Any] = {}
    if ride_out_outages:
        options.update(
            retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=6),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=30,
        )
    if timeout_s is not None:
        options.update(socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    return aioredis.Redis.from_url(url, **options)
