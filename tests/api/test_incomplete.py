"""Never lose a summary: one bad item, or one failed field group, costs only itself (issue 7).

Against the scripted upstream over real HTTP, so instructor's re-ask loop and our validators run
exactly as in production.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeAlias

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.upstream import tool_name
from tests.support.fake_upstream import FakeUpstream, Reply, tool_call
from tests.support.scripts import (
    ATTRIBUTIONS,
    ENTITIES,
    EVENTS,
    INVENTED_SPEAKER,
    SPEAKERS_WITH_INVENTED,
    WITH_INVENTED_SPEAKER,
    answering,
    seed_text,
)

Client: TypeAlias = AsyncTestClient[Litestar]
INVENTED = INVENTED_SPEAKER


def body(**extra: Any) -> dict[str, Any]:
    return {"article": {"text": seed_text()}, **extra}


async def test_an_invented_speaker_costs_only_its_own_quotation(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = answering(
        EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=WITH_INVENTED_SPEAKER
    )
    response = await client.post("/v1/summaries", json=body())
    assert response.status_code == 200, response.text
    data = response.json()
    quotes = data["summary"]["quotes"]
    assert [q["speaker"] for q in quotes] == SPEAKERS_WITH_INVENTED
    text = seed_text()
    assert all(text[q["start"] : q["end"]] == q["text"] for q in quotes)
    dropped = {d["field"]: d for d in data["meta"]["dropped"]}
    assert dropped["quotes.speaker"]["count"] == 1 and INVENTED in dropped["quotes.speaker"]["values"][0]
    assert data["meta"]["incomplete"] == [] and data["meta"]["reasks"] == 0
    assert upstream.calls == 3  # no re-ask: the other attributions were usable


async def test_a_failing_events_group_still_returns_entities_and_quotes(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = answering(EntitiesExtraction=ENTITIES, EventsExtraction=None, QuoteAttributions=ATTRIBUTIONS)
    response = await client.post("/v1/summaries", json=body())
    assert response.status_code == 200, response.text
    data = response.json()
    summary, meta = data["summary"], data["meta"]
    assert summary["headline"] and summary["parties"] and len(summary["quotes"]) == 4
    assert summary["outcomes"] == [] and summary["contested_claims"] == []
    assert [i["field"] for i in meta["incomplete"]] == ["outcomes", "contested_claims"]
    assert all("invalid-model-output" in i["reason"] for i in meta["incomplete"])
    assert response.headers["summary-incomplete"] == "outcomes, contested_claims"
    assert upstream.calls == 4  # entities, events twice (one re-ask), quotes


async def test_failed_attribution_returns_the_quotations_unattributed(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = answering(EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=None)
    response = await client.post("/v1/summaries", json=body())
    assert response.status_code == 200, response.text
    data = response.json()
    quotes = data["summary"]["quotes"]
    assert len(quotes) == 10 and all(q["speaker"] is None for q in quotes)  # every quotation found by code
    assert [i["field"] for i in data["meta"]["incomplete"]] == ["quotes"]


async def test_unknown_kinds_are_coerced_not_rejected(client: Client, upstream: FakeUpstream) -> None:
    parties = [{**p, "kind": "country" if p["name"] == "Vladimir Putin" else p["kind"]} for p in ENTITIES["parties"]]
    upstream._responder = answering(
        EntitiesExtraction={**ENTITIES, "parties": parties}, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS
    )
    response = await client.post("/v1/summaries", json=body())
    assert response.status_code == 200, response.text
    data = response.json()
    putin = next(p for p in data["summary"]["parties"] if p["name"] == "Vladimir Putin")
    assert putin["kind"] == "other"
    assert data["meta"]["coerced"] == [{"field": "parties.kind", "count": 1, "values": ["country -> other"]}]
    assert upstream.calls == 3


async def test_no_usable_answer_at_all_is_a_502_naming_every_group(
    client: Client, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream._responder = answering()
    with caplog.at_level(logging.INFO, logger="summarizer.service"):
        response = await client.post("/v1/summaries", json=body())
    assert response.status_code == 502
    problem = response.json()
    assert problem["attempts"] == 6 and "after 6 attempts" in problem["detail"]
    for group in ("headline/summary/parties/locations", "outcomes/contested_claims", "quotes"):
        assert group in problem["detail"]
    assert {(f["task"], f["attempt"]) for f in problem["failures"]} == {
        (task, n) for task in ("entities", "events", "quotes") for n in (1, 2)
    }
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "summary"]
    assert record.failures == problem["failures"]  # type: ignore[attr-defined]
    assert json.dumps(record.failures)  # type: ignore[attr-defined]  # a JSON log line can carry it


async def test_a_quote_dense_article_is_attributed_in_bounded_batches(client: Client, upstream: FakeUpstream) -> None:
    text = "Officials met in Minsk. " + " ".join(f'Peskov said "statement number {i} stands".' for i in range(45))

    def respond(request: dict[str, Any]) -> Reply:
        if tool_name(request) != "QuoteAttributions":
            return tool_call({"headline": "Talks", "summary": "They met.", "parties": [], "outcomes": []})
        shown = request["messages"][-1]["content"].count("quotation: ")
        return tool_call({"attributions": [{"quote": n, "speaker": "Peskov"} for n in range(1, shown + 1)]})

    upstream._responder = respond
    response = await client.post("/v1/summaries", json={"article": {"text": text}})
    assert response.status_code == 200, response.text
    quotes = response.json()["summary"]["quotes"]
    assert len(quotes) == 45 and all(q["speaker"] == "Peskov" for q in quotes)
    assert [q["text"] for q in quotes][-1] == "statement number 44 stands"
    assert upstream.calls == 4  # entities, events, then 40 + 5 quotations
