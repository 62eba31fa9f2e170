"""Routes: summarize, health, readiness, metrics."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from summarizer.api.guards import JSON, accepts
from summarizer.errors import UpstreamUnavailable
from summarizer.metrics import CONTENT_TYPE, Metrics
from summarizer.service import ArticleIn, Summarizer, SummaryResponse


class SummarizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: ArticleIn
    prompt: str | None = Field(default=None, description="Prompt as `id` (latest) or `id@version`.")


class SummaryController(Controller):
    path = "/v1"
    tags = ["summaries"]  # noqa: RUF012

    @post(
        "/summaries",
        status_code=200,
        guards=[accepts(JSON)],
        summary="Summarize an article",
        description="Returns a grounded summary. Errors are RFC 9457 problem details: 422 bad input, "
        "413 too large, 502 invalid model output, 503 upstream unavailable, 504 deadline exceeded.",
    )
    async def summarize(self, data: JSONBody[SummarizeRequest], state: State) -> SummaryResponse:
        summarizer: Summarizer = state.summarizer
        return await summarizer.summarize(data.article, data.prompt)


@get("/health", tags=["ops"], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/metrics", tags=["ops"], summary="Prometheus metrics", include_in_schema=False)
async def metrics_endpoint(state: State) -> Response[bytes]:
    metrics: Metrics = state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE)


@get("/ready", tags=["ops"], summary="Readiness: the upstream LLM answers")
async def ready(state: State) -> dict[str, Any]:
    summarizer: Summarizer = state.summarizer
    summarizer.llm.breaker.check()  # an open circuit refuses every summary: not ready, whatever a ping says
    if not await summarizer.llm.ping():
        raise UpstreamUnavailable("upstream LLM not reachable", retry_after_s=5.0)
    return {"status": "ready", "model": summarizer.settings.llm_model}  # the upstream URL may carry credentials
