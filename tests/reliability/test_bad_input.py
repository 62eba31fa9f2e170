"""Hostile or broken requests: every one gets a 4xx problem, none reaches the upstream."""

from __future__ import annotations

import json

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream

PROBLEMS = "https://summarizer.dev/problems/"
JSON = {"content-type": "application/json"}


def article(text: str, **extra: object) -> bytes:
    return json.dumps({"article": {"text": text, **extra}}).encode()


CASES: dict[str, tuple[bytes, int, str]] = {
    "invalid-utf8": (b'{"article": {"text": "caf\xe9 au lait"}}', 400, "malformed-request"),
    "not-json": (b"article=hello", 400, "malformed-request"),
    "raw-control-char-in-json": (b'{"article": {"text": "a\x07b"}}', 400, "malformed-request"),
    "lone-surrogate-escape": (b'{"article": {"text": "a \\ud800 b"}}', 400, "malformed-request"),
    "nul-byte": (article("Talks began.\x00 They ended."), 422, "invalid-input"),
    "bell-control-char": (article("Talks began.\x07 They ended."), 422, "invalid-input"),
    "escape-sequence": (article("Talks \x1b[31mbegan\x1b[0m."), 422, "invalid-input"),
    "control-char-in-title": (article("Talks began.", title="Talks\x08"), 422, "invalid-input"),
    "empty": (article(""), 422, "invalid-input"),
    "whitespace-only": (article(" \n\t\r\n "), 422, "invalid-input"),
    "unknown-field": (article("Talks began.", colour="red"), 422, "invalid-input"),
    "unknown-top-level-field": (b'{"article": {"text": "x"}, "model": "gpt-9"}', 422, "invalid-input"),
    "wrong-type": (b'{"article": {"text": 42}}', 422, "invalid-input"),
    "array-body": (b"[]", 422, "invalid-input"),
    "over-char-limit": (article("word " * 300), 413, "article-too-large"),
    "over-body-limit": (article("x" * 300_000), 413, "request-too-large"),
}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
async def test_a_body_that_is_not_json_is_415(
    content_type: str | None, settings: Settings, upstream: FakeUpstream
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/v1/summaries", content=article("Talks began."), headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == PROBLEMS + "unsupported-media-type"
    assert response.json()["accepted"] == ["application/json"]
    assert upstream.calls == 0


async def test_json_with_a_charset_is_accepted(settings: Settings, upstream: FakeUpstream) -> None:
    from tests.support.scripts import grouped_success, seed_text

    upstream.enqueue(*grouped_success())
    async with AsyncTestClient(app=create_app(settings)) as client:
        charset = {"content-type": "Application/JSON; charset=utf-8"}
        response = await client.post("/v1/summaries", content=article(seed_text()), headers=charset)
    assert response.status_code == 200, response.text


@pytest.fixture
def small_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_article_chars": 1000})


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_request_is_a_4xx_problem(name: str, small_settings: Settings, upstream: FakeUpstream) -> None:
    content, status, slug = CASES[name]
    async with AsyncTestClient(app=create_app(small_settings)) as client:
        response = await client.post("/v1/summaries", content=content, headers=JSON)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == PROBLEMS + slug and problem["status"] == status
    assert problem["detail"]
    assert upstream.calls == 0


async def test_an_article_over_a_one_call_prompts_context_is_413(settings: Settings, upstream: FakeUpstream) -> None:
    """summarize-grouped@4 reads the article in one call: more than the model's context is refused unread."""
    tight = settings.model_copy(update={"llm_context_tokens": 2048, "llm_max_tokens": 512})  # fits ~2k chars
    async with AsyncTestClient(app=create_app(tight)) as client:
        response = await client.post("/v1/summaries", content=article("word " * 500), headers=JSON)
    assert response.status_code == 413 and "context" in response.json()["detail"]
    assert response.json()["limit"] == (2048 - 512 - 1024) * 4
    assert upstream.calls == 0


async def test_body_limit_follows_the_article_limit(settings: Settings) -> None:
    """The HTTP limit leaves room for any article the character limit allows, even all 4-byte characters."""
    roomy = settings.model_copy(update={"max_article_chars": 2000})
    async with AsyncTestClient(app=create_app(roomy)) as client:
        response = await client.post("/v1/summaries", json={"article": {"text": "😀" * 2001}}, headers=JSON)
    assert response.status_code == 413 and response.json()["type"] == PROBLEMS + "article-too-large"
