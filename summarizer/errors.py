"""The one exception tree of the summarizer, and its mapping to RFC 9457 problem details.

    SummarizerError                      anything this package raises on purpose
    ├── ConfigurationError               the service was set up wrong (fails at start-up)
    │   └── LocalModelError              the embedded model could not be fetched, verified or started
    ├── InputError                 422   the request is malformed or the article unusable
    │   ├── MalformedRequest       400   the body is not valid UTF-8 or not JSON
    │   ├── ArticleTooLarge        413   over the configured character or token budget
    │   ├── BatchTooLarge          413   a batch with more articles than the configured maximum
    │   ├── RequestTooLarge        413   the HTTP body is over the service's body limit
    │   ├── UnsupportedMediaType   415   the body is not in a media type the route accepts
    │   ├── IdempotencyKeyReused   422   an Idempotency-Key sent again with a different body
    │   └── PromptNotFound         422   the request names a prompt id@version that does not exist
    ├── NotFound                   404   no such route (or no such resource for this key)
    │   └── BatchNotFound          404   no such batch for this caller (another key's batch looks the same)
    ├── MethodNotAllowed           405   the route exists, the method does not
    ├── Unauthorized               401   API keys are configured and the request has no valid one
    ├── QueueUnavailable           503   the batch queue (Redis/Valkey) cannot be reached (Retry-After)
    ├── BatchItemCancelled         409   (per article) the batch was cancelled before this article started
    ├── BatchItemLost              503   (per article) its workers died on every attempt (SIGKILL, crash)
    ├── RateLimited                429   this key (or client) used up its requests for the window
    ├── PromptRenderError                a template needs a variable that was not supplied (a bug, 500)
    └── UpstreamError                    the LLM could not produce a valid answer
        ├── UpstreamUnavailable    503   connection refused, 5xx or 429 after retries (Retry-After)
        │   ├── CircuitOpen        503   failing fast: the upstream failed N times in a row
        │   └── UpstreamBusy       503   no free upstream call slot within the queue timeout
        ├── UpstreamTimeout        504   the overall deadline passed
        └── InvalidModelOutput     502   output still invalid after every re-ask

`problem_for(exc)` is the single place where these become HTTP status codes; `error_types()` lists
every class by its problem slug (the docs serve a page per slug, the client maps slugs back).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self

PROBLEM_BASE = "https://summarizer.dev/problems/"


class SummarizerError(Exception):
    """Base of every error this package raises on purpose."""

    status_code = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ConfigurationError(SummarizerError):
    """The service was configured wrong; raised at start-up, shown as one line."""

    slug = "configuration"
    title = "Service misconfigured"


class LocalModelError(ConfigurationError):
    """The embedded local model could not be fetched, verified or started."""

    status_code = 503
    slug = "local-model"
    title = "Local model unavailable"


class InputError(SummarizerError):
    """The request or the article in it cannot be summarized as sent."""

    status_code = 422
    slug = "invalid-input"
    title = "Invalid input"

    @classmethod
    def at(cls, loc: Sequence[str | int], msg: str, **extra: Any) -> Self:
        """One bad field, in the shape of every 422: `errors: [{"loc", "msg"}]`, detail `<loc>: <msg>`."""
        return cls.of([{"loc": list(loc), "msg": msg}], **extra)

    @classmethod
    def of(cls, errors: list[dict[str, Any]], **extra: Any) -> Self:
        """Bad fields as pydantic reports them: `loc`, the path in the request body, and `msg`.

        Summaries and batches answer the same mistake with the same members (an article's `loc`
        starts `["article", ...]` in a summary, `["articles", <index>, ...]` in a batch).
        """
        where = ".".join(str(part) for part in errors[0]["loc"])
        return cls(f"{where}: {errors[0]['msg']}" if where else str(errors[0]["msg"]), errors=errors, **extra)


class ArticleTooLarge(InputError):
    """The article is over the configured character or token budget."""

    status_code = 413
    slug = "article-too-large"
    title = "Article too large"


class BatchTooLarge(InputError):
    """The batch has more articles than `SUMMARIZER_BATCH_MAX_ARTICLES`; nothing was queued."""

    status_code = 413
    slug = "batch-too-large"
    title = "Batch too large"


class MalformedRequest(InputError):
    """The body could not be read at all: not valid UTF-8, or not JSON."""

    status_code = 400
    slug = "malformed-request"
    title = "Bad Request"


class RequestTooLarge(InputError):
    """The HTTP body is over the service's body limit (which follows the article limit); refused unread."""

    status_code = 413
    slug = "request-too-large"
    title = "Request Entity Too Large"


class UnsupportedMediaType(InputError):
    """The body's Content-Type is not one the route accepts (`application/json` for summaries)."""

    status_code = 415
    slug = "unsupported-media-type"
    title = "Unsupported Media Type"


class IdempotencyKeyReused(InputError):
    """The `Idempotency-Key` was already used by this API key with a different request body."""

    slug = "idempotency-key-reused"
    title = "Idempotency key reused"


class PromptNotFound(InputError):
    """The prompt id or version named in the request does not exist."""

    slug = "prompt-not-found"
    title = "Prompt not found"


class NotFound(SummarizerError):
    """No route at this path, or no resource with this id that the caller's key may see."""

    status_code = 404
    slug = "not-found"
    title = "Not Found"


