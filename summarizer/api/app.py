"""`create_app(settings)`: the one place routes, lifespan, OpenAPI and error handling are wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from litestar import Litestar

from summarizer.api.batches import batch_controller
from summarizer.api.contract import openapi_config
from summarizer.api.docs import problem_index, problem_page
from summarizer.api.observability import ObservabilityMiddleware
from summarizer.api.problems import EXCEPTION_HANDLERS
from summarizer.api.ratelimit import store_for
from summarizer.api.routes import SummaryController, health, metrics_endpoint, ready
from summarizer.api.security import ApiKeys, SecurityMiddleware
from summarizer.errors import PromptNotFound
from summarizer.jobs.batches import open_batches
from summarizer.observe.metrics import Metrics
from summarizer.pipeline.strategies import STRATEGIES
from summarizer.prompts import PromptLibrary
from summarizer.response_cache import BoundedMemoryStore, CachedSummaries, IdempotencyKeys, open_store
from summarizer.runtime import open_upstream
from summarizer.service import build_summarizer
from summarizer.settings import Settings
from summarizer.text.passes import open_nlp_passes


def _default_needs_nlp(settings: Settings, prompts: PromptLibrary) -> bool:
    """Whether the default prompt's strategy reads the NLP pass: then its workers start with the app."""
    try:
        return STRATEGIES[prompts.get(settings.default_prompt).meta.strategy].needs_nlp
    except PromptNotFound:  # answered per request (422), as before
        return False


def create_app(settings: Settings) -> Litestar:
    """Build the API. With no upstream configured, the lifespan starts (and stops) the local model."""
    prompts = PromptLibrary.load(settings.prompts_dir)  # bad templates fail at start-up, not per request
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
            upstream = await stack.enter_async_context(open_upstream(settings))
            nlp = await stack.enter_async_context(
                open_nlp_passes(
                    settings.nlp_workers,
                    settings.nlp_pipeline,
                    settings.nlp_cache_entries,
                    warm=_default_needs_nlp(settings, prompts),
                )
            )
            app.state.summarizer = build_summarizer(settings, upstream.llm, prompts, metrics, nlp)
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
            problem_index,
            problem_page,
        ],
        lifespan=[lifespan],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[ObservabilityMiddleware(metrics), security],
        logging_config=None,  # logging is ours (summarizer.observe.logs): Litestar's would replace the JSON handler
        request_max_body_size=settings.max_article_chars * 4 + 65_536,
        openapi_config=openapi_config(),
    )
