"""A typed Python client for internal apps: `Client` (sync) and `AsyncClient`, on httpx.

    from summarizer.client import Client

    with Client("http://summarizer.internal:8000", api_key="...") as summarizer:
        answer = summarizer.summarize(text, title="Talks in Belarus")  # a SummaryResponse
    for quote in answer.summary.quotes:
        print(quote.speaker, text[quote.start : quote.end])

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

Not reaching the service at all is httpx's own error (`httpx.TransportError`, whose
`httpx.TimeoutException` covers the client's timeouts): the service said nothing, so nothing in
its tree fits. The default read timeout outlasts the service's own deadline (600 s by default).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypedDict, Unpack

import httpx

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
from summarizer.llm.retry import retry_after_from_headers
from summarizer.schemas import SummaryResponse

__all__ = ["DEFAULT_TIMEOUT", "AsyncClient", "Client", "Part", "SummarizeOptions", "error_from_response"]

DEFAULT_TIMEOUT = httpx.Timeout(630.0, connect=5.0)
SUMMARIES = "/v1/summaries"
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})


STREAM_HEADERS = {"Accept": "text/event-stream, application/problem+json"}


@dataclass(frozen=True)
class Part:
    """One event of a streamed summary: its name, its JSON data, and for `summary` the parsed answer."""

    event: str
    data: dict[str, Any]
    response: SummaryResponse | None = None


class _Events:
    """Server-sent events, a line at a time: a `Part` at each blank line; a `problem` raised as its error."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.event, self.data = "", list[str]()

    def feed(self, line: str) -> Part | None:
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
            return Part(event, data, SummaryResponse.model_validate(data) if event == "summary" else None)
        return None


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Accept": "application/json, application/problem+json"} | (
        {"Authorization": f"Bearer {api_key}"} if api_key else {}
    )


class SummarizeOptions(TypedDict, total=False):
    """What `summarize` may send besides the text: the article's metadata and the prompt (`id@version`)."""

    title: str
    url: str
    published_at: datetime
    prompt: str
    require_complete: bool


def _summarize_body(text: str, options: SummarizeOptions) -> dict[str, Any]:
    article: dict[str, Any] = {"text": text, "title": options.get("title"), "url": options.get("url")}
    if (published_at := options.get("published_at")) is not None:
        article["published_at"] = published_at.isoformat()
    body: dict[str, Any] = {"article": {k: v for k, v in article.items() if v is not None}}
    body |= {k: v for k, v in options.items() if k in ("prompt", "require_complete")}
    return body


def _summary(response: httpx.Response) -> SummaryResponse:
    if response.status_code != 200:
        raise error_from_response(response)
    return SummaryResponse.model_validate_json(response.content)


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
    """The error for a problem body (a response's, or a stream's `problem` event) with its status."""
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


class Client:
    """Summaries from a summarizer service, synchronously. One httpx connection pool; close it (or use `with`)."""

    def __init__(
        self, base_url: str, *, api_key: str | None = None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT
    ) -> None:
        self._http = httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout)

    def summarize(self, text: str, **options: Unpack[SummarizeOptions]) -> SummaryResponse:
        """The grounded summary of `text`; raises the error of the tree the service answered with."""
        return _summary(self._http.post(SUMMARIES, json=_summarize_body(text, options)))

    def stream(self, text: str, **options: Unpack[SummarizeOptions]) -> Iterator[Part]:
        """The summary of `text` part by part as the service grounds them, the whole answer last."""
        body = _summarize_body(text, options)
        with self._http.stream("POST", SUMMARIES, json=body, headers=STREAM_HEADERS) as response:
            if response.status_code != 200:
                response.read()
                raise error_from_response(response)
            events = _Events(response)
            for line in response.iter_lines():
                if (part := events.feed(line)) is not None:
                    yield part

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

    async def summarize(self, text: str, **options: Unpack[SummarizeOptions]) -> SummaryResponse:
        """The grounded summary of `text`; raises the error of the tree the service answered with."""
        return _summary(await self._http.post(SUMMARIES, json=_summarize_body(text, options)))

    async def stream(self, text: str, **options: Unpack[SummarizeOptions]) -> AsyncIterator[Part]:
        """The same as `Client.stream`: `async for part in client.stream(text)`."""
        body = _summarize_body(text, options)
        async with self._http.stream("POST", SUMMARIES, json=body, headers=STREAM_HEADERS) as response:
            if response.status_code != 200:
                await response.aread()
                raise error_from_response(response)
            events = _Events(response)
            async for line in response.aiter_lines():
                if (part := events.feed(line)) is not None:
                    yield part

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
