"""The API's front door and its refusals: `GET /`, `GET /v1/prompts`, one 422 shape for summaries and
batches, the exact byte of a body that is not UTF-8, and a 413 that names the limit."""

from __future__ import annotations

from typing import Any, TypeAlias

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.errors import PROBLEM_BASE
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream

Client: TypeAlias = AsyncTestClient[Litestar]


async def test_the_root_points_to_the_docs(settings: Settings) -> None:
    """Before: a 404. A browser is sent to the reference; anything else gets the links, even behind keys."""
    keyed = Settings.model_validate({**settings.model_dump(), "api_keys": "k-1"})
    async with AsyncTestClient(app=create_app(keyed)) as client:
        browser = await client.get("/", headers={"accept": "text/html,*/*"}, follow_redirects=False)
        assert browser.status_code == 302 and browser.headers["location"] == "/docs"
        plain = await client.get("/")
        assert plain.status_code == 200 and plain.json()["links"]["docs"] == "/docs"
        assert plain.json()["links"]["prompts"] == "/v1/prompts"
        assert (await client.get("/v1/prompts")).status_code == 401  # only the root itself is open


async def test_prompts_lists_every_template_with_its_hash_and_the_default(
    client: Client, settings: Settings, upstream: FakeUpstream
) -> None:
    """Before: a 404; prompts were discoverable only from the text of a 422."""
    response = await client.get("/v1/prompts")
    assert response.status_code == 200
    listed = response.json()
    library = PromptLibrary.load(settings.prompts_dir)
    assert [p["ref"] for p in listed["prompts"]] == library.refs()
    assert listed["default"] == settings.default_prompt
    assert [p["ref"] for p in listed["prompts"] if p["default"]] == [settings.default_prompt]
    by_ref = {p["ref"]: p for p in listed["prompts"]}
    assert by_ref["summarize-rules@1"]["calls_model"] is False and by_ref["summarize-hybrid@2"]["calls_model"]
    assert by_ref["summarize-grouped@4"]["latest"] and not by_ref["summarize-grouped@3"]["latest"]
    answer = await client.post(
        "/v1/summaries", json={"article": {"text": "Talks began in Minsk."}, "prompt": "summarize-rules@1"}
    )
    assert answer.json()["meta"]["prompt"]["hash"] == by_ref["summarize-rules@1"]["hash"]  # the hash answers carry
    assert upstream.calls == 0


ARTICLES: list[tuple[str, dict[str, Any]]] = [
    ("no text", {}),
    ("empty text", {"text": ""}),
    ("unknown field", {"text": "Talks began.", "source": "wire"}),
    ("text not a string", {"text": 5}),
    ("title too long", {"text": "Talks began.", "title": "t" * 501}),
]


@pytest.mark.parametrize(("case", "article"), ARTICLES, ids=[case for case, _ in ARTICLES])
async def test_the_same_bad_article_gets_the_same_422_from_summaries_and_batches(
    client: Client, case: str, article: dict[str, Any]
) -> None:
    """Before: summaries said `{"message", "key": "article.text"}` under a generic detail, batches
    `{"loc": [...], "msg"}` with the field in the detail."""
    single = await client.post("/v1/summaries", json={"article": article})
    batch = await client.post("/v1/batches", json={"articles": [{"id": "a1", **article}]})
    assert single.status_code == batch.status_code == 422, case
    one, many = single.json(), batch.json()
    assert set(one) == set(many) == {"type", "title", "status", "detail", "errors", "instance"}
    assert one["type"] == many["type"] == PROBLEM_BASE + "invalid-input"
    assert [set(e) for e in one["errors"]] == [set(e) for e in many["errors"]] == [{"loc", "msg"}]
    (a,), (b,) = one["errors"], many["errors"]
    assert a["msg"] == b["msg"]
    assert a["loc"][0] == "article" and b["loc"][:2] == ["articles", 0] and a["loc"][1:] == b["loc"][2:]
    assert one["detail"] == f"{'.'.join(map(str, a['loc']))}: {a['msg']}"
    assert many["detail"] == f"{'.'.join(map(str, b['loc']))}: {b['msg']}"


async def test_every_422_has_errors_even_those_found_after_validation(client: Client) -> None:
    controls = await client.post("/v1/summaries", json={"article": {"text": "Talks \x00 began."}})
    assert controls.status_code == 422
    assert controls.json()["errors"] == [{"loc": ["article", "text"], "msg": "contains NUL bytes (at index 6)"}]
    unknown = await client.post("/v1/summaries", json={"article": {"text": "Talks."}, "prompt": "nope@1"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["msg"] == unknown.json()["detail"]
    twice = await client.post("/v1/batches", json={"articles": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]})
    assert twice.json()["errors"][0]["loc"] == ["articles", 1, "id"]


BAD = b"\xff"


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/v1/summaries", "application/json", b'{"article": {"text": "Caf\xc3\xa9 talks ' + BAD + b' began."}}'),
        ("/v1/batches", "application/json", b'{"articles": [{"id": "a", "text": "na\xc3\xafve ' + BAD + b'"}]}'),
        (
            "/v1/batches",
            "application/jsonl",
            b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "\xc3\xa9' + BAD + b'"}\n',
        ),
    ],
)
async def test_a_body_that_is_not_utf8_names_its_first_bad_byte(
    client: Client, path: str, content_type: str, body: bytes
) -> None:
    """Before: the summaries route named the offset inside the JSON string (`byte 11` for byte 30)."""
    response = await client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    problem = response.json()
    offset = body.index(BAD)
    assert problem["byte_offset"] == offset and f"byte {offset} (0xff)" in problem["detail"]


async def test_an_oversized_body_is_refused_with_the_limit_named(client: Client, settings: Settings) -> None:
    """Before: `413 Request Entity Too Large` and nothing else; 3 MB against a 2 MB limit here."""
    limit = settings.max_article_chars * 4 + 65_536
    response = await client.post(
        "/v1/summaries", content=b"x" * 3_000_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    problem = response.json()
    assert problem["type"] == PROBLEM_BASE + "request-too-large" and problem["limit"] == limit
    assert f"{limit:,} bytes" in problem["detail"] and "3,000,000 bytes" in problem["detail"]
