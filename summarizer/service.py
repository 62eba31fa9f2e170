"""The summarize use-case, in order: check the input -> the response cache -> the strategy (under
one deadline) -> the guard -> the response.

The HTTP API, the CLI, batch jobs and the eval runner all call `Summarizer.answer` (or `summarize`,
its response alone); none of them knows how a summary is made or kept.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from summarizer.cache.answers import Answer, IdempotencyKeys, ResponseCache
from summarizer.cache.stores import memory_store
from summarizer.errors import (
    ArticleTooLarge,
    InputError,
    InvalidModelOutput,
    SummarizerError,
    UpstreamError,
    Usage,
    problem_for,
)
from summarizer.llm.budget import CallScope
from summarizer.llm.client import LLMClient
from summarizer.observe.logs import NOBODY, Caller
from summarizer.observe.metrics import Metrics
from summarizer.pipeline.guard import drop_ungrounded, leaked_instructions
from summarizer.pipeline.ledger import Ledger
from summarizer.pipeline.parts import GroundedParts, PartSink
from summarizer.pipeline.run import Run
from summarizer.pipeline.strategies import STRATEGIES
from summarizer.prompts import TASK_VARIABLES, Prompt, PromptLibrary
from summarizer.schemas import (
    SCHEMA_VERSION,
    ArticleIn,
    PromptInfo,
    SummaryMeta,
    SummaryResponse,
    UsageInfo,
)
from summarizer.settings import Settings

if TYPE_CHECKING:
    from litestar.stores.base import Store
from summarizer.text.article import Article
from summarizer.text.passes import NlpPasses
from summarizer.text.windows import Window, plan

__all__ = ["ArticleIn", "Summarizer", "SummaryMeta", "SummaryResponse"]  # the shapes live in schemas

log = logging.getLogger("summarizer.service")


# C0 controls other than tab, newline and carriage return, DEL, and lone UTF-16 surrogates: never
# part of an article, often a sign of binary data or of an attempt to confuse the prompt.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_controls(field: str, text: str) -> None:
    if (found := _CONTROL.search(text)) is not None:
        char = found.group()
        what = "NUL bytes" if char == "\x00" else f"control character U+{ord(char):04X}"
        raise InputError.at(("article", field), f"contains {what} (at index {found.start()})", index=found.start())


# What one call needs besides the article: instructions, the draft's JSON schema (measured ~600
# tokens for the entities task) and room to spare. English news runs ~4 characters per token.
PROMPT_OVERHEAD_TOKENS = 1024
CHARS_PER_TOKEN = 4


def _check_text(text: str, settings: Settings) -> None:
    if not text.strip():
        raise InputError.at(("article", "text"), "article text is empty or only whitespace")
    _check_controls("text", text)
    if len(text) > settings.max_article_chars:
        raise ArticleTooLarge(
            f"article has {len(text)} characters; the limit is {settings.max_article_chars}",
            limit=settings.max_article_chars,
        )


def one_call_chars(settings: Settings, context_tokens: int) -> int:
    """Most article characters that fit one call beside the prompt and the completion."""
    tokens = context_tokens - settings.llm_max_tokens - PROMPT_OVERHEAD_TOKENS
    return max(tokens, 256) * CHARS_PER_TOKEN


class Summarizer:
    """Summaries of articles, grounded in their text."""

    def __init__(
        self,
        settings: Settings,
        llm: LLMClient,
        prompts: PromptLibrary,
        metrics: Metrics | None = None,
        cache: ResponseCache | None = None,
        nlp: NlpPasses | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm
        self.prompts = prompts
        self.metrics = metrics
        self.nlp = nlp or NlpPasses()  # without the app's worker pool: passes in a thread, still once per article
        self.cache = cache or ResponseCache(
            settings, None, IdempotencyKeys(memory_store(settings), settings.idempotency_ttl_s)
        )
        self._started: set[asyncio.Task[Answer]] = set()

    async def answer(
        self,
        article: ArticleIn,
        prompt_ref: str | None = None,
        *,
        require_complete: bool = False,
        refresh: bool = False,
        caller: Caller = NOBODY,
        idempotency_key: str | None = None,
        on_part: PartSink | None = None,
    ) -> Answer:
        """A grounded summary and how it was got (made now, kept, or joined); see `summarize`.

        `refresh` skips a kept answer (`Cache-Control: no-cache`); `idempotency_key` (scoped to the
        caller's client id) gets the first answer under that key again. A kept or joined answer
        gives `on_part` nothing: the caller has the whole answer when this returns.
        """
        started = time.monotonic()
        try:
            prompt, variables = self._prepare(article, prompt_ref)  # looked up once, for the cache and the run
        except BaseException as exc:
            self._report(None, CallScope.starting_now(0), Ledger(), exc, started, caller)
            raise

        async def make(sink: PartSink | None) -> SummaryResponse:
            return await self._make(article, prompt, variables, require_complete, sink, caller)

        return await self.cache.answer(
            article,
            prompt,
            make,
            require_complete=require_complete,
            refresh=refresh,
            caller=caller.client_id or "",
            idempotency_key=idempotency_key,
            on_part=on_part,
        )

    async def summarize(
        self,
        article: ArticleIn,
        prompt_ref: str | None = None,
        *,
        require_complete: bool = False,
        refresh: bool = False,
        on_part: PartSink | None = None,
    ) -> SummaryResponse:
        """A grounded summary; with `require_complete`, an error instead of one with failed field groups.

        By default a field group whose model call failed leaves its fields empty and is listed in
        `meta.incomplete`: the groups that worked are never thrown away with it (nor kept in the cache).

        `on_part` (a streamed answer) is told once the input is accepted (an error before that is the
        caller's to answer as a plain error), then gets every part of `summarizer.pipeline.parts.PARTS`
        exactly once, each as soon as the strategy has it final and guarded, all before this returns.
        """
        answer = await self.answer(
            article, prompt_ref, require_complete=require_complete, refresh=refresh, on_part=on_part
        )
        return answer.response

    def start(self, article: ArticleIn, prompt_ref: str | None, **options: Any) -> asyncio.Task[Answer]:
        """`answer` as a task of its own that outlives its caller (held here until it ends).

        A streamed answer's client may hang up: its run still finishes, and a complete answer is
        still stored for the next identical request.
        """
        task = asyncio.create_task(self.answer(article, prompt_ref, **options))
        self._started.add(task)

        def done(finished: asyncio.Task[Answer]) -> None:
            self._started.discard(finished)
            if not finished.cancelled():
                finished.exception()  # retrieved: the caller may be gone

        task.add_done_callback(done)
        return task

    async def _make(
        self,
        article: ArticleIn,
        prompt: Prompt,
        variables: dict[str, Any],
        require_complete: bool,
        on_part: PartSink | None,
        caller: Caller,
    ) -> SummaryResponse:
        """The pipeline: the prompt's strategy under the request deadline, then the guard; one log line."""
        started = time.monotonic()
        scope = CallScope.starting_now(self.settings.request_deadline_s)
        error: BaseException | None = None
        ledger = Ledger()
        try:
            if prompt.calls_model and not self.llm.connected:
                await self.llm.connect()  # the embedded model's first start: not on this request's deadline
                started, scope = time.monotonic(), CallScope.starting_now(self.settings.request_deadline_s)
            grounded = Article(article.text)
            run = Run(
                self.llm,
                prompt,
                grounded,
                variables,
                scope,
                ledger,
                nlp_pipeline=self.settings.nlp_pipeline,
                nlp=self.nlp,
                windows=await self._windows(prompt, article.text),  # a 413 here is before any part is sent
                window_concurrency=self.settings.window_concurrency or (1 if self.settings.uses_local_model else 4),
            )
            parts = None if on_part is None else GroundedParts(on_part, grounded, _instructions(prompt))
            if parts is not None:
                run.on_part = parts.emit
                await parts.sink.started()
            draft = await STRATEGIES[prompt.meta.strategy].run(run)
            if not run.has_answer or (require_complete and ledger.failures):
                raise _unfinished(ledger, scope)
            if leaked := leaked_instructions(draft, _instructions(prompt), grounded):
                raise InvalidModelOutput(
                    f"model output repeats the prompt's instructions in {', '.join(leaked[:3])}",
                    usage=scope.usage,
                    attempts=scope.upstream_calls,
                )
            summary = drop_ungrounded(draft, grounded, ledger)
            if parts is not None:
                await parts.rest(summary)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self._report(prompt, scope, ledger, error, started, caller)
        return SummaryResponse(
            summary=summary,
            meta=SummaryMeta(
                model=self.settings.llm_model if run.answered else None,  # no model wrote any of it
                prompt=PromptInfo(id=prompt.meta.id, version=prompt.meta.version, hash=prompt.hash),
                schema_version=SCHEMA_VERSION,
                usage=_usage(scope.usage),
                attempts=scope.upstream_calls,
                reasks=scope.reasks,
                latency_ms=round((time.monotonic() - started) * 1000),
                incomplete=ledger.incomplete(),
                dropped=ledger.dropped_counts(),
                coerced=ledger.coerced_counts(),
            ),
        )

    def _prepare(self, article: ArticleIn, prompt_ref: str | None) -> tuple[Prompt, dict[str, Any]]:
        """Check the input and pick the prompt: everything that can fail before a model call."""
        _check_text(article.text, self.settings)
        for name, value in (("title", article.title), ("url", article.url)):
            _check_controls(name, value or "")
        prompt = self.prompts.get(prompt_ref or self.settings.default_prompt)
        variables = {
            "article": {
                "text": article.text,
                "title": article.title,
                "url": article.url,
                "published_at": article.published_at.isoformat() if article.published_at else None,
            }
        }
        for task in prompt.meta.tasks:  # fail before any call
            prompt.render(task, **variables, **TASK_VARIABLES)
        return prompt, variables

    async def _windows(self, prompt: Prompt, text: str) -> tuple[Window, ...]:
        """How the model reads the article: windows for the strategies that window, else a length check.

        The context comes from the model (server or setting), so a bigger model reads bigger pieces
        without a configuration change; `window_chars` keeps each piece about one news article.
        """
        if not prompt.calls_model:  # code alone: no context to fit, and no upstream to ask about it
            fits = self.settings.window_chars
        else:
            fits = one_call_chars(self.settings, await self.llm.context_tokens())
        if STRATEGIES[prompt.meta.strategy].reads_in_windows(prompt.meta.tasks):
            size = min(self.settings.window_chars, fits)
            return tuple(plan(text, size, min(self.settings.window_overlap_chars, size // 4)))
        if len(text) > fits:
            raise ArticleTooLarge(
                f"article has {len(text)} characters; prompt {prompt.ref} reads it in one call, and the model's "
                f"context fits about {fits}: use a prompt whose strategy reads long articles in windows "
                f"({', '.join(sorted(s.name for s in STRATEGIES.values() if s.windowed))}), e.g. the default "
                f"{self.settings.default_prompt}",
                limit=fits,
            )
        return ()

    def _report(
        self,
        prompt: Prompt | None,
        scope: CallScope,
        ledger: Ledger,
        error: BaseException | None,
        started: float,
        caller: Caller,
    ) -> None:
        """One log line and the metrics of every summary, whatever its outcome."""
        outcome = _outcome(error)
        if self.metrics is not None:
            self.metrics.observe_summary(scope, outcome)
        status = problem_for(error).status if isinstance(error, SummarizerError) else (500 if error else 200)
        log.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "summary %s",
            outcome,
            extra={
                "event": "summary",
                **caller.log_fields(),
                "outcome": outcome,
                "status": status,
                "error_type": type(error).__name__ if error else None,
                "prompt_id": prompt.meta.id if prompt else None,
                "prompt_version": prompt.meta.version if prompt else None,
                "prompt_hash": prompt.hash if prompt else None,
                "model": self.settings.llm_model,
                "attempts": scope.upstream_calls,
                "retries": scope.transport_retries,
                "reasks": scope.reasks,
                "upstream_failures": scope.failures,
                "prompt_tokens": scope.usage.prompt_tokens,
                "completion_tokens": scope.usage.completion_tokens,
                "latency_ms": round((time.monotonic() - started) * 1000),
                "incomplete": ledger.incomplete_fields,
                "dropped": {c.field: c.count for c in ledger.dropped_counts()},
                "coerced": {c.field: c.count for c in ledger.coerced_counts()},
                "error_detail": error.detail if isinstance(error, SummarizerError) else None,
                "failures": error.extra.get("failures") if isinstance(error, SummarizerError) else None,
            },
        )


_INSTRUCTIONS: dict[str, str] = {}


def _instructions(prompt: Prompt) -> str:
    """Everything a prompt tells the model, rendered without an article: what must never be echoed back."""
    if prompt.hash not in _INSTRUCTIONS:
        empty = {"article": {"text": "", "title": None, "url": None, "published_at": None}, **TASK_VARIABLES}
        rendered = [m["content"] for task in prompt.meta.tasks for m in prompt.render(task, **empty).messages()]
        _INSTRUCTIONS[prompt.hash] = "\n".join(rendered)
    return _INSTRUCTIONS[prompt.hash]


def _unfinished(ledger: Ledger, scope: CallScope) -> UpstreamError:
    """The error for a summary that cannot be given: no call answered, or a group failed and completeness was asked.

    A transport failure is returned as it is (its 503/504 and Retry-After tell the caller to come
    back); otherwise one `InvalidModelOutput` names every group's failure, per attempt.
    """
    errors = [f.error for f in ledger.failures if f.error is not None]
    transport = next((e for e in errors if not isinstance(e, InvalidModelOutput)), None)
    if transport is not None:
        return transport
    failures = [item for f in ledger.failures for item in f.attempts]
    detail = "; ".join(f"{'/'.join(f.fields)}: {f.reason}" for f in ledger.failures)
    return InvalidModelOutput(
        f"model output unusable after {scope.upstream_calls} attempts: {detail}",
        usage=scope.usage,
        attempts=scope.upstream_calls,
        failures=failures,
    )


def _outcome(error: BaseException | None) -> str:
    """`ok`, the problem slug of one of our errors, `cancelled`, or `internal` for a bug."""
    if error is None:
        return "ok"
    if isinstance(error, SummarizerError):
        return error.slug
    return "cancelled" if isinstance(error, asyncio.CancelledError) else "internal"


def _usage(usage: Usage) -> UsageInfo:
    return UsageInfo(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)


def build_summarizer(
    settings: Settings,
    llm: LLMClient,
    prompts: PromptLibrary | None = None,
    metrics: Metrics | None = None,
    store: Store | None = None,
    nlp: NlpPasses | None = None,
) -> Summarizer:
    """The one place a `Summarizer` is put together (app lifespan, CLI, eval runner, workers).

    `store` keeps answers (`cache.stores.open_store`); None: nothing is kept. Idempotency keys live
    in it too, or in memory without one. `nlp` runs the NLP passes (`text.passes.open_nlp_passes`:
    the app's worker pool); None: in a thread, each distinct article still once.
    """
    keys = IdempotencyKeys(store or memory_store(settings), settings.idempotency_ttl_s)
    cache = ResponseCache(settings, store, keys)
    return Summarizer(settings, llm, prompts or PromptLibrary.load(settings.prompts_dir), metrics, cache, nlp)
