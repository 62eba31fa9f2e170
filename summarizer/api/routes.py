"""Routes: summarize, health, readiness, metrics."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter
from pydantic import BaseModel, ConfigDict, Field

from summarizer.api.contract import OPEN, problem_responses, seed_request, seed_response
from summarizer.api.guards import JSON, accepts
from summarizer.api.security import caller_of
from summarizer.api.stream import EVENT_STREAM, EVENTS_DOC, StreamingOperation, stream_summary, wants_stream
from summarizer.cache.answers import cache_status
from summarizer.errors import UpstreamUnavailable
from summarizer.observe.metrics import CONTENT_TYPE, Metrics
from summarizer.service import ArticleIn, Summarizer, SummaryResponse


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: ArticleIn
    prompt: str | None = Field(default=None, description="Prompt as `id` (latest) or `id@version`.")
    require_complete: bool = Field(
        default=False,
        description="When a field group's model call fails, answer 502 instead of a summary whose "
        "`meta.incomplete` lists the empty groups (the default returns what did succeed).",
    )


INCOMPLETE_HEADER = "Summary-Incomplete"
CACHE_STATUS_HEADER = "Cache-Status"


def wants_refresh(cache_control: str | None) -> bool:
    """`Cache-Control: no-cache` (or `no-store`, `max-age=0`): the caller wants a new run, not a kept answer."""
    directives = {part.strip().lower() for part in (cache_control or "").split(",")}
    return bool(directives & {"no-cache", "no-store", "max-age=0"})


class SummaryController(Controller):
    path = "/v1"
    tags = ["summaries"]  # noqa: RUF012

    @post(
        "/summaries",
        status_code=200,
        guards=[accepts(JSON)],
        summary="Summarize an article",
        description="Returns a grounded summary: quotes verbatim with their spans, parties and places with "
        "the spans where the article names them. A field group whose model call failed is listed in "
        "`meta.incomplete` (and the `Summary-Incomplete` header) with the rest still returned, unless "
        "`require_complete` is set. Complete answers are cached by their fingerprint (the `Cache-Status` "
        "header says `hit` or why not, `meta.cached` is true for a kept answer; `Cache-Control: no-cache` "
        "asks for a new run); identical requests in flight share one run. An `Idempotency-Key` replays "
        "the first answer under that key for this API key, and refuses it with another body (422). "
        "Errors are RFC 9457 problem details (below, per status).\n\n"
        f"With `Accept: {EVENT_STREAM}` the answer is streamed as server-sent events: " + EVENTS_DOC,
        operation_class=StreamingOperation,
        responses={
            200: ResponseSpec(
                data_container=SummaryResponse,
                generate_examples=False,
                description="The summary and how it was made. Example: a real run on the seed article. "
                f"As `{EVENT_STREAM}` (asked for with `Accept`): its parts, then this body as the `summary` event.",
                examples=[Example(summary="The seed article, local Qwen2.5-Coder-1.5B", value=seed_response())],
            ),
            **problem_responses(
                "malformed-request",
                "unauthorized",
                "article-too-large",
                "request-too-large",
                "unsupported-media-type",
                "invalid-input",
                "idempotency-key-reused",
                "prompt-not-found",
                "rate-limited",
                "internal",
                "prompt-render",
                "invalid-model-output",
                "upstream",
                "upstream-unavailable",
                "circuit-open",
                "upstream-busy",
                "deadline-exceeded",
            ),
        },
    )
    async def summarize(
        self,
        data: Annotated[
            SummarizeRequest,
            Body(examples=[Example(summary="The seed article (evals/articles)", value=seed_request())]),
        ],
        state: State,
        request: Request[Any, Any, Any],
        cache_control: Annotated[
            str | None,
            HeaderParameter(name="Cache-Control", required=False, description="`no-cache`: skip the cached answer."),
        ] = None,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                required=False,
                max_length=255,
                description="Send the same key again (same API key, same body) to get the first answer again "
                "without a new run; a different body with it is a 422 `idempotency-key-reused`.",
            ),
        ] = None,
    ) -> Response[Any]:
        summarizer: Summarizer = state.summarizer
        options: dict[str, Any] = {
            "require_complete": data.require_complete,
            "refresh": wants_refresh(cache_control),
            "caller": caller_of(request),
            "idempotency_key": idempotency_key,
        }
        if wants_stream(request.headers.get("accept")):
            return await stream_summary(
                summarizer, request.url.path, article=data.article, prompt_ref=data.prompt, **options
            )
        answer = await summarizer.answer(data.article, data.prompt, **options)
        result = answer.response
        headers = {}
        if summarizer.cache.store is not None or answer.outcome.cached:
            headers[CACHE_STATUS_HEADER] = cache_status(answer.outcome)
        fields = list(dict.fromkeys(item.field for item in result.meta.incomplete))
        if fields:
            headers[INCOMPLETE_HEADER] = ", ".join(fields)
        return Response(result, headers=headers or None)


@get("/health", tags=["ops"], summary="Liveness", security=OPEN, responses=problem_responses("internal"))
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/metrics", tags=["ops"], summary="Prometheus metrics", include_in_schema=False)
async def metrics_endpoint(state: State) -> Response[bytes]:
    metrics: Metrics = state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE)


@get(
    "/ready",
    tags=["ops"],
    summary="Readiness: the upstream LLM answers and the circuit is closed",
    security=OPEN,
    responses=problem_responses("internal", "upstream-unavailable", "circuit-open"),
)
async def ready(state: State) -> dict[str, Any]:
    summarizer: Summarizer = state.summarizer
    summarizer.llm.breaker.check()  # an open circuit refuses every summary: not ready, whatever a ping says
    if not await summarizer.llm.ping():
        raise UpstreamUnavailable("upstream LLM not reachable", retry_after_s=5.0)
    return {"status": "ready", "model": summarizer.settings.llm_model}  # the upstream URL may carry credentials
