"""The one transport retry loop: which upstream failures are worth another try, and how long to wait.

The openai SDK's own retries are switched off (`max_retries=0`) and instructor only re-asks on
parse/validation errors, so this loop is the only place a failed HTTP call is repeated. It waits
with jittered exponential backoff, honours `Retry-After` / `retry-after-ms`, and never sleeps past
the request's deadline.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping

import openai
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
log = logging.getLogger("summarizer.llm")


def is_transient(exc: BaseException) -> bool:
    """Timeouts, dropped connections and the statuses that mean 'try again later'."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return False


def failure_kind(exc: BaseException) -> str:
    """A short label for a failed upstream call, for logs and metrics: `http_503`, `timeout`, ..."""
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    if isinstance(exc, openai.APITimeoutError):  # a subclass of APIConnectionError: test it first
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    return type(exc).__name__


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The wait an upstream asked for, from `retry-after-ms` or `Retry-After` (seconds or HTTP date)."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    return None if headers is None else retry_after_from_headers(headers)


def retry_after_from_headers(headers: Mapping[str, str]) -> float | None:
    """`retry-after-ms` or `Retry-After` (seconds or an HTTP date) as seconds; None when absent or unreadable.

    Shared with `summarizer.client`, which reads the same headers from this service's answers.
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


def log_retry(state: RetryCallState, *, task: str, remaining_s: float) -> None:
    """One log line per retry, written when the retry is decided (before its wait), not with the summary.

    A slow upstream otherwise looks like a silent hang: the summary's own line comes only at its end.
    """
    exc = state.outcome.exception() if state.outcome else None
    reason = failure_kind(exc) if exc is not None else "unknown"
    wait_s = round(state.upcoming_sleep, 3)
    log.warning(
        "upstream call %d failed (%s); retrying in %.2f s",
        state.attempt_number,
        reason,
        wait_s,
        extra={
            "event": "upstream_retry",
            "task": task,
            "attempt": state.attempt_number,
            "reason": reason,
            "wait_s": wait_s,
            "remaining_s": round(remaining_s, 1),
        },
    )


class WaitRetryAfter:
    """Wait what the upstream asked for (capped), else jittered exponential backoff."""

    def __init__(self, max_wait_s: float, initial_s: float = 0.5) -> None:
        self.max_wait_s = max_wait_s
        self._fallback = wait_random_exponential(multiplier=initial_s, max=max_wait_s)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None:
            return min(asked, self.max_wait_s)
        return float(self._fallback(state))


def transport_retrying(
    *,
    retries: int,
    max_wait_s: float,
    remaining_s: Callable[[], float],
    before_retry: Callable[[RetryCallState], None] | None = None,
) -> AsyncRetrying:
    """A tenacity loop for one upstream call; it gives up early rather than sleep past the deadline."""
    wait = WaitRetryAfter(max_wait_s)

    class OutOfTime(stop_base):
        def __call__(self, state: RetryCallState) -> bool:
            # tenacity computes the wait before asking stop: use that very value, jitter included.
            return state.upcoming_sleep >= remaining_s()

    return AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(retries + 1) | OutOfTime(),
        wait=wait,
        before_sleep=before_retry,
        reraise=True,
    )
