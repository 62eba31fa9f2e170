"""Where the LLM comes from: the one wiring function the app, the CLI and the eval runner share.

`open_upstream(settings)` yields the upstream base URL and an `LLMClient` on it: the configured URL,
or the embedded llama.cpp child, started (fetching and verifying the model first if needed) and
stopped on exit. `service.build_summarizer` then turns that client into a `Summarizer`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

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
