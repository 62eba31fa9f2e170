"""The transport retry policy on its own: what is transient, how long to wait."""

from __future__ import annotations

import httpx2
import openai
import pytest
from tenacity import RetryCallState

from summarizer.llm.retry import WaitRetryAfter, is_transient, retry_after_seconds


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx2.Request("POST", "http://upstream/v1/chat/completions")
    response = httpx2.Response(code, headers=headers or {}, request=request)
    return openai.APIStatusError("scripted", response=response, body=None)


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (404, False),
        (422, False),
    ],
)
def test_transient_statuses(code: int, transient: bool) -> None:
    assert is_transient(status_error(code)) is transient


def test_connection_errors_are_transient_and_others_are_not() -> None:
    request = httpx2.Request("POST", "http://upstream")
    assert is_transient(openai.APIConnectionError(request=request))
    assert is_transient(openai.APITimeoutError(request=request))
    assert not is_transient(ValueError("bad json"))


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(status_error(429, headers)) == seconds


def test_wait_honours_retry_after_but_caps_it() -> None:
    wait = WaitRetryAfter(max_wait_s=5.0)

    def state_for(exc: BaseException, attempt: int = 1) -> RetryCallState:
        state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
        state.attempt_number = attempt
        state.set_exception((type(exc), exc, None))
        return state

    assert wait(state_for(status_error(429, {"retry-after": "2"}))) == 2.0
    assert wait(state_for(status_error(429, {"retry-after": "60"}))) == 5.0
    jittered = [wait(state_for(status_error(503), attempt=3)) for _ in range(50)]
    assert all(0 <= w <= 5.0 for w in jittered) and len(set(jittered)) > 1
