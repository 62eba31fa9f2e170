"""The LLM client: one AsyncOpenAI connection, instructor for structured output, tenacity for transport.

Layering, from the wire up:
    AsyncOpenAI (max_retries=0)  ->  transport loop (summarizer.llm.retry)  ->  instructor re-ask loop
so each re-ask is one logical call whose HTTP attempts are retried on their own, and a transport
failure never restarts the re-ask count. A `CallScope` (one per summary) carries the deadline and
adds up tokens and attempts, failed ones included.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx
import instructor
import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorRetryException,
)
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState

from summarizer.errors import (
    ConfigurationError,
    InvalidModelOutput,
    UpstreamBusy,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from summarizer.llm.breaker import CircuitBreaker
from summarizer.llm.budget import CallScope
from summarizer.llm.retry import failure_kind, is_transient, log_retry, retry_after_seconds, transport_retrying
from summarizer.observe.logs import short
from summarizer.settings import Settings

T = TypeVar("T", bound=BaseModel)

DEFAULT_CONTEXT_TOKENS = 8192  # what the local model runs with; most hosted models have more
_MODES = {"tools": instructor.Mode.TOOLS, "json": instructor.Mode.JSON, "md_json": instructor.Mode.MD_JSON}


@dataclass
class CallContext:
    """What a structured call's validators may read: which task, and which answer of it this is.

    instructor hands it to pydantic as (part of) the validation context; the pipeline subclasses it
    (`DraftContext`) with what its validators check answers against.
    """

    task: str = ""
    answers: int = 0  # answers of this call so far: 1 while the first is validated
    reasks: int = 0  # re-asks allowed; the answer after the last of them is final

    @property
    def attempt(self) -> int:
        return max(self.answers, 1)

    @property
    def is_final_attempt(self) -> bool:
        return self.answers > self.reasks


@dataclass
class _Call:
    budget: CallScope
    context: CallContext


# instructor calls back into `LLMClient._create` with only the request's keyword arguments, so the
# one `extract` a callback belongs to can only be found through a contextvar. Windows of one summary
# run concurrently, each in its own asyncio task with its own copy: set once per `extract`, below.
_current: contextvars.ContextVar[_Call] = contextvars.ContextVar("summarizer_llm_call")


@functools.cache
def _schema_model(model: type[T]) -> type[T]:
    """instructor's wrapper of `model` (its subclass that carries the tool schema), made once per model.

    Given a plain model, instructor builds that subclass with `create_model` on every call, and its
    schema cache is keyed by the class, so a new class each call missed it too: ~10 ms of CPU per
    call, measured under load. Given the wrapper, it uses it as it is; requests are byte-identical.
    """
    return cast(type[T], instructor.openai_schema(model))


def _jinja_literal(text: str) -> str:
    """Make `text` render to itself under Jinja.

    instructor renders every message as a Jinja template whenever a validation context is passed.
    Articles are untrusted: `{{ ... }}` in one must stay text, never be evaluated. Every Jinja
    construct starts with `{`, so emitting that one character through an expression is a complete escape.
    """
    return text.replace("{", "{{ '{' }}")


class LLMClient:
    """Structured calls to any OpenAI-compatible endpoint.

    `base_url` None with a `connect` coroutine: the upstream is opened on first need (`connect()`),
    which is how the embedded model stays unstarted, and undownloaded, for answers made by code
    alone (`summarize-rules`). `http_client` replaces the SDK's own transport (`summarizer.cli.preview`
    records requests with it instead of sending them).
    """

    def __init__(
        self,
        settings: Settings,
        base_url: str | None,
        *,
        connect: Callable[[], Awaitable[str]] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.base_url = base_url
        self._open_upstream = connect
        self._http_client = http_client
        self._openai = None if base_url is None else self._client_for(base_url)
        self._connecting = asyncio.Lock()
        self._structured = instructor.patch(create=self._create, mode=_MODES[settings.llm_mode])
        self.breaker = CircuitBreaker(settings.breaker_threshold, settings.breaker_cooldown_s)
        self._slots = asyncio.Semaphore(settings.max_inflight_upstream)
        self._context_tokens: int | None = None

    def _client_for(self, base_url: str) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            base_url=base_url,
            api_key=self.settings.llm_api_key.get_secret_value(),
            max_retries=0,
            timeout=openai.Timeout(self.settings.llm_timeout_s, connect=self.settings.llm_connect_timeout_s),
            # openai 3 runs on httpx2 and takes an httpx client too (it converts); typed for httpx2 only
            http_client=cast(Any, self._http_client),
        )

    @property
    def connected(self) -> bool:
        """Whether the upstream is open: always for a configured URL; for the embedded model, once started."""
        return self._openai is not None

    async def connect(self) -> openai.AsyncOpenAI:
        """The upstream's SDK client, opening the upstream first (once) if it is not open yet."""
        if self._openai is None:
            async with self._connecting:
                if self._openai is None:
                    if self._open_upstream is None:
                        raise ConfigurationError("no upstream LLM: neither a base URL nor a way to start one")
                    self.base_url = await self._open_upstream()
                    self._openai = self._client_for(self.base_url)
        return self._openai

    async def context_tokens(self) -> int:
        """The model's context window in tokens: set, the local server's, reported by the server, or 8192.

        Asked once per client (a model list call); a server that does not say is not an error.
        """
        if self._context_tokens is None:
            configured = self.settings.llm_context_tokens
            if configured is None and self.settings.uses_local_model:
                configured = self.settings.local_ctx
            self._context_tokens = configured or await self._reported_context() or DEFAULT_CONTEXT_TOKENS
        return self._context_tokens

    async def _reported_context(self) -> int | None:
        """What `/models` says, in the fields vLLM, OpenRouter-style and llama.cpp servers use."""
        try:
            models = await (await self.connect()).models.list(timeout=5.0)
        except openai.OpenAIError:
            return None
        entries = [m.model_dump() for m in models.data]
        entries.sort(key=lambda m: m.get("id") != self.settings.llm_model)  # the configured model first
        for entry in entries:
            for value in (
                entry.get("max_model_len"),
                entry.get("context_length"),
                entry.get("context_window"),
                (entry.get("meta") or {}).get("n_ctx"),  # not n_ctx_train: that is what it was trained on
            ):
                if isinstance(value, int) and value >= 1024:
                    return value
        return None

    async def close(self) -> None:
        if self._openai is not None:
            await self._openai.close()

    async def ping(self) -> bool:
        """True when the upstream answers its model list: what /ready reports.

        An upstream not opened yet (the embedded model of a service whose default prompt calls no
        model) is not started by a probe: nothing has needed it so far.
        """
        if self._openai is None:
            return True
        try:
            await self._openai.models.list(timeout=3.0)
        except openai.OpenAIError:
            return False
        return True

    async def _create(self, **kwargs: Any) -> Any:
        """One logical model call, its transport failures retried; called by instructor per (re-)ask."""
        call = _current.get()
        scope = call.budget
        scope.model_calls += 1
        call.context.answers += 1

        def count_retry(state: RetryCallState) -> None:
            scope.transport_retries += 1
            log_retry(state, task=call.context.task, remaining_s=scope.remaining())

        retrying = transport_retrying(
            retries=self.settings.llm_transport_retries,
            max_wait_s=self.settings.llm_retry_max_wait_s,
            remaining_s=scope.remaining,
            before_retry=count_retry,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    remaining = scope.remaining()
                    if remaining <= 0:
                        raise UpstreamTimeout("deadline exceeded before the upstream answered")
                    async with self._slot(scope):
                        response = await self._call_once(scope, kwargs, self._read_timeout(remaining))
        except Exception:
            if scope.breaker_pending and not scope.breaker_counted:  # one failure per request, not per attempt
                scope.breaker_counted = True
                self.breaker.record_failure()
            raise
        if response.usage is not None:
            scope.usage.add(response.usage.prompt_tokens, response.usage.completion_tokens)
        return response

    def _read_timeout(self, remaining_s: float) -> float:
        """How long one call may wait for its answer: the rest of the deadline on a one-slot upstream.

        llama.cpp's server works on one request at a time and cannot stop a non-streamed one it has
        started: a retry after a read timeout would queue the same prompt behind the first, still
        being written, and wait for both (seen: 7 m 56 s, two attempts, for one summary). Waiting for
        the first is never slower, so there the request deadline is the only limit.
        """
        if self.settings.upstream_one_slot:
            return remaining_s
        return min(self.settings.llm_timeout_s, remaining_s)

    @asynccontextmanager
    async def _slot(self, scope: CallScope) -> AsyncIterator[None]:
        """Hold one of the bounded upstream call slots; 503 when none frees up within the queue timeout."""
        wait_s = min(self.settings.upstream_queue_timeout_s, scope.remaining())
        try:
            async with asyncio.timeout(wait_s):
                await self._slots.acquire()
        except TimeoutError:
            if scope.remaining() <= 0:
                raise UpstreamTimeout("deadline exceeded while waiting for an upstream call slot") from None
            raise UpstreamBusy(
                f"all {self.settings.max_inflight_upstream} upstream call slots stayed busy for {wait_s:.1f}s",
                retry_after_s=1.0,
            ) from None
        try:
            yield
        finally:
            self._slots.release()

    async def _call_once(self, scope: CallScope, kwargs: dict[str, Any], read_timeout_s: float) -> ChatCompletion:
        """One HTTP call through the circuit breaker, its failure (if any) recorded by kind."""
        probe = self.breaker.before_call()
        scope.upstream_calls += 1
        try:
            # A per-call float would replace the client's Timeout wholesale and drop its connect limit.
            timeout = openai.Timeout(read_timeout_s, connect=self.settings.llm_connect_timeout_s)
            response = await (await self.connect()).chat.completions.create(**kwargs, timeout=timeout)
        except asyncio.CancelledError:  # the deadline or the client gave up: no verdict on the upstream
            if probe:
                self.breaker.release()
            raise
        except Exception as exc:
            scope.failures.append(failure_kind(exc))
            if is_transient(exc):
                self._attempt_failed(scope, probe)
            else:
                self.breaker.record_success()  # it answered; the request was what it refused
            raise
        if not isinstance(response, ChatCompletion):  # e.g. a proxy's HTML page served with 200
            scope.failures.append("non_json_body")
            self._attempt_failed(scope, probe)
            raise UpstreamError(f"upstream answered 200 with a non-JSON body ({type(response).__name__})")
        scope.breaker_pending = False
        self.breaker.record_success()
        return response

    def _attempt_failed(self, scope: CallScope, probe: bool) -> None:
        """A failed probe re-opens the circuit at once; any other failed attempt counts only if its call gives up."""
        if probe:
            scope.breaker_counted = True
            self.breaker.record_failure()
        else:
            scope.breaker_pending = True

    async def extract(
        self,
        response_model: type[T],
        messages: list[dict[str, str]],
        context: CallContext,
        *,
        budget: CallScope,
        task: str = "",
        max_tokens: int | None = None,
    ) -> T:
        """Fill `response_model`, re-asking (at most `llm_reasks` times) while its validators reject the output.

        `context` reaches the validators (as `info.context["call"]`); they read `is_final_attempt`
        there, so the last attempt can keep a partial answer instead of failing the whole call.
        `budget` is the summary's: its deadline bounds this call, and its counts include this call's.
        """
        scope = budget
        scope.tasks += 1
        label = task or response_model.__name__
        reasks = self.settings.llm_reasks
        context.task, context.answers, context.reasks = label, 0, reasks
        _current.set(_Call(budget, context))  # this task's own copy: see `_current`
        safe_messages = [{**m, "content": _jinja_literal(m["content"])} for m in messages]
        try:
            async with asyncio.timeout(max(scope.remaining(), 0.001)):
                result: T = await self._structured(
                    response_model=_schema_model(response_model),
                    messages=safe_messages,
                    context={"call": context},
                    max_retries=reasks,
                    model=self.settings.llm_model,
                    temperature=self.settings.llm_temperature,
                    max_tokens=max_tokens or self.settings.llm_max_tokens,
                )
                return result
        except TimeoutError as exc:
            raise self._failure(
                scope, UpstreamTimeout, "the request deadline passed before the model answered"
            ) from exc
        except InstructorRetryException as exc:
            if isinstance(exc.__cause__, (openai.OpenAIError, UpstreamError)):
                raise self._transport_failure(scope, exc.__cause__) from exc
            failures = attempt_failures(label, exc)
            first = failures[-1] if failures else {"field": "", "message": _first_line(exc), "value": ""}
            raise self._failure(
                scope,
                InvalidModelOutput,
                f"{label}: model output still invalid after {exc.n_attempts} answers "
                f"({scope.upstream_calls} upstream attempts in all); last: {_describe(first)}",
                failures=failures,
            ) from exc
        except IncompleteOutputException as exc:
            raise self._failure(
                scope,
                InvalidModelOutput,
                f"{label}: model output was cut off at max_tokens (finish_reason=length) "
                f"after {scope.upstream_calls} upstream attempts",
                failures=[{"task": label, "attempt": 1, "field": "", "message": "cut off at max_tokens", "value": ""}],
            ) from exc
        except (openai.OpenAIError, UpstreamError) as exc:
            raise self._transport_failure(scope, exc) from exc

    def _transport_failure(self, scope: CallScope, exc: BaseException) -> UpstreamError:
        """Map what the transport loop finally gave up on to our error tree."""
        if isinstance(exc, UpstreamUnavailable):
            return self._failure(scope, type(exc), exc.detail, retry_after_s=exc.retry_after_s)
        if isinstance(exc, UpstreamError):
            return self._failure(scope, type(exc), exc.detail)
        if isinstance(exc, openai.APIStatusError):
            if is_transient(exc):
                return self._failure(
                    scope,
                    UpstreamUnavailable,
                    f"upstream answered {exc.status_code} after {scope.upstream_calls} attempts",
                    retry_after_s=retry_after_seconds(exc) or 5.0,
                )
            return self._failure(scope, UpstreamError, f"upstream rejected the request with {exc.status_code}")
        if isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError)):
            return self._failure(
                scope, UpstreamUnavailable, f"upstream unreachable: {type(exc).__name__}", retry_after_s=5.0
            )
        return self._failure(scope, InvalidModelOutput, f"upstream answer unusable: {_first_line(exc)}")

    @staticmethod
    def _failure(scope: CallScope, kind: type[UpstreamError], detail: str, **extra: Any) -> UpstreamError:
        return kind(detail, usage=scope.usage, attempts=scope.upstream_calls, **extra)


def attempt_failures(task: str, exc: InstructorRetryException) -> list[dict[str, Any]]:
    """Per failed attempt: the field path, the validator's message and the offending value (truncated)."""
    found: list[dict[str, Any]] = []
    for attempt in getattr(exc, "failed_attempts", None) or []:
        error = attempt.exception
        details = error.errors(include_url=False) if isinstance(error, ValidationError) else []
        if not details:
            found.append(
                {
                    "task": task,
                    "attempt": attempt.attempt_number,
                    "field": "",
                    "message": _first_line(error),
                    "value": "",
                }
            )
        for detail in details[:3]:
            found.append(
                {
                    "task": task,
                    "attempt": attempt.attempt_number,
                    "field": ".".join(str(p) for p in detail.get("loc", ())),
                    "message": short(str(detail.get("msg", "")), 300),
                    "value": short(detail.get("input", ""), 120),
                }
            )
    return found


def _describe(failure: dict[str, Any]) -> str:
    where = f"{failure['field']}: " if failure.get("field") else ""
    value = f" (value {failure['value']!r})" if failure.get("value") else ""
    return f"{where}{failure['message']}{value}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
