"""End to end on the real local model: HTTP API -> instructor -> llama.cpp -> grounded summary."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.scripts import seed_text

pytestmark = pytest.mark.slow

SEED_PEOPLE = {"Vladimir Putin", "Vladimir Medinsky", "Dmitry Peskov", "Mykhailo Podolyak", "Volodymyr Zelenskyy"}


async def test_seed_article_through_the_api(local_llm_url: str) -> None:
    settings = Settings(llm_base_url=local_llm_url, request_deadline_s=600, llm_timeout_s=300)
    async with AsyncTestClient(app=create_app(settings), timeout=600) as client:
        response = await client.post("/v1/summaries", json={"article": {"text": seed_text()}})
    assert response.status_code == 200, response.text
    summary, meta = response.json()["summary"], response.json()["meta"]
    text = seed_text()

    assert summary["headline"] and summary["summary"]
    assert summary["quotes"], "the seed has ten quotations; the scan finds them and the rules attribute them"
    party_names = {p["name"] for p in summary["parties"]}
    for quote in summary["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]  # verbatim, with exact offsets
        assert quote["speaker"] is None or quote["speaker"] in party_names
    assert sum(q["speaker"] is not None for q in summary["quotes"]) >= len(summary["quotes"]) // 2
    named = {person for person in SEED_PEOPLE if any(person.split()[-1] in name for name in party_names)}
    assert len(named) >= 2, f"expected several of {SEED_PEOPLE}, got {party_names}"
    assert meta["usage"]["prompt_tokens"] > 0 and meta["usage"]["completion_tokens"] > 0
