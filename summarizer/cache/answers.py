"""Answers kept by their fingerprint, identical requests run once, and idempotent retries.

`ResponseCache.answer` is the cache step of the use-case (`Summarizer.answer`): the API, the CLI
and batch jobs all go through it, so an article answered once is answered from here everywhere.

- **Cache.** The key is the answer's fingerprint (`summarizer.fingerprint`, the function the eval
  cache uses: article, prompt hash, draft schemas, strategy, code version, model and model file,
  sampling, upstream, NLP pipeline), plus the article's title, URL and date, which the prompt
  renders too. Only complete answers are stored: an error never is, and neither is a partial answer
  (`meta.incomplete` non-empty), so a retry may get the complete one once the upstream recovers.
- **Coalescing.** Identical requests in flight at once share one run: the first starts it as a task,
  the others await the same task (shielded, so one caller hanging up does not cancel the others').
  This is per process; replicas sharing a Redis store each run once at most and then share the
  stored answer (no cross-replica lock: a duplicate run there costs calls, never a wrong answer).
- **Idempotency.** An `Idempotency-Key` is scoped to the caller's client id (the API key's
  non-secret id, or its address without keys). The first answer under a key is kept, partial or not:
  the same key with the same body gets that answer again without a run; with another body, an
  `IdempotencyKeyReused` (422). Errors are not kept, so a failed request may be retried under its key.
- **Failures.** A cache store that does not answer (Redis down, disk full) is a miss and a warning
  in the log, never a failed summary. Idempotency keys are not so forgiving: without their store
  the promise cannot be kept, so that request fails (500) rather than risk a second run.

Stores are Litestar's (`summarizer.cache.stores`): a bounded in-memory LRU, a `FileStore`, or a
`RedisStore` (on `SUMMARIZER_REDIS_URL`, or the embedded valkey) shared by every replica.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from litestar.stores.base import Store
from pydantic import BaseModel, ValidationError
from redis.exceptions import RedisError

from summarizer.errors import IdempotencyKeyReused
from summarizer.fingerprint import AnswerSpec, answer_spec, model_file_sha256
from summarizer.pipeline.parts import PartSink
from summarizer.prompts import Prompt
from summarizer.schemas import ArticleIn, SummaryResponse
from summarizer.settings import Settings


class CacheOutcome(Enum):
    """How an answer was obtained, as RFC 9211 `Cache-Status` says it."""

    HIT = "hit"
    STORED = "fwd=miss; stored"
    REFRESHED = "fwd=request; stored"  # `Cache-Control: no-cache`: forwarded on the client's word
    NOT_STORED = "fwd=miss"  # a partial answer: returned, not kept
    NOT_STORED_REFRESH = "fwd=request"
    COLLAPSED = "fwd=miss; collapsed"  # joined a run another identical request started
    IDEMPOTENT = "hit; detail=idempotency-key"

    @property
    def cached(self) -> bool:
        """True when this request did not cause a model run of its own."""
        return self in (CacheOutcome.HIT, CacheOutcome.COLLAPSED, CacheOutcome.IDEMPOTENT)


log = logging.getLogger("summarizer.cache")
CACHE_NAME = "summarizer"
REPLAYED_HEADER = "Idempotent-Replayed"  # on a batch submission answered from its Idempotency-Key
NAMESPACE = "summarizer-responses"  # the Redis key prefix, beside the queue's and the rate limits' keys


def cache_status(outcome: CacheOutcome) -> str:
    return f"{CACHE_NAME}; {outcome.value}"


@dataclass(frozen=True)
class Answer:
    response: SummaryResponse
    outcome: CacheOutcome


class _Kept(BaseModel):
    """What an idempotency key keeps: the request body's hash and the answer it got (JSON)."""

    body_sha256: str
    payload: str


class IdempotencyKeys:
    """`Idempotency-Key`s per caller: the first answer under a key, replayed for the same body.

    Used by `POST /v1/summaries` and `POST /v1/batches`; the key is stored hashed with the caller's
    client id, so two API keys never share one. Requests with the same key at the same time in this
    process share one run (the second waits, then replays or is refused).
    """

    def __init__(self, store: Store, ttl_s: int) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self._inflight: dict[str, asyncio.Task[str]] = {}

    async def once(self, caller: str, key: str, body: str, run: Callable[[], Awaitable[str]]) -> tuple[str, bool]:
        """`(payload, replayed)`: the kept payload for the same body, else `run()`'s, kept for the TTL.

        Raises `IdempotencyKeyReused` when the key was used with another body; keeps nothing when `run` fails.
        """
        body_sha256 = hashlib.sha256(body.encode()).hexdigest()
        scope = "idem:" + hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()
        kept = await self._kept(scope)
        if kept is None and (running := self._inflight.get(scope)) is not None:
            await asyncio.shield(running)  # the same key is running now: wait for its answer
            kept = await self._kept(scope)
        if kept is not None:
            if kept.body_sha256 != body_sha256:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used with a different request body; use a new key",
                    idempotency_key=key,
                )
            return kept.payload, True

        async def keep() -> str:
            payload = await run()
            await self.store.set(scope, _Kept(body_sha256=body_sha256, payload=payload).model_dump_json(), self.ttl_s)
            return payload

        return await _once(self._inflight, scope, keep), False

    async def _kept(self, scope: str) -> _Kept | None:
        raw = await self.store.get(scope)
        if raw is None:
            return None
        try:
            return _Kept.model_validate_json(raw)
        except ValidationError:  # written by another version: as if never kept
            return None


Make = Callable[[PartSink | None], Awaitable[SummaryResponse]]
"""A run of the pipeline for one request: what the cache calls on a miss (with the request's part sink)."""


