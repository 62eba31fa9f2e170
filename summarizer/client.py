"""A typed Python client for internal apps: `Client` (sync) and `AsyncClient`, on httpx.

    from summarizer.client import Client

    with Client("http://summarizer.internal:8000", api_key="...") as summarizer:
        answer = summarizer.summarize(text, title="Talks in Belarus", idempotency_key="article-123")
    for quote in answer.summary.quotes:
        print(quote.speaker, text[quote.start : quote.end])
    answer.headers["Cache-Status"]  # every answer keeps the headers it came with

It imports httpx, pydantic, the error tree and the schemas, nothing else of the package (no
Litestar, spaCy, saq, openai): an app that only calls the service should not pay seconds of
imports for the service's own machinery (a test checks the list).

Every problem the service answers is raised as the class of `summarizer.errors` it stands for,
picked by the slug of its `type` (`.../problems/rate-limited` -> `RateLimited`): the same tree the
service raises inside, so `except UpstreamUnavailable as exc: sleep(exc.retry_after_s)` reads the
same in both. `Retry-After` is kept (`retry_after_s`, or `reset_s` and `limit` on `RateLimited`);
`attempts` and `usage` of upstream failures too; other members of the problem are in `exc.extra`.
An answer that is no problem of ours (a proxy's 502 page) maps by its status alone.

`stream(text)` reads the same answer as server-sent events, part by part as the service grounds
them: `Part("entities" | "locations" | "quotes" | "outcomes" | "claims", data)`, then
`Part("summary", data, response)`; a `problem` event is raised as its error, like a problem response.

    for part in summarizer.stream(text):
        print(part.event, part.response or part.data)

`batches` submits many articles at once and reads their results as they finish:

    batch = summarizer.batches.create([{"id": "a1", "text": text}], idempotency_key="nightly-2026-12-02")
    batch = summarizer.batches.wait(batch.id)            # polls until completed or cancelled
    for item in summarizer.batches.results(batch.id):    # one BatchItem per finished article
        print(item.id, item.response or item.error)

`health()` and `ready()` ask the service's probes (`ready` raises `UpstreamUnavailable` or
`CircuitOpen` when the service cannot summarize now).

Not reaching the service at all is httpx's own error (`httpx.TransportError`, whose
`httpx.TimeoutException` covers the client's timeouts): the service said nothing, so nothing in
its tree fits. The default read timeout outlasts the service's own deadline (600 s by default).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypedDict, Unpack

import httpx
from pydantic import BaseModel, PrivateAttr

from summarizer.errors import (
    PROBLEM_BASE,
    ConfigurationError,
    RateLimited,
    SummarizerError,
    UpstreamError,
    UpstreamUnavailable,
    Usage,
    error_types,
)
from summarizer.schemas import SummaryResponse

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncBatches",
    "AsyncClient",
    "Batch",
    "BatchItem",
    "Batches",
    "Client",
    "Part",
    "SummarizeOptions",
    "SummaryResult",
    "error_from_response",
    "retry_after_from_headers",
]

DEFAULT_TIMEOUT = httpx.Timeout(630.0, connect=5.0)
SUMMARIES = "/v1/summaries"
BATCHES = "/v1/batches"
FINISHED = frozenset({"completed", "cancelled"})  # a batch in one of these changes no more
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})


STREAM_HEADERS = {"Accept": "text/event-stream, application/problem+json"}


class SummaryResult(SummaryResponse):
    """A `SummaryResponse` plus the HTTP headers it came with.

    `headers` (case-insensitive) has what the body does not: `Cache-Status` (hit, stored, or why
    not), `Summary-Incomplete`, `X-Request-ID` (the id the service's log line carries),
    `RateLimit-Remaining`. Kept beside the body, not in it: `model_dump()` is the service's answer.
    """

    _headers: httpx.Headers = PrivateAttr(default_factory=httpx.Headers)

    @property
    def headers(self) -> httpx.Headers:
        return self._headers

    @classmethod
    def of(cls, data: dict[str, Any] | bytes, headers: httpx.Headers) -> SummaryResult:
        result = cls.model_validate_json(data) if isinstance(data, bytes) else cls.model_validate(data)
        result._headers = headers
        return result


@dataclass(frozen=True)
class Part:
    """One event of a streamed summary: its name, its JSON data, and for `summary` the parsed answer."""

    event: str
    data: dict[str, Any]
    response: SummaryResult | None = None


class Batch(BaseModel):
    """A batch as the service reports it; `create` answers with the first three fields only.

    `counts`: `queued`, `running`, `succeeded`, `failed`, `cancelled`. `headers` are the answer's
    (`Location`, and `Idempotent-Replayed: true` when an `Idempotency-Key` gave back an earlier batch).
    """

    id: str
    status: str
    total: int
    counts: dict[str, int] = {}
    prompt: str | None = None
    created_at: str | None = None
    expires_at: str | None = None
    _headers: httpx.Headers = PrivateAttr(default_factory=httpx.Headers)

    @property
    def headers(self) -> httpx.Headers:
        return self._headers

    @property
    def finished(self) -> bool:
        """Completed or cancelled: nothing in it will change any more."""
        return self.status in FINISHED

    @classmethod
    def of(cls, response: httpx.Response) -> Batch:
        if response.status_code not in (200, 202):
            raise error_from_response(response)
        batch = cls.model_validate_json(response.content)
        batch._headers = response.headers
        return batch


@dataclass(frozen=True)
class BatchItem:
    """One finished article of a batch: its summary, or the error its problem stands for (not raised)."""

    id: str
    response: SummaryResponse | None = None
    error: SummarizerError | None = None

    @classmethod
    def from_line(cls, line: str) -> BatchItem:
        data = json.loads(line)
        if "problem" in data:
            problem = data["problem"]
            return cls(data["id"], error=_error(problem, int(problem.get("status", 500)), "", httpx.Headers()))
        answer = SummaryResponse.model_validate({"summary": data["summary"], "meta": data["meta"]})
        return cls(data["id"], response=answer)


class _Events:
    """Server-sent events, a line at a time: a `Part` at each blank line; a `problem` raised as its error."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.event, self.data = "", list[str]()

    def feed(self, line: str) -> Part | None:
        if line.startswith(":"):
            return None  # a comment (a keep-alive): no field, no event
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            self.event = value
        elif field == "data":
            self.data.append(value)
        elif not line and self.data:
            event, data = self.event or "message", json.loads("\n".join(self.data))
            self.event, self.data = "", []
            if event == "problem":
                raise _error(data, int(data.get("status", 500)), "", self.response.headers)
            result = SummaryResult.of(data, self.response.headers) if event == "summary" else None
            return Part(event, data, result)
        return None


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Accept": "application/json, application/problem+json"} | (
        {"Authorization": f"Bearer {api_key}"} if api_key else {}
    )


