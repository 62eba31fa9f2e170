"""`create_app(settings)`: the one place routes, lifespan, OpenAPI and error handling are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from litestar import Litestar

from summarizer.api.batches import batch_controller
from summarizer.api.contract import openapi_config
from summarizer.api.docs import problem_index, problem_page, root
from summarizer.api.observability import ObservabilityMiddleware
from summarizer.api.problems import EXCEPTION_HANDLERS
from summarizer.api.prompts import list_prompts
from summarizer.api.routes import SummaryController, health, metrics_endpoint, ready
from summarizer.api.security import ApiKeys, SecurityMiddleware
from summarizer.errors import ConfigurationError, PromptNotFound
from summarizer.jobs.runtime import open_batches
from summarizer.metrics import Metrics
from summarizer.prompts import PromptLibrary
from summarizer.ratelimit import store_for
from summarizer.response_cache import BoundedMemoryStore, CachedSummaries, IdempotencyKeys, open_store
from summarizer.runtime import open_upstream
from summarizer.service import build_summarizer
from summarizer.settings import Settings


def create_app(settings: Settings) -> Litestar:
    """Build the API. With no upstream configured, the lifespan starts (and stops) the local model."""
    prompts = PromptLibrary.load(settings.prompts_dir)  # bad templates fail at start-up, not per request
    # The default prompt's model is started before the service answers (so /ready means it); with a
    # default that calls no model (summarize-rules), only the first request naming another starts it.
    try:
        start_model = prompts.get(settings.default_prompt).calls_model
    except PromptNotFound as exc:
        raise ConfigurationError(f"SUMMARIZER_DEFAULT_PROMPT: {exc.detail}") from exc
    rate_limits = store_for(settings)
    metrics = Metrics()
    security = SecurityMiddleware(
        ApiKeys(settings.api_keys),
        rate_limits,
        settings.rate_limit_requests,
        settings.rate_limit_window_s,
        settings.auth_failure_limit,
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # An exit stack closes whatever was opened, in reverse, even when start-up fails half-way
        # or one of the closes raises.
        async with AsyncExitStack() as stack:
            stack.push_async_callback(rate_limits.close)
            # The local model is forked here, on the loop thread, which lives as long as the service.
            upstream = await stack.enter_async_context(open_upstream(settings, eager=start_model))
            app.state.summarizer = build_summarizer(settings, upstream.llm, prompts, metrics)
            app.state.metrics = metrics
            app.state.batches = await stack.enter_async_context(open_batches(settings, app.state.summarizer))
            # After the batches: with `redis` and no URL, the cache lives in their embedded valkey.
            store = await stack.enter_async_context(open_store(settings, app.state.batches.store.redis))
            # Idempotency keys live in the cache's store, or in memory with the cache off.
            keys_store = store or BoundedMemoryStore(settings.response_cache_max_entries)
            app.state.idempotency = IdempotencyKeys(keys_store, settings.idempotency_ttl_s)
            app.state.summaries = CachedSummaries(settings, app.state.summarizer, store, app.state.idempotency)
            yield

    return Litestar(
        route_handlers=[
            SummaryController,
            batch_controller(settings),
            health,
            ready,
            metrics_endpoint,
            list_prompts,
            root,
            problem_index,
            problem_page,
        ],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[ObservabilityMiddleware(metrics), security],
        logging_config=None,  # logging is ours (summarizer.logs): Litestar's default would replace the JSON handler
        request_max_body_size=settings.max_article_chars * 4 + 65_536,
        openapi_config=openapi_config(),
    )
