"""Batch routes: submit many articles at once, watch them, read their results as JSONL, cancel.

A batch belongs to the caller that created it (its API key, or its address when no keys are
configured); any other caller gets the same 404 as for a batch that never existed.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Stream
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.api.contract import problem_responses
from summarizer.api.guards import accepts
from summarizer.api.security import caller_of
from summarizer.cache.answers import REPLAYED_HEADER, IdempotencyKeys
from summarizer.errors import BatchTooLarge, InputError, MalformedRequest, UnsupportedMediaType
from summarizer.jobs.batches import Batches
from summarizer.jobs.store import BatchInfo
from summarizer.service import ArticleIn, Summarizer
from summarizer.settings import Settings

JSON_TYPES = ("application/json",)
JSONL_TYPES = ("application/jsonl", "application/x-ndjson", "application/x-jsonlines", "application/jsonlines")
JSONL = "application/jsonl"
# Every batch route: who may ask, how often, and whether the queue answered.
COMMON = ("malformed-request", "unauthorized", "rate-limited", "queue-unavailable", "internal")


class BatchArticle(ArticleIn):
    """One article of a batch: an article plus the caller's id for it (unique in the batch)."""

    id: str = Field(min_length=1, max_length=200, description="The caller's id; results carry it back.")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[BatchArticle] = Field(min_length=1)
    prompt: str | None = Field(default=None, description="Prompt as `id` (latest) or `id@version`.")


def _raw_articles(request: Request[Any, Any, Any], body: bytes) -> tuple[list[Any], str | None]:
    """The articles as sent (not yet validated) and the prompt: from a JSON body or JSONL lines."""
    media_type = request.content_type[0].lower()
    if media_type in JSON_TYPES:
        try:
            document = json.loads(body)
        except json.JSONDecodeError as exc:
            raise MalformedRequest(f"request body is not JSON: {exc.msg} (line {exc.lineno})") from exc
        if not isinstance(document, dict) or not isinstance(document.get("articles"), list):
            raise InputError('the body must be {"articles": [{"id": ..., "text": ...}, ...], "prompt"?}')
        return document["articles"], document.get("prompt")
    if media_type in JSONL_TYPES:
        lines = [(n, line) for n, line in enumerate(body.decode("utf-8").splitlines(), start=1) if line.strip()]
        articles = []
        for number, line in lines:
            try:
                articles.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise MalformedRequest(f"line {number} is not JSON: {exc.msg}") from exc
        return articles, request.query_params.get("prompt")
    raise UnsupportedMediaType(f"send application/json or application/jsonl, not {media_type}")  # the guard refused it


def _validated(articles: list[Any], prompt: str | None, limit: int) -> BatchRequest:
    if len(articles) > limit:  # before validating (or queueing) anything
        raise BatchTooLarge(f"batch has {len(articles)} articles; the limit is {limit}", limit=limit)
    try:
        request = BatchRequest.model_validate({"articles": articles, "prompt": prompt})
    except ValidationError as exc:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()[:20]]
        first = errors[0]
        raise InputError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}", errors=errors) from exc
    seen: set[str] = set()
    for number, article in enumerate(request.articles):
        if article.id in seen:
            raise InputError(f"article id {article.id!r} appears twice (articles.{number})", field="id")
        seen.add(article.id)
    return request


def _owner(request: Request[Any, Any, Any]) -> str:
    return caller_of(request).client_id or "anonymous"


def batch_controller(settings: Settings) -> type[Controller]:
    """The routes, with a body limit for batches rather than the one for single articles."""

    class BatchController(Controller):
        path = "/v1/batches"
        tags = ["batches"]  # noqa: RUF012
        request_max_body_size = settings.batch_max_body_mb * 1024 * 1024

        @post(
            "/",
            status_code=202,
            guards=[accepts(*JSON_TYPES, *JSONL_TYPES)],
            summary="Submit a batch of articles",
            description='`application/json` `{"articles": [{"id", "text", ...}], "prompt"?}` or '
            "`application/jsonl` (one article per line; `?prompt=`). 202 with the batch id; 413 over "
            "`SUMMARIZER_BATCH_MAX_ARTICLES`; 422 for an invalid article (nothing is queued). An "
            "`Idempotency-Key` header makes a retry safe: the same key and articles answer with the batch "
            "the first request made (`Idempotent-Replayed: true`); other articles with it are a 422.",
            responses=problem_responses(
                *COMMON,
                "batch-too-large",
                "request-too-large",
                "unsupported-media-type",
                "invalid-input",
                "idempotency-key-reused",
                "prompt-not-found",
            ),
        )
        async def submit(self, request: Request[Any, Any, Any], state: State) -> Response[dict[str, Any]]:
            batches: Batches = state.batches
            summarizer: Summarizer = state.summarizer
            raw, prompt = _raw_articles(request, await request.body())
            batch = _validated(raw, prompt, settings.batch_max_articles)
            if batch.prompt is not None:
                summarizer.prompts.get(batch.prompt)  # an unknown prompt is a 422 now, not N failures later
            articles = [a.model_dump(mode="json", exclude_none=True) for a in batch.articles]
            idempotency: IdempotencyKeys = state.summarizer.cache.keys
            key = request.headers.get("idempotency-key")

            async def submit() -> str:
                return (await batches.submit(_owner(request), articles, batch.prompt)).id

            if key is None:
                batch_id, replayed = await submit(), False
            else:  # the same key and articles again: the batch it made, not a second one
                body = json.dumps([articles, batch.prompt], sort_keys=True, separators=(",", ":"))
                batch_id, replayed = await idempotency.once(_owner(request), key, body, submit)
            info = await batches.get(_owner(request), batch_id)
            headers = {"Location": f"/v1/batches/{info.id}"}
            if replayed:
                headers[REPLAYED_HEADER] = "true"
            return Response(
                {"id": info.id, "status": info.status, "total": info.total}, status_code=202, headers=headers
            )

        @get(
            "/{batch_id:str}",
            summary="A batch's status and counts per state",
            responses=problem_responses(*COMMON, "batch-not-found"),
        )
        async def status(
            self, batch_id: FromPath[str], state: State, request: Request[Any, Any, Any]
        ) -> dict[str, Any]:
            batches: Batches = state.batches
            info: BatchInfo = await batches.get(_owner(request), batch_id)
            return info.public()

        @get(
            "/{batch_id:str}/results",
            summary="Results so far, as JSONL",
            description='One line per finished article, in submission order: `{"id", "summary", "meta"}` or '
            '`{"id", "problem"}` (an RFC 9457 body: any article problem, or `batch-item-cancelled`, '
            "`batch-item-lost`).",
            responses=problem_responses(*COMMON, "batch-not-found"),
        )
        async def results(self, batch_id: FromPath[str], state: State, request: Request[Any, Any, Any]) -> Stream:
            batches: Batches = state.batches
            return Stream(await batches.results(_owner(request), batch_id), media_type=JSONL)

        @delete(
            "/{batch_id:str}",
            status_code=200,
            summary="Cancel what has not started",
            responses=problem_responses(*COMMON, "batch-not-found"),
        )
        async def cancel(
            self, batch_id: FromPath[str], state: State, request: Request[Any, Any, Any]
        ) -> dict[str, Any]:
            batches: Batches = state.batches
            info: BatchInfo = await batches.cancel(_owner(request), batch_id)
            return info.public()

    return BatchController
