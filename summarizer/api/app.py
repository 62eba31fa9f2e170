"""`create_app(settings)`: the one place routes, lifespan, OpenAPI and error handling are wired.

With `SUMMARIZER_LAB_IN_SERVE` the prompt lab (`summarizer.lab`) is mounted at `/lab`, behind the same keys.
"""

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
from summarizer.cache.ratelimit import store_for
from summarizer.cache.stores import open_store
from summarizer.errors import ConfigurationError, PromptNotFound
from summarizer.jobs.batches import open_batches, open_queue_connection
from summarizer.observe.metrics import Metrics
from summarizer.pipeline.strategies import STRATEGIES
from summarizer.prompts import Prompt, PromptLibrary
from summarizer.runtime import open_upstream
from summarizer.service import Summarizer, build_summarizer
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

    lab = _MountedLab(settings, metrics) if settings.lab_in_serve else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # An exit stack closes whatever was opened, in reverse, even when start-up fails half-way
        # or one of the closes raises.
        async with AsyncExitStack() as stack:
            stack.push_async_callback(rate_limits.close)
            # The local model is forked here, on the loop thread, which lives as long as the service.
            upstream = await stack.enter_async_context(open_upstream(settings, eager=start_model))
            queue = await stack.enter_async_context(open_queue_connection(settings))
            # With `redis` and no URL, the response cache lives in the queue's embedded valkey.
            store = await stack.enter_async_context(open_store(settings, queue.redis))
            nlp = await stack.enter_async_context(
                open_nlp_passes(
                    settings.nlp_workers,
                    settings.nlp_pipeline,
                    settings.nlp_cache_entries,
                    warm=_default_needs_nlp(settings, prompts),
                )
            )
            app.state.summarizer = build_summarizer(settings, upstream.llm, prompts, metrics, store, nlp)
            app.state.metrics = metrics
            app.state.batches = await stack.enter_async_context(open_batches(settings, queue, app.state.summarizer))
            if lab is not None:
                lab.service = app.state.summarizer
                stack.push_async_callback(lab.lab.close)  # before the upstream closes: no run may outlive it
            yield

    return Litestar(
        route_handlers=[
            *([lab.router] if lab is not None else []),
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
        logging_config=None,  # logging is ours (summarizer.observe.logs): Litestar's would replace the JSON handler
        request_max_body_size=settings.max_article_chars * 4 + 65_536,
        openapi_config=openapi_config(),
    )


class _MountedLab:
    """The prompt lab at `/lab`, answering through the service's own upstream (its breaker and call slots)."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        from summarizer.lab.routes import lab_router  # the evals' weight only when the lab is mounted
        from summarizer.lab.runs import Lab

        self.settings, self.metrics = settings, metrics
        self.service: Summarizer | None = None  # set by the lifespan, once the upstream is open
        self.lab = Lab.build(settings, self.summarizer_for)
        self.router = lab_router(lambda: self.lab)

    async def summarizer_for(self, prompt: Prompt) -> Summarizer:
        assert self.service is not None, "the lab runs inside the app's lifespan"
        return build_summarizer(self.settings, self.service.llm, PromptLibrary([prompt]), self.metrics)
