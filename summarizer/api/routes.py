"""Routes: summarize, health, readiness, metrics."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from summarizer.metrics import CONTENT_TYPE, Metrics
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


class SummaryController(Controller):
    path = "/v1"
    tags = ["summaries"]  # noqa: RUF012

    @post(
        "/summaries",
        status_code=200,
        summary="Summarize an article",
        description="Returns a grounded summary. A field group whose model call failed is listed in "
        "`meta.incomplete` (and the `Summary-Incomplete` header) with the rest still returned, unless "
        "`require_complete` is set. Errors are RFC 9457 problem details: 422 bad input, 413 too large, "
        "502 invalid model output, 503 upstream unavailable, 504 deadline exceeded.",
    )
    async def summarize(self, data: JSONBody[SummarizeRequest], state: State) -> Response[SummaryResponse]:
        summarizer: Summarizer = state.summarizer
        result = await summarizer.summarize(data.article, data.prompt, require_complete=data.require_complete)
        fields = list(dict.fromkeys(item.field for item in result.meta.incomplete))
        return Response(result, headers={INCOMPLETE_HEADER: ", ".join(fields)} if fields else None)


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
    if not await summarizer.llm.ping():
        raise HTTPException(status_code=503, detail="upstream LLM not reachable", headers={"Retry-After": "5"})
    return {"status": "ready", "model": summarizer.settings.llm_model}  # the upstream URL may carry credentials
