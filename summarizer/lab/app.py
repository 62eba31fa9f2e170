"""`summarizer lab`: the lab on its own server, on the same middleware, keys and problem details as the API.

The upstream (or the local llama.cpp child) is opened the first time an article needs the model, and kept
until the server stops: a lab whose cells are all cached never starts the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from litestar import Litestar, get
from litestar.response import Redirect

from summarizer.api.problems import EXCEPTION_HANDLERS
from summarizer.api.security import ApiKeys, SecurityMiddleware
from summarizer.cache.ratelimit import store_for
from summarizer.lab.routes import PREFIX, lab_router
from summarizer.lab.runs import Lab
from summarizer.prompts import Prompt, PromptLibrary
from summarizer.runtime import Upstream, open_upstream
from summarizer.service import Summarizer, build_summarizer
from summarizer.settings import Settings


class LazyUpstream:
    """The upstream, opened by the first caller that needs it and closed with the server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stack = AsyncExitStack()
        self._upstream: Upstream | None = None
        self._lock = asyncio.Lock()

    async def summarizer_for(self, prompt: Prompt) -> Summarizer:
        async with self._lock:
            if self._upstream is None:
                self._upstream = await self.stack.enter_async_context(open_upstream(self.settings))
        return build_summarizer(self.settings, self._upstream.llm, PromptLibrary([prompt]))

    async def aclose(self) -> None:
        await self.stack.aclose()


@get("/", include_in_schema=False, sync_to_thread=False)
def to_lab() -> Redirect:
    return Redirect(path=PREFIX)


def create_lab_app(
    settings: Settings, *, gold_dirs: list[Path] | None = None, prompts_dir: Path | None = None
) -> Litestar:
    """The lab alone (`summarizer lab`): its page at `/lab`, its API behind the service's API keys."""
    upstream = LazyUpstream(settings)
    lab = Lab.build(settings, upstream.summarizer_for, gold_dirs=gold_dirs, prompts_dir=prompts_dir)
    rate_limits = store_for(settings)
    security = SecurityMiddleware(
        ApiKeys(settings.api_keys), rate_limits, 0, settings.rate_limit_window_s, settings.auth_failure_limit
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(rate_limits.close)
            stack.push_async_callback(upstream.aclose)
            stack.push_async_callback(lab.close)  # runs first: no task may call a closed upstream
            yield

    return Litestar(
        route_handlers=[to_lab, lab_router(lambda: lab)],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[security],
        logging_config=None,
    )
