"""`POST /v1/summaries` with `Accept: text/event-stream`: the summary as server-sent events, part by part.

Events, each `data:` a JSON object: `entities` (headline, summary, parties), `locations`, `quotes`,
`outcomes`, `claims` (`contested_claims`), each once and as soon as the strategy has it final and
guarded (`summarizer.pipeline.parts`), then `summary` (the body the JSON answer would have), or
`problem` (the RFC 9457 body of the error the JSON answer would have been, its status inside) instead.
While nothing is ready (a model call takes minutes on the local model) a `: keep-alive` comment goes
out every `stream_keepalive_s`, so no proxy between here and the caller takes the stream for dead.

An error before the run starts (bad input, unknown prompt, a reused Idempotency-Key) is the plain
problem response, as without the stream: the response starts only once the run has. The run is a
task of its own (`Summarizer.start`): a client that hangs up does not cancel it, so its answer
is still stored for the next identical request. A kept answer, an idempotent replay or a run joined
in flight is streamed as its four parts and `summary` at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.response import ServerSentEvent, ServerSentEventMessage

from summarizer.api.problems import problem_response_body
from summarizer.cache.answers import Answer, CacheOutcome, cache_status
from summarizer.pipeline.parts import PARTS, payload
from summarizer.service import Summarizer

log = logging.getLogger("summarizer.api")
EVENT_STREAM = "text/event-stream"


def wants_stream(accept: str | None) -> bool:
    """`Accept: text/event-stream` (alone or preferred to JSON by order): the caller reads a stream."""
    types = [part.partition(";")[0].strip().lower() for part in (accept or "").split(",")]
    return EVENT_STREAM in types and (
        "application/json" not in types or types.index(EVENT_STREAM) < types.index("application/json")
    )


class _Queued:
    """A part sink that never blocks the run: events wait here for the response to send them."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def started(self) -> None:
        self.events.put_nowait(("started", None))

    async def part(self, name: str, payload: dict[str, Any]) -> None:
        self.events.put_nowait(("part", (name, payload)))


def _message(event: str, data: dict[str, Any] | str) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=data if isinstance(data, str) else json.dumps(data))


async def stream_summary(summarizer: Summarizer, instance: str, *, refresh: bool, **request: Any) -> ServerSentEvent:
    """Start the run; once it has started (or already ended well), the stream of its parts.

    Raises the run's error when it fails before starting: the caller answers it as a plain problem.
    """
    sink = _Queued()
    task = summarizer.start(on_part=sink, refresh=refresh, **request)
    task.add_done_callback(lambda finished: sink.events.put_nowait(("done", finished)))
    kind, value = await sink.events.get()
    headers: dict[str, str] = {}
    if kind == "done":
        answer: Answer = value.result()  # an error before anything started: a plain problem response
        if summarizer.cache.store is not None or answer.outcome.cached:
            headers["Cache-Status"] = cache_status(answer.outcome)
    elif summarizer.cache.store is not None:  # a run of its own: whether it is stored is known at its end
        headers["Cache-Status"] = cache_status(CacheOutcome.NOT_STORED_REFRESH if refresh else CacheOutcome.NOT_STORED)
    first = (kind, value)
    keepalive_s = summarizer.settings.stream_keepalive_s
    return ServerSentEvent(_events(sink, first, instance, keepalive_s), headers=headers)


KEEPALIVE = ServerSentEventMessage(data=None, comment="keep-alive")
"""`: keep-alive` and a blank line: a comment, which every SSE client ignores, and bytes on the wire."""


async def _events(
    sink: _Queued, first: tuple[str, Any], instance: str, keepalive_s: float
) -> AsyncIterator[ServerSentEventMessage]:
    sent: set[str] = set()
    kind, value = first
    getter: asyncio.Task[tuple[str, Any]] | None = None  # the next event, waited for across keep-alives
    try:
        while True:
            if kind == "part":
                name, data = value
                sent.add(name)
                yield _message(name, data)
            elif kind == "done":
                try:
                    answer: Answer = value.result()
                except Exception as exc:  # every failure is a problem event, as it would be a problem response
                    _status, body = problem_response_body(exc, instance)
                    yield _message("problem", body)
                    return
                summary = answer.response.summary
                for name in PARTS:
                    if name not in sent:  # a kept or joined answer: its parts at once
                        yield _message(name, payload(name, summary))
                yield _message("summary", answer.response.model_dump_json())
                return
            getter = asyncio.ensure_future(sink.events.get())
            while not (await asyncio.wait({getter}, timeout=keepalive_s))[0]:
                yield KEEPALIVE
            kind, value = getter.result()
            getter = None
    finally:
        if getter is not None:
            getter.cancel()  # the client hung up while we waited: the run goes on without us


@dataclass
class StreamingOperation(Operation):
    """The OpenAPI operation of `POST /v1/summaries`, with its `text/event-stream` answer beside the JSON one."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {
                **(ok.content or {}),
                EVENT_STREAM: OpenAPIMediaType(
                    schema=Schema(
                        type=None,
                        description="Server-sent events (with `Accept: text/event-stream`): " + EVENTS_DOC,
                    )
                ),
            }


EVENTS_DOC = (
    "`entities` (`headline`, `summary`, `parties`), `locations`, `quotes`, `outcomes`, `claims` "
    "(`contested_claims`): each once, as soon as it is final and grounded, in the order the strategy "
    "finishes them (the default prompt sends `locations` and `claims` before its model call); then "
    "`summary` (exactly the JSON answer's body) or, instead, `problem` (the RFC 9457 body the JSON answer "
    "would have been, with its `status`). Every event's `data` is one JSON object. While the run waits, a "
    "`: keep-alive` comment every `SUMMARIZER_STREAM_KEEPALIVE_S` (15 s). An error before the run starts "
    "is the plain problem response. A `problem` after parts means there is no answer: discard them."
)