class ResponseCache:
    """The response cache, the in-flight map and idempotency keys, in front of a run of the pipeline."""

    def __init__(self, settings: Settings, store: Store | None, keys: IdempotencyKeys) -> None:
        self.settings = settings
        self.store = store
        self.keys = keys
        self._specs: dict[str, AnswerSpec] = {}
        self._model_file: tuple[str | None] | None = None
        self._inflight: dict[str, asyncio.Task[SummaryResponse]] = {}

    async def answer(
        self,
        article: ArticleIn,
        prompt: Prompt,
        make: Make,
        *,
        require_complete: bool = False,
        refresh: bool = False,
        caller: str = "",
        idempotency_key: str | None = None,
        on_part: PartSink | None = None,
    ) -> Answer:
        """The answer and how it was got; `refresh` (`Cache-Control: no-cache`) skips the stored one.

        `on_part` gets the parts of a run this request starts (`make`); a kept answer or a run
        joined in flight gives none: the caller has the whole answer when this returns.
        """
        if idempotency_key is None:
            return await self._cached(article, prompt, make, require_complete, refresh, on_part)
        body = json.dumps(
            [article.model_dump(mode="json"), prompt.ref, require_complete], sort_keys=True, separators=(",", ":")
        )
        ran: list[Answer] = []

        async def run() -> str:
            answer = await self._cached(article, prompt, make, require_complete, refresh, on_part)
            ran.append(answer)
            return answer.response.model_dump_json()

        payload, replayed = await self.keys.once(caller, idempotency_key, body, run)
        if ran:
            return ran[0]
        response = _marked(SummaryResponse.model_validate_json(payload))
        return Answer(response, CacheOutcome.IDEMPOTENT if replayed else CacheOutcome.COLLAPSED)

    async def _cached(
        self,
        article: ArticleIn,
        prompt: Prompt,
        make: Make,
        require_complete: bool,
        refresh: bool,
        on_part: PartSink | None = None,
    ) -> Answer:
        if self.store is None:
            return Answer(await make(on_part), CacheOutcome.NOT_STORED)
        key = "summary:" + await self.key(article, prompt)
        if not refresh and (found := await self._stored(key)) is not None:
            return Answer(_marked(found), CacheOutcome.HIT)
        ran: list[CacheOutcome] = []

        async def run() -> SummaryResponse:
            response = await make(on_part)
            complete = not response.meta.incomplete
            stored = complete and await self._store(key, response)
            ran.append(_fresh(refresh, stored))
            return response

        if refresh:  # the caller asked for a new run: it starts one, never joins an older one
            return Answer(await run(), ran[0])
        response = await _once(self._inflight, f"{key}:{require_complete}", run)
        return Answer(response, ran[0]) if ran else Answer(_marked(response), CacheOutcome.COLLAPSED)

    async def _store(self, key: str, response: SummaryResponse) -> bool:
        """Keep a complete answer; a store that does not answer costs the cache, never the summary."""
        assert self.store is not None
        try:
            await self.store.set(key, response.model_dump_json(), expires_in=self.settings.response_cache_ttl_s)
        except (RedisError, OSError) as exc:
            log.warning("response cache: not stored: %s", exc)
            return False
        return True

    async def _stored(self, key: str) -> SummaryResponse | None:
        assert self.store is not None
        try:
            raw = await self.store.get(key)
        except (RedisError, OSError) as exc:  # a miss: the summary is still made
            log.warning("response cache: not read: %s", exc)
            return None
        if raw is None:
            return None
        try:
            return SummaryResponse.model_validate_json(raw)
        except ValidationError:  # the response shape changed since: a miss, not an error
            return None

    async def key(self, article: ArticleIn, prompt: Prompt) -> str:
        """The fingerprint of the answer to `article`, with the article fields besides its text."""
        spec = self._specs.get(prompt.hash)
        if spec is None:
            if self._model_file is None:  # hashing a custom model file reads it once: off the loop
                self._model_file = (await asyncio.to_thread(model_file_sha256, self.settings),)
            spec = await asyncio.to_thread(answer_spec, self.settings, prompt, self._model_file[0])
            self._specs[prompt.hash] = spec
        fingerprint = spec.fingerprint(article.text).key
        others = article.model_dump(mode="json", exclude={"text"})
        return hashlib.sha256(f"{fingerprint}\n{json.dumps(others, sort_keys=True)}".encode()).hexdigest()


T = TypeVar("T")


async def _once(inflight: dict[str, asyncio.Task[T]], key: str, run: Callable[[], Awaitable[T]]) -> T:
    """`run()` once for every caller with `key` at the same time; each awaits it shielded."""
    task = inflight.get(key)
    if task is None:
        task = asyncio.create_task(_call(run))
        inflight[key] = task

        def forget(done: asyncio.Task[T]) -> None:
            if inflight.get(key) is done:
                del inflight[key]
            if not done.cancelled():
                done.exception()  # retrieved: every caller may have gone before it failed

        task.add_done_callback(forget)
    return await asyncio.shield(task)


async def _call(run: Callable[[], Awaitable[T]]) -> T:
    return await run()


def _fresh(refresh: bool, stored: bool) -> CacheOutcome:
    if refresh:
        return CacheOutcome.REFRESHED if stored else CacheOutcome.NOT_STORED_REFRESH
    return CacheOutcome.STORED if stored else CacheOutcome.NOT_STORED


def _marked(response: SummaryResponse) -> SummaryResponse:
    return response.model_copy(update={"meta": response.meta.model_copy(update={"cached": True})})
