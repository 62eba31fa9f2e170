"""`POST /v1/summaries` as `text/event-stream` (issue 11): parts as soon as they are grounded.

Served for real (uvicorn on loopback) and read with httpx as a stream, so "as soon as" is seen on
the wire: the scripted upstream holds grouped@4's second call until the test has read `entities`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from bench.serving import serve_in_thread
from bench.upstream import tool_name
from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, Reply, tool_call
from tests.support.scripts import (
    ATTRIBUTIONS,
    ENTITIES,
    EVENTS,
    INVENTED_SPEAKER,
    SPEAKERS_WITH_INVENTED,
    answering,
    seed_text,
)

STREAM = {"Accept": "text/event-stream"}
PARTS = ["entities", "locations", "quotes", "outcomes", "claims"]
INVENTED = INVENTED_SPEAKER
Event = tuple[str, dict[str, Any]]


def body(**extra: Any) -> dict[str, Any]:
    return {"article": {"text": seed_text()}, **extra}


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    with serve_in_thread(create_app(settings)) as url:
        yield url


async def events(response: httpx.Response) -> AsyncIterator[Event]:
    """The server-sent events of `response`, each as it arrives: (event name, parsed JSON data)."""
    name, data = "", []
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))
        elif not line and name:
            yield name, json.loads("\n".join(data))
            name, data = "", []


async def stream(base_url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> list[Event]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        client.stream("POST", "/v1/summaries", json=payload, headers={**STREAM, **(headers or {})}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in events(response)]


def gated(gate: threading.Event, answered: list[str], **answers: dict[str, Any]) -> Callable[[dict[str, Any]], Reply]:
    """grouped@4's answers; the events call (its second) is answered only once `gate` is set."""

    def respond(request: dict[str, Any]) -> Reply:
        name = tool_name(request)
        if name == "EventsExtraction":
            answered.append("released" if gate.wait(10) else "timed out")
        return tool_call(answers[name])

    return respond


def without_latency(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k != "latency_ms"}


async def test_entities_are_sent_before_the_second_call_is_answered(base_url: str, upstream: FakeUpstream) -> None:
    gate, answered = threading.Event(), list[str]()
    upstream._responder = gated(
        gate, answered, EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    seen: list[Event] = []
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        client.stream("POST", "/v1/summaries", json=body(), headers=STREAM) as response,
    ):
        assert response.headers["cache-status"] == "summarizer; fwd=miss"
        async for event in events(response):
            if not seen:
                assert event[0] == "entities"
                assert answered == []  # the events call is not answered yet
                gate.set()
            seen.append(event)
    assert answered == ["released"]
    assert [name for name, _ in seen] == ["entities", "locations", "quotes", "outcomes", "claims", "summary"]
    entities, summary = seen[0][1], seen[-1][1]["summary"]
    assert set(entities) == {"headline", "summary", "parties"}
    assert seen[1][1] == {"locations": summary["locations"]}
    assert entities == {k: summary[k] for k in entities}
    assert upstream.calls == 3