class MethodNotAllowed(SummarizerError):
    """The path exists but does not answer this HTTP method (the `Allow` header lists those it does)."""

    status_code = 405
    slug = "method-not-allowed"
    title = "Method Not Allowed"


class Unauthorized(SummarizerError):
    """API keys are configured and the request carried none, or a wrong one."""

    status_code = 401
    slug = "unauthorized"
    title = "Unauthorized"


class BatchNotFound(NotFound):
    """No batch with this id belongs to the caller: unknown, expired, or another key's."""

    status_code = 404
    slug = "batch-not-found"
    title = "Batch not found"


class QueueUnavailable(SummarizerError):
    """The Redis/Valkey server behind the batch queue did not answer."""

    status_code = 503
    slug = "queue-unavailable"
    title = "Batch queue unavailable"


class BatchItemCancelled(SummarizerError):
    """One article's outcome: its batch was cancelled before the article started."""

    status_code = 409
    slug = "batch-item-cancelled"
    title = "Cancelled before it started"


class BatchItemLost(SummarizerError):
    """One article's outcome: every worker that took it died before writing a result."""

    status_code = 503
    slug = "batch-item-lost"
    title = "Article abandoned by its workers"


class RateLimited(SummarizerError):
    """The caller used up its requests for the current window."""

    status_code = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, limit: int, reset_s: float) -> None:
        super().__init__(detail)
        self.limit = limit
        self.reset_s = reset_s


class PromptRenderError(SummarizerError):
    """A template referenced a variable the caller did not supply."""

    slug = "prompt-render"
    title = "Prompt template error"


class UpstreamError(SummarizerError):
    """The upstream LLM failed to produce a valid answer."""

    status_code = 502
    slug = "upstream"
    title = "Upstream error"

    def __init__(self, detail: str, *, usage: Usage | None = None, attempts: int = 0, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.usage = usage or Usage()
        self.attempts = attempts


class UpstreamUnavailable(UpstreamError):
    """The upstream refused, failed or rate-limited us beyond the retry budget."""

    status_code = 503
    slug = "upstream-unavailable"
    title = "Upstream LLM unavailable"

    def __init__(self, detail: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.retry_after_s = retry_after_s


class CircuitOpen(UpstreamUnavailable):
    """The upstream failed too often in a row; calls are refused until a probe succeeds."""

    slug = "circuit-open"
    title = "Upstream LLM failing; not calling it for now"


class UpstreamBusy(UpstreamUnavailable):
    """Every upstream call slot stayed taken for the whole queue timeout."""

    slug = "upstream-busy"
    title = "Too many upstream calls in flight"


class UpstreamTimeout(UpstreamError):
    """The overall per-request deadline passed before a valid answer arrived."""

    status_code = 504
    slug = "deadline-exceeded"
    title = "Deadline exceeded"


class InvalidModelOutput(UpstreamError):
    """The model's output was still unparseable or ungrounded after every re-ask."""

    status_code = 502
    slug = "invalid-model-output"
    title = "Invalid model output"


def error_types() -> dict[str, type[SummarizerError]]:
    """Every class of the tree by its problem slug, the base (`internal`) included.

    Walked from the tree itself, so a new error class gets its documentation page and its client
    mapping without a second list to keep in step.
    """
    found: dict[str, type[SummarizerError]] = {}
    pending: list[type[SummarizerError]] = [SummarizerError]
    while pending:
        cls = pending.pop(0)
        found.setdefault(cls.slug, cls)
        pending.extend(cls.__subclasses__())
    return found


@dataclass
class Usage:
    """Tokens spent, summed over every attempt (failed ones included)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens


@dataclass
class Problem:
    """An RFC 9457 problem-details body plus the headers that go with it."""

    status: int
    type: str
    title: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail, **self.extra}


def problem_for(exc: SummarizerError) -> Problem:
    """Map any error of the tree to its problem details: the one place statuses are decided."""
    extra: dict[str, Any] = {k: v for k, v in exc.extra.items() if v is not None}
    headers: dict[str, str] = {}
    if exc.status_code == 422 and isinstance(exc, InputError):
        extra.setdefault("errors", [{"loc": [], "msg": exc.detail}])  # every 422 has the same members
    if isinstance(exc, UpstreamError):
        extra["attempts"] = exc.attempts
        extra["usage"] = {"prompt_tokens": exc.usage.prompt_tokens, "completion_tokens": exc.usage.completion_tokens}
    if isinstance(exc, UpstreamUnavailable) and exc.retry_after_s is not None:
        seconds = max(1, round(exc.retry_after_s))
        headers["Retry-After"] = str(seconds)
        extra["retry_after_s"] = seconds
    if isinstance(exc, RateLimited):
        reset = max(1, math.ceil(exc.reset_s))
        headers["Retry-After"] = headers["RateLimit-Reset"] = str(reset)
        headers["RateLimit-Limit"] = str(exc.limit)
        headers["RateLimit-Remaining"] = "0"
        extra["retry_after_s"] = reset
    if isinstance(exc, QueueUnavailable):
        headers["Retry-After"] = "5"
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="summarizer"'
    return Problem(
        status=exc.status_code,
        type=PROBLEM_BASE + exc.slug,
        title=exc.title,
        detail=exc.detail,
        extra=extra,
        headers=headers,
    )
