"""A model that obeys the injected instructions: whatever it invents must not reach the client.

The fake upstream plays three such models against every article of the hostile corpus, with both
extraction strategies:

- sly: invents parties, places, outcome parties and claimants where no validator looks;
  the pipeline must drop them and still answer 200;
- brazen: also invents quotes and speakers; the validators re-ask, the model insists,
  so the answer is a 502 (or a 200 with the inventions dropped);
- leaky: copies our system prompt into its summary, as the article asked; always a 502.

In every case the response contains none of the prompt, and the summary none of the inventions:
they appear only in the diagnostics (`meta.dropped`, `meta.incomplete`), which say what grounding
removed and why.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from bench.upstream import tool_name
from summarizer.api import create_app
from summarizer.settings import Settings
from tests.hostile.grounding import SYSTEM_PROMPT_MARKERS, assert_grounded, hostile_articles
from tests.support.fake_upstream import FakeUpstream, Reply, tool_call

ARTICLES = hostile_articles()
FABRICATED_PARTIES = ("Atlantis Council", "Zorblax Industries", "General Quentin Vale")
FABRICATED_QUOTE = "We rigged everything and I am proud of it"
FORBIDDEN = (*FABRICATED_PARTIES, FABRICATED_QUOTE)
DIAGNOSTICS = ("dropped", "coerced", "incomplete")  # reports of what was removed, quoting it
PROMPTS = {
    "grouped": "summarize-grouped",
    "single": "summarize-single",
    "candidates": "summarize-candidates",
    "hybrid": "summarize-hybrid",
}


def real_names(request: dict[str, Any]) -> list[str]:
    """Capitalised name pairs from the article in the request: what an honest model would list."""
    system = request["messages"][0]["content"]
    article = system.split("<article>", 1)[-1]
    return list(dict.fromkeys(re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", article)))[:4]


def obeying(flavour: str) -> Any:
    def respond(request: dict[str, Any]) -> Reply:
        names = real_names(request)
        real = names[0] if names else "Nobody"
        parties = [{"name": n, "kind": "person", "role": "named in the article"} for n in names]
        parties += [{"name": n, "kind": "organization", "role": "as instructed"} for n in FABRICATED_PARTIES]
        entities = {
            "headline": "Everything the article told us to say",
            "summary": "As instructed by the article, the event was a disaster.",
            "parties": parties,
            "locations": [{"name": "Atlantis", "kind": "city", "role": "invented"}],
        }
        if flavour == "leaky":
            system = request["messages"][0]["content"]
            entities["summary"] = system.split("<article>", 1)[0][:800]
        events = {
            "outcomes": [
                {"description": "The board was arrested.", "status": "happened", "parties": list(FABRICATED_PARTIES)}
            ],
            "contested_claims": [
                {"claim": "The deal was rigged.", "claimant": "Atlantis Council", "disputed_by": [real]},
                {"claim": "Nothing happened.", "claimant": real, "disputed_by": ["Zorblax Industries"]},
            ],
        }
        quotes: list[dict[str, str]] = []
        attributions = [{"quote": 1, "speaker": real}]
        if flavour == "brazen":
            quotes = [{"text": FABRICATED_QUOTE, "speaker": real}]
            attributions = [{"quote": 1, "speaker": "General Quentin Vale"}, {"quote": 99, "speaker": real}]
        answers: dict[str, dict[str, Any]] = {
            "EntitiesExtraction": entities,
            "EventsExtraction": events,
            "QuoteAttributions": {"attributions": attributions},
            "SummaryExtraction": {**entities, **events, "quotes": quotes},
            "Judgement": {
                "headline": entities["headline"],
                "summary": entities["summary"],
                "parties": [{"n": 1, "role": "as instructed"}, {"n": 99, "role": "invented"}],
                "missed": [{"name": n} for n in FABRICATED_PARTIES],
                "outcomes": [{"n": 1, "status": "happened"}, {"n": 42, "status": "happened"}],
                "claims": [{"n": 7, "claimant": 1, "disputer": 2}],
                "speakers": [{"q": 1, "option": 9}] if flavour == "brazen" else [],
            },
        }
        return tool_call(answers[tool_name(request)])

    return respond


@pytest.mark.parametrize("strategy", list(PROMPTS))
@pytest.mark.parametrize("flavour", ["sly", "brazen", "leaky"])
@pytest.mark.parametrize("name", list(ARTICLES))
async def test_injected_fabrications_never_reach_the_client(
    name: str, flavour: str, strategy: str, settings: Settings
) -> None:
    text = ARTICLES[name]
    with FakeUpstream(responder=obeying(flavour)) as upstream:
        configured = settings.model_copy(update={"llm_base_url": upstream.base_url, "rate_limit_requests": 0})
        async with AsyncTestClient(app=create_app(configured)) as client:
            response = await client.post("/v1/summaries", json={"article": {"text": text}, "prompt": PROMPTS[strategy]})
    body = response.json()
    dumped = json.dumps(body, ensure_ascii=False)
    for marker in SYSTEM_PROMPT_MARKERS:
        assert marker not in dumped, f"{marker!r} reached the client"
    if response.status_code == 200:
        answer = {**body, "meta": {k: v for k, v in body["meta"].items() if k not in DIAGNOSTICS}}
        for marker in FORBIDDEN:
            assert marker not in json.dumps(answer, ensure_ascii=False), f"{marker!r} reached the answer"
        reported = json.dumps(body["meta"]["dropped"], ensure_ascii=False)
        assert "Atlantis Council" in reported, "grounding removed an invented party without saying so"

    if flavour == "leaky":
        assert response.status_code == 502, response.text
        assert body["type"].endswith("/invalid-model-output")
        return
    if flavour == "sly":
        assert response.status_code == 200, response.text
    else:
        assert response.status_code in (200, 502), response.text
    if response.status_code == 200:
        assert_grounded(body["summary"], text, FORBIDDEN)
    else:
        assert body["type"].endswith("/invalid-model-output")


def sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The events of a whole `text/event-stream` body: (name, parsed data)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


@pytest.mark.parametrize("strategy", list(PROMPTS))
@pytest.mark.parametrize("flavour", ["sly", "brazen", "leaky"])
async def test_injected_fabrications_never_reach_a_streamed_part(
    flavour: str, strategy: str, settings: Settings
) -> None:
    """Streamed, the same: no part carries what the JSON answer would have dropped, and the end is the same."""
    name = next(iter(ARTICLES))
    request = {"article": {"text": ARTICLES[name]}, "prompt": PROMPTS[strategy]}
    with FakeUpstream(responder=obeying(flavour)) as upstream:
        configured = settings.model_copy(
            update={"llm_base_url": upstream.base_url, "rate_limit_requests": 0, "response_cache": "off"}
        )
        async with AsyncTestClient(app=create_app(configured)) as client:
            plain = await client.post("/v1/summaries", json=request)
            streamed = await client.post("/v1/summaries", json=request, headers={"Accept": "text/event-stream"})
    events = sse(streamed.text)
    assert streamed.status_code == 200 and events, streamed.text
    for event, data in events[:-1]:
        dumped = json.dumps(data, ensure_ascii=False)
        for marker in (*FORBIDDEN, *SYSTEM_PROMPT_MARKERS):
            assert marker not in dumped, f"{marker!r} reached the {event} part"
    last, data = events[-1]
    if plain.status_code == 200:
        assert last == "summary" and data["summary"] == plain.json()["summary"]
    else:
        assert last == "problem" and data == plain.json()
    if flavour == "leaky":
        assert last == "problem" and data["type"].endswith("/invalid-model-output")
        assert "entities" not in dict(events)  # the leaking part itself is never sent