async def test_the_summary_event_is_the_json_answer(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering(
        EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        plain = (await client.post("/v1/summaries", json=body())).json()
    streamed = await stream(base_url, body(), {"Cache-Control": "no-cache"})  # a run of its own, not the kept one
    name, last = streamed[-1]
    assert name == "summary"
    assert last["summary"] == plain["summary"]
    assert without_latency(last["meta"]) == without_latency(plain["meta"])
    parts = dict(streamed[:-1])
    assert parts["quotes"] == {"quotes": plain["summary"]["quotes"]}
    assert parts["outcomes"] == {"outcomes": plain["summary"]["outcomes"]}
    assert parts["claims"] == {"contested_claims": plain["summary"]["contested_claims"]}
    assert upstream.calls == 6


async def test_an_invented_speaker_is_in_no_streamed_part(base_url: str, upstream: FakeUpstream) -> None:
    attributions = {"attributions": [*ATTRIBUTIONS["attributions"], {"quote": 7, "speaker": INVENTED}]}
    upstream._responder = answering(
        EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=attributions
    )
    streamed = await stream(base_url, body())
    assert [name for name, _ in streamed] == [*PARTS, "summary"]
    for _name, data in streamed[:-1]:
        assert INVENTED not in json.dumps(data) and "Atlantis Council" not in json.dumps(data)
    quotes = dict(streamed)["quotes"]["quotes"]
    assert [q["speaker"] for q in quotes] == SPEAKERS_WITH_INVENTED
    final = streamed[-1][1]
    assert INVENTED not in json.dumps(final["summary"])
    assert {d["field"] for d in final["meta"]["dropped"]} >= {"quotes.speaker", "parties"}


async def test_a_failing_group_is_incomplete_in_the_summary_event(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering(EntitiesExtraction=ENTITIES, EventsExtraction=None, QuoteAttributions=ATTRIBUTIONS)
    streamed = await stream(base_url, body())
    assert [name for name, _ in streamed] == [*PARTS, "summary"]
    parts = dict(streamed)
    assert parts["outcomes"] == {"outcomes": []} and parts["claims"] == {"contested_claims": []}
    assert len(parts["quotes"]["quotes"]) == 4
    incomplete = parts["summary"]["meta"]["incomplete"]
    assert [i["field"] for i in incomplete] == ["outcomes", "contested_claims"]


async def test_no_usable_answer_is_a_problem_event_with_the_json_problem(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        plain = await client.post("/v1/summaries", json=body())
    assert plain.status_code == 502
    streamed = await stream(base_url, body())
    assert [name for name, _ in streamed] == ["problem"]  # nothing came of the run: no part was sent
    assert streamed[0][1] == plain.json()
    assert streamed[0][1]["status"] == 502


async def test_require_complete_ends_the_stream_with_the_problem(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering(EntitiesExtraction=ENTITIES, EventsExtraction=None, QuoteAttributions=ATTRIBUTIONS)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        plain = await client.post("/v1/summaries", json=body(require_complete=True))
    assert plain.status_code == 502
    streamed = await stream(base_url, body(require_complete=True))
    assert [name for name, _ in streamed] == ["entities", "locations", "quotes", "problem"]  # what it had, no answer
    assert streamed[-1][1] == plain.json()


async def test_an_error_before_the_run_is_a_plain_problem(base_url: str, upstream: FakeUpstream) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        empty = await client.post("/v1/summaries", json={"article": {"text": "  "}}, headers=STREAM)
        unknown = await client.post("/v1/summaries", json=body(prompt="nope@1"), headers=STREAM)
        malformed = await client.post(
            "/v1/summaries", content=b"{", headers={**STREAM, "Content-Type": "application/json"}
        )
    for response, status in ((empty, 422), (unknown, 422), (malformed, 400)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert upstream.calls == 0


async def test_a_kept_answer_is_streamed_at_once_with_its_cache_status(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering(
        EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    first = await stream(base_url, body())
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        client.stream("POST", "/v1/summaries", json=body(), headers=STREAM) as response,
    ):
        assert response.headers["cache-status"] == "summarizer; hit"
        second = [event async for event in events(response)]
    assert [name for name, _ in second] == [*PARTS, "summary"]
    assert second[:-1] == first[:-1]
    assert second[-1][1]["meta"]["cached"] is True and second[-1][1]["summary"] == first[-1][1]["summary"]
    assert upstream.calls == 3


async def test_an_idempotent_replay_is_streamed_from_the_kept_answer(base_url: str, upstream: FakeUpstream) -> None:
    upstream._responder = answering(
        EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    key = {"Idempotency-Key": "stream-1", "Cache-Control": "no-cache"}
    first = await stream(base_url, body(), key)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        client.stream("POST", "/v1/summaries", json=body(), headers={**STREAM, **key}) as response,
    ):
        assert response.headers["cache-status"] == "summarizer; hit; detail=idempotency-key"
        second = [event async for event in events(response)]
    assert second[-1][1]["summary"] == first[-1][1]["summary"]
    assert upstream.calls == 3


async def test_a_client_that_hangs_up_still_leaves_the_answer_stored(base_url: str, upstream: FakeUpstream) -> None:
    gate, answered = threading.Event(), list[str]()
    upstream._responder = gated(
        gate, answered, EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
        client.stream("POST", "/v1/summaries", json=body(), headers=STREAM) as response,
    ):
        async for name, _ in events(response):
            assert name == "entities"
            break  # hang up mid-run
    gate.set()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        joined = await client.post("/v1/summaries", json=body())  # the run goes on: joined, or kept already
        kept = await client.post("/v1/summaries", json=body())
    assert joined.headers["cache-status"] in ("summarizer; hit", "summarizer; fwd=miss; collapsed")
    assert kept.headers["cache-status"] == "summarizer; hit"
    assert kept.json()["summary"]["outcomes"] == joined.json()["summary"]["outcomes"] != []
    assert answered == ["released"] and upstream.calls == 3


@pytest.mark.parametrize("prompt", ["summarize-hybrid@1", "summarize-rules@1", "summarize-single@1"])
async def test_every_strategy_streams_each_part_once_then_the_summary(
    base_url: str, upstream: FakeUpstream, prompt: str
) -> None:
    single = {
        **ENTITIES,
        **EVENTS,
        "quotes": [{"text": "Another round of talks was agreed to.", "speaker": "Medinsky"}],
    }
    upstream._responder = answering(EntitiesExtraction=ENTITIES, SummaryExtraction=single)
    streamed = await stream(base_url, body(prompt=prompt))
    names = [name for name, _ in streamed]
    assert sorted(names[:-1]) == sorted(PARTS) and names[-1] == "summary"
    final = streamed[-1][1]["summary"]
    parts = dict(streamed)
    assert parts["entities"] == {k: final[k] for k in ("headline", "summary", "parties")}
    assert parts["locations"] == {"locations": final["locations"]}
    assert parts["quotes"]["quotes"] == final["quotes"]
    assert parts["claims"] == {"contested_claims": final["contested_claims"]}


async def frames(response: httpx.Response) -> AsyncIterator[Event]:
    """Like `events`, with each SSE comment as `(": comment", {"text": ...})`, in wire order."""
    name, data = "", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield ": comment", {"text": line.removeprefix(":").strip()}
        elif line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))
        elif not line and name:
            yield name, json.loads("\n".join(data))
            name, data = "", []


async def test_the_default_sends_the_rules_parts_and_keep_alives_before_its_model_call_answers(
    settings: Settings, upstream: FakeUpstream
) -> None:
    """hybrid@2's places and claims are final before its one call: sent while the call is held, then
    keep-alive comments until it answers. The upstream answers only once the test has seen both."""
    gate, answered = threading.Event(), list[str]()

    def held(request: dict[str, Any]) -> Reply:
        answered.append("released" if gate.wait(10) else "timed out")
        return tool_call(ENTITIES)

    upstream._responder = held
    configured = settings.model_copy(
        update={
            "default_prompt": "summarize-hybrid@2",
            "stream_keepalive_s": 0.05,
            "response_cache": "off",
            "llm_timeout_s": 20.0,  # the held call is released by the test, never timed out
            "request_deadline_s": 30.0,
        }
    )
    seen: list[Event] = []
    with serve_in_thread(create_app(configured)) as url:
        async with (
            httpx.AsyncClient(base_url=url, timeout=30) as client,
            client.stream("POST", "/v1/summaries", json=body(), headers=STREAM) as response,
        ):
            async for frame in frames(response):
                seen.append(frame)
                names = [name for name, _ in seen]
                if not gate.is_set() and {"locations", "claims"} <= set(names) and names.count(": comment") >= 2:
                    assert answered == []  # the model call is still held
                    gate.set()
    assert answered == ["released"] and upstream.calls == 1
    events = [(name, data) for name, data in seen if name != ": comment"]
    assert [name for name, _ in events] == ["locations", "claims", "entities", "quotes", "outcomes", "summary"]
    comments = [i for i, (name, data) in enumerate(seen) if name == ": comment"]
    assert {seen[i][1]["text"] for i in comments} == {"keep-alive"}
    first_late = next(i for i, (name, _) in enumerate(seen) if name == "entities")
    assert sum(1 for i in comments if i < first_late) >= 2  # sent while the call was held
    final = events[-1][1]["summary"]
    assert events[0][1] == {"locations": final["locations"]} and final["locations"]
    assert events[1][1] == {"contested_claims": final["contested_claims"]}
    assert events[-1][1]["meta"]["prompt"]["version"] == 2 and events[-1][1]["meta"]["incomplete"] == []
