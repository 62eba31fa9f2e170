"""The candidates strategy (code finds, the model judges by number) and its rules-only baseline.

Against the scripted upstream over real HTTP; the model is played by a responder that reads the
numbered lists out of the request, as a real model would.
"""

from __future__ import annotations

import re
from typing import Any, TypeAlias

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.fake_upstream import FakeUpstream, Reply, tool_call
from tests.support.scripts import seed_text

Client: TypeAlias = AsyncTestClient[Litestar]


def numbered(request: dict[str, Any], prefix: str) -> dict[str, int]:
    """name -> number of the `P3. Name (...)`-style lines the task showed."""
    user = request["messages"][-1]["content"]
    return {m.group(2): int(m.group(1)) for m in re.finditer(rf"^\s*{prefix}(\d+)\. (.+?) \(", user, re.MULTILINE)}


def judge(keep: tuple[str, ...], places: tuple[str, ...], fail: bool = False) -> Any:
    def respond(request: dict[str, Any]) -> Reply:
        if fail:
            return tool_call('{"broken": ')
        user = request["messages"][-1]["content"]
        shown, shown_places = numbered(request, "P"), numbered(request, "L")
        sentences = len(re.findall(r"^\s*S\d+\. ", user, re.MULTILINE))
        quotes = len(re.findall(r"^\s*Q\d+\. ", user, re.MULTILINE))
        return tool_call(
            {
                "headline": "Talks in Belarus end without result",
                "summary": "Russian and Ukrainian delegations met in Belarus.",
                "parties": [{"n": shown[k], "role": "negotiator"} for k in keep if k in shown],
                "places": [{"n": shown_places[p]} for p in places if p in shown_places],
                "outcomes": [{"n": 1, "status": "failed"}] if sentences else [],
                "claims": [{"n": 1, "claimant": 1, "disputer": 2}],  # the first pair (the seed has pairs now)
                "speakers": [{"q": n, "option": 1} for n in range(1, quotes + 1)],
            }
        )

    return respond


async def test_rules_make_no_model_call_and_keep_every_span_exact(client: Client, upstream: FakeUpstream) -> None:
    response = await client.post("/v1/summaries", json={"article": {"text": seed_text()}, "prompt": "summarize-rules"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert upstream.calls == 0 and data["meta"]["attempts"] == 0
    summary, text = data["summary"], seed_text()
    assert summary["headline"] and summary["quotes"] and summary["parties"] and summary["locations"]
    for quote in summary["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
    names = {n for p in summary["parties"] for n in [p["name"], *p["aliases"]]}
    assert all(q["speaker"] in names for q in summary["quotes"] if q["speaker"])
    for party in summary["parties"]:
        assert all(text[s["start"] : s["end"]] for s in party["mentions"])


async def test_the_model_judges_by_number_over_one_shared_prefix(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = judge(keep=("Vladimir Medinsky", "Dmitry Peskov"), places=("Belarus",))
    response = await client.post(
        "/v1/summaries", json={"article": {"text": seed_text()}, "prompt": "summarize-candidates"}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    summary = data["summary"]
    kept = [p["name"] for p in summary["parties"]]
    assert kept[:2] == ["Vladimir Medinsky", "Dmitry Peskov"]
    assert {p["role"] for p in summary["parties"][:2]} == {"negotiator"}
    assert [loc["name"] for loc in summary["locations"]] == ["Belarus"]
    assert summary["headline"] == "Talks in Belarus end without result"
    assert summary["outcomes"] and summary["outcomes"][0]["status"] == "failed"
    assert summary["outcomes"][0]["description"] in " ".join(seed_text().split())
    assert upstream.requests[0]["messages"][0]["content"].endswith(seed_text().rstrip() + "\n</article>")
    assert upstream.calls == 1 and data["meta"]["incomplete"] == [] and data["meta"]["reasks"] == 0
    assert data["meta"]["dropped"] == []
    [claim] = summary["contested_claims"]  # pair 1, the Maxar images disputing what was said before them
    [span] = claim["evidence_spans"]
    assert "satellite images" in seed_text()[span["start"] : span["end"]] and claim["disputed_by"]
    quoted = [q for q in summary["quotes"] if q["text"] == "plumes of smoke"]  # the one the rules were unsure of
    assert quoted and quoted[0]["speaker"] == "Maxar Technologies"  # option 1, chosen by the model


async def test_a_failed_judgement_falls_back_to_the_rules_and_says_so(client: Client, upstream: FakeUpstream) -> None:
    upstream._responder = judge(keep=("Dmitry Peskov",), places=(), fail=True)
    response = await client.post(
        "/v1/summaries", json={"article": {"text": seed_text()}, "prompt": "summarize-candidates"}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert [i["field"] for i in data["meta"]["incomplete"]] == [
        "headline", "summary", "parties", "locations", "outcomes", "contested_claims", "quotes",
    ]  # fmt: skip
    assert upstream.calls == 2  # asked, re-asked once, then the rules
    assert len(data["summary"]["parties"]) > 1 and data["summary"]["locations"]  # the rules' candidates
    assert data["summary"]["headline"]  # the article's first sentence


async def test_an_upstream_outage_is_a_503_not_a_rules_answer(client: Client, upstream: FakeUpstream) -> None:
    from tests.support.fake_upstream import status

    upstream.enqueue(status(503), status(503), status(503))
    response = await client.post(
        "/v1/summaries", json={"article": {"text": seed_text()}, "prompt": "summarize-candidates"}
    )
    assert response.status_code == 503 and response.headers["retry-after"]


async def test_rules_keep_the_reported_clause_as_the_claim_and_its_source_as_claimant(
    client: Client, upstream: FakeUpstream
) -> None:
    text = (
        "The Riverton Council has refuted a Daily Star report that it plans to close the central library. "
        "The Daily Star said the library would shut in May. Council leader Anna Berg said the report was false."
    )
    response = await client.post("/v1/summaries", json={"article": {"text": text}, "prompt": "summarize-rules"})
    assert response.status_code == 200, response.text
    [claim] = response.json()["summary"]["contested_claims"]
    assert claim["claim"] == "it plans to close the central library"
    assert claim["claimant"] == "Daily Star" and claim["disputed_by"] and claim["disputed_by"][0] != "Daily Star"
    assert upstream.calls == 0


async def test_rules_claim_no_dispute_without_a_strong_denial(client: Client, upstream: FakeUpstream) -> None:
    text = "The Daily Star reported that the council will open a library. The council has not met since May."
    response = await client.post("/v1/summaries", json={"article": {"text": text}, "prompt": "summarize-rules"})
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["contested_claims"] == []