def _idempotency(key: str | None) -> dict[str, str]:
    return {} if key is None else {"Idempotency-Key": key}


class SummarizeOptions(TypedDict, total=False):
    """What `summarize` may send besides the text: the article's metadata, the prompt (`id@version`), and
    an `idempotency_key` (the same key and body again get the first answer, without a new run)."""

    title: str
    url: str
    published_at: datetime
    prompt: str
    require_complete: bool
    idempotency_key: str


def _article(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An article as JSON: `published_at` as ISO 8601, absent fields left out."""
    article = {k: v for k, v in fields.items() if v is not None}
    if isinstance(published_at := article.get("published_at"), datetime):
        article["published_at"] = published_at.isoformat()
    return article


def _summarize_request(text: str, options: SummarizeOptions) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and the extra headers of one summary request."""
    article = _article({"text": text, **{k: options.get(k) for k in ("title", "url", "published_at")}})
    body: dict[str, Any] = {"article": article}
    body |= {k: v for k, v in options.items() if k in ("prompt", "require_complete")}
    return body, _idempotency(options.get("idempotency_key"))


def _batch_request(
    articles: Iterable[Mapping[str, Any]], prompt: str | None, idempotency_key: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    body: dict[str, Any] = {"articles": [_article(a) for a in articles]}
    if prompt is not None:
        body["prompt"] = prompt
    return body, _idempotency(idempotency_key)


def _summary(response: httpx.Response) -> SummaryResult:
    if response.status_code != 200:
        raise error_from_response(response)
    return SummaryResult.of(response.content, response.headers)


def _probe(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise error_from_response(response)
    answer: dict[str, Any] = response.json()
    return answer


def retry_after_from_headers(headers: Mapping[str, str]) -> float | None:
    """`retry-after-ms` or `Retry-After` (seconds or an HTTP date) as seconds; None when absent or unreadable.

    Shared with the service's transport retry loop (`summarizer.llm.retry`), which reads the same
    headers from the upstream; it lives here because the client may import nothing heavier.
    """
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # unparseable: fall back to our own backoff
    return max(0.0, parsed.timestamp() - time.time())


def _class_for(slug: str | None, status: int) -> type[SummarizerError]:
    types = {s: cls for s, cls in error_types().items() if not issubclass(cls, ConfigurationError)}
    if slug in types:
        return types[slug]
    # error_types() walks the tree breadth-first, so the most general class of a status comes first
    return next((cls for cls in types.values() if cls.status_code == status), SummarizerError)


def error_from_response(response: httpx.Response) -> SummarizerError:
    """The error of the tree an answer of the service stands for (a problem, or any other non-2xx)."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    return _error(
        problem if isinstance(problem, dict) else {}, response.status_code, response.reason_phrase, response.headers
    )


def _error(problem: dict[str, Any], status: int, reason: str, headers: httpx.Headers) -> SummarizerError:
    """The error for a problem body (a response's, a stream's `problem` event, a batch result's) with its status."""
    kind = str(problem.get("type", ""))
    cls = _class_for(kind.removeprefix(PROBLEM_BASE) if kind.startswith(PROBLEM_BASE) else None, status)
    detail = str(problem.get("detail") or f"{status} {reason}")
    extra = {k: v for k, v in problem.items() if k not in _STANDARD_MEMBERS}
    retry_after = retry_after_from_headers(headers)
    if retry_after is None and isinstance(problem.get("retry_after_s"), int | float):
        retry_after = float(problem["retry_after_s"])  # a stream's problem event has no headers of its own
    error: SummarizerError
    if issubclass(cls, RateLimited):
        limit = headers.get("ratelimit-limit", "0")
        error = cls(detail, limit=int(limit) if limit.isdigit() else 0, reset_s=retry_after or 0.0)
    elif issubclass(cls, UpstreamError):
        usage = extra.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        kwargs: dict[str, Any] = {
            "usage": Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
            "attempts": int(extra.get("attempts", 0)),
        }
        if issubclass(cls, UpstreamUnavailable):
            kwargs["retry_after_s"] = retry_after
        error = cls(detail, **kwargs)
    else:
        error = cls(detail)
    if cls is SummarizerError and status != cls.status_code:
        error.status_code = status  # an answer outside the tree keeps its own status
    error.extra = extra
    return error


class Batches:
    """`Client.batches`: submit, watch, read and cancel batches (see `POST /v1/batches` in the docs)."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def create(
        self,
        articles: Iterable[Mapping[str, Any]],
        *,
        prompt: str | None = None,
        idempotency_key: str | None = None,
    ) -> Batch:
        """Queue `articles` (each `{"id", "text", "title"?, "url"?, "published_at"?}`); 202: its id and status.

        Nothing is queued when one article is invalid (the 422 names it) or there are too many (413).
        """
        body, headers = _batch_request(articles, prompt, idempotency_key)
        return Batch.of(self._http.post(BATCHES + "/", json=body, headers=headers))

    def get(self, batch_id: str) -> Batch:
        """Its status and counts now."""
        return Batch.of(self._http.get(f"{BATCHES}/{batch_id}"))

    def wait(self, batch_id: str, *, poll_s: float = 2.0, timeout_s: float | None = None) -> Batch:
        """`get` every `poll_s` seconds until the batch is finished; `TimeoutError` after `timeout_s`."""
        give_up = None if timeout_s is None else time.monotonic() + timeout_s
        while not (batch := self.get(batch_id)).finished:
            if give_up is not None and time.monotonic() + poll_s > give_up:
                raise TimeoutError(f"batch {batch_id} still {batch.status} after {timeout_s} s")
            time.sleep(poll_s)
        return batch

    def results(self, batch_id: str) -> Iterator[BatchItem]:
        """The finished articles so far, in submission order, read as the service streams them."""
        with self._http.stream("GET", f"{BATCHES}/{batch_id}/results") as response:
            if response.status_code != 200:
                response.read()
                raise error_from_response(response)
            for line in response.iter_lines():
                if line.strip():
                    yield BatchItem.from_line(line)

    def cancel(self, batch_id: str) -> Batch:
        """Cancel every article not started yet; those running finish."""
        return Batch.of(self._http.delete(f"{BATCHES}/{batch_id}"))


class AsyncBatches:
    """`AsyncClient.batches`: the same as `Batches`, awaited (`results` with `async for`)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def create(
        self,
        articles: Iterable[Mapping[str, Any]],
        *,
        prompt: str | None = None,
        idempotency_key: str | None = None,
    ) -> Batch:
        body, headers = _batch_request(articles, prompt, idempotency_key)
        return Batch.of(await self._http.post(BATCHES + "/", json=body, headers=headers))

    async def get(self, batch_id: str) -> Batch:
        return Batch.of(await self._http.get(f"{BATCHES}/{batch_id}"))

    async def wait(self, batch_id: str, *, poll_s: float = 2.0, timeout_s: float | None = None) -> Batch:
        give_up = None if timeout_s is None else time.monotonic() + timeout_s
        while not (batch := await self.get(batch_id)).finished:
            if give_up is not None and time.monotonic() + poll_s > give_up:
                raise TimeoutError(f"batch {batch_id} still {batch.status} after {timeout_s} s")
            await asyncio.sleep(poll_s)
        return batch

    async def results(self, batch_id: str) -> AsyncIterator[BatchItem]:
        async with self._http.stream("GET", f"{BATCHES}/{batch_id}/results") as response:
            if response.status_code != 200:
                await response.aread()
                raise error_from_response(response)
            async for line in response.aiter_lines():
                if line.strip():
                    yield BatchItem.from_line(line)

    async def cancel(self, batch_id: str) -> Batch:
        return Batch.of(await self._http.delete(f"{BATCHES}/{batch_id}"))


class Client:
    """Summaries from a summarizer service, synchronously. One httpx connection pool; close it (or use `with`)."""

    def __init__(
        self, base_url: str, *, api_key: str | None = None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    ) -> None:
        self._http = httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout)
        self.batches = Batches(self._http)

    def summarize(self, text: str, **options: Unpack[SummarizeOptions]) -> SummaryResult:
        """The grounded summary of `text`; raises the error of the tree the service answered with."""
        body, headers = _summarize_request(text, options)
        return _summary(self._http.post(SUMMARIES, json=body, headers=headers))

    def stream(self, text: str, **options: Unpack[SummarizeOptions]) -> Iterator[Part]:
        """The summary of `text` part by part as the service grounds them, the whole answer last."""
        body, headers = _summarize_request(text, options)
        with self._http.stream("POST", SUMMARIES, json=body, headers=STREAM_HEADERS | headers) as response:
            if response.status_code != 200:
                response.read()
                raise error_from_response(response)
            events = _Events(response)
            for line in response.iter_lines():
                if (part := events.feed(line)) is not None:
                    yield part

    def health(self) -> dict[str, Any]:
        """`GET /health`: the process answers (`{"status": "ok"}`)."""
        return _probe(self._http.get("/health"))

    def ready(self) -> dict[str, Any]:
        """`GET /ready`: the upstream answers and the circuit is closed; else raises the 503's error."""
        return _probe(self._http.get("/ready"))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient:
    """The same as `Client`, for asyncio: `async with AsyncClient(...)`, `await summarize(...)`."""

    def __init__(
        self, base_url: str, *, api_key: str | None = None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, headers=_headers(api_key), timeout=timeout)
        self.batches = AsyncBatches(self._http)

    async def summarize(self, text: str, **options: Unpack[SummarizeOptions]) -> SummaryResult:
        """The grounded summary of `text`; raises the error of the tree the service answered with."""
        body, headers = _summarize_request(text, options)
        return _summary(await self._http.post(SUMMARIES, json=body, headers=headers))

    async def stream(self, text: str, **options: Unpack[SummarizeOptions]) -> AsyncIterator[Part]:
        """The same as `Client.stream`: `async for part in client.stream(text)`."""
        body, headers = _summarize_request(text, options)
        async with self._http.stream("POST", SUMMARIES, json=body, headers=STREAM_HEADERS | headers) as response:
            if response.status_code != 200:
                await response.aread()
                raise error_from_response(response)
            events = _Events(response)
            async for line in response.aiter_lines():
                if (part := events.feed(line)) is not None:
                    yield part

    async def health(self) -> dict[str, Any]:
        return _probe(await self._http.get("/health"))

    async def ready(self) -> dict[str, Any]:
        return _probe(await self._http.get("/ready"))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
