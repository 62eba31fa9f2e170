"""The OpenAPI contract: problem responses on every route, a page per problem type, real examples, keys, version."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.upstream import healthy
from summarizer.api.contract import PROBLEM_JSON, package_version, seed_request, seed_response
from summarizer.api.example import readme_example
from summarizer.api.routes import SummarizeRequest
from summarizer.errors import PROBLEM_BASE, error_types
from summarizer.runtime import open_upstream
from summarizer.schemas import ArticleIn, SummaryResponse
from summarizer.service import build_summarizer
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import SEED_PATH, seed_text

Client: TypeAlias = AsyncTestClient[Litestar]
PROBLEM_REF = "#/components/schemas/ProblemDetails"


@pytest.fixture
async def schema(client: Client) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_every_error_response_is_a_problem_with_its_types(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if int(code) >= 400}
        assert "500" in errors, f"{method} {path} does not document 500"
        for code, response in errors.items():
            content = response["content"]
            assert list(content) == [PROBLEM_JSON], (path, code)
            assert content[PROBLEM_JSON]["schema"] == {"$ref": PROBLEM_REF}
            for example in content[PROBLEM_JSON]["examples"].values():
                slug = example["value"]["type"].removeprefix(PROBLEM_BASE)
                assert error_types()[slug].status_code == int(code)
                assert f"(/problems/{slug})" in response["description"]  # a link to its page


def test_summaries_documents_every_status_it_can_answer(schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/v1/summaries"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "413", "415", "422", "429", "500", "502", "503", "504"}
    described = " ".join(r["description"] for r in responses.values())
    for slug in ("article-too-large", "request-too-large", "prompt-not-found", "circuit-open", "upstream-busy"):
        assert f"`{slug}`" in described
    ready = schema["paths"]["/ready"]["get"]["responses"]
    assert set(ready) == {"200", "500", "503"} and "circuit-open" in ready["503"]["description"]


async def test_the_example_answer_is_the_current_default_s(upstream: FakeUpstream, settings: Settings) -> None:
    """Run the default prompt now (through the fake upstream) and compare what makes an answer current:
    the prompt id, version and template hash, and the schema version. Before: /docs showed a
    schema-1.0 summarize-grouped@4 answer while the default was summarize-hybrid@2 on schema 1.2."""
    upstream._responder = healthy
    default = settings.model_copy(update={"default_prompt": Settings.model_fields["default_prompt"].default})
    async with open_upstream(default) as opened:
        now = await build_summarizer(default, opened.llm).summarize(ArticleIn(text=seed_text()))
    example = SummaryResponse.model_validate(seed_response())
    stale = "the /docs example is stale: regenerate it with `python -m summarizer.api.example`"
    assert example.meta.prompt == now.meta.prompt, stale
    assert example.meta.schema_version == example.summary.schema_version == now.meta.schema_version, stale
    assert seed_request()["prompt"] == f"{now.meta.prompt.id}@{now.meta.prompt.version}"
    assert example.meta.model is not None and not example.meta.incomplete  # a model's complete answer


def test_the_readme_shows_the_example_answer() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert readme_example(readme) == seed_response(), "regenerate with `python -m summarizer.api.example`"


def test_the_examples_are_the_seed_and_its_recorded_answer(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/v1/summaries"]["post"]
    (request_example,) = operation["requestBody"]["content"]["application/json"]["schema"]["examples"]
    (response_example,) = operation["responses"]["200"]["content"]["application/json"]["examples"].values()
    assert request_example == seed_request()
    assert SummarizeRequest.model_validate(seed_request()).article.text == SEED_PATH.read_text(encoding="utf-8")
    answer = SummaryResponse.model_validate(response_example["value"])  # the example obeys the schema it documents
    text = seed_request()["article"]["text"]
    assert all(text[q.start : q.end] == q.text for q in answer.summary.quotes)  # and is grounded in the example
    assert response_example["value"] == seed_response()


def test_the_event_stream_is_documented_beside_the_json_answer(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/v1/summaries"]["post"]
    ok = operation["responses"]["200"]["content"]
    assert list(ok) == ["application/json", "text/event-stream"]
    described = ok["text/event-stream"]["schema"]["description"]
    for event in ("`entities`", "`quotes`", "`outcomes`", "`claims`", "`summary`", "`problem`"):
        assert event in described and event in operation["description"]
    batches = schema["paths"]["/v1/batches"]["post"]["responses"]
    assert all("text/event-stream" not in r.get("content", {}) for r in batches.values())  # that route's own operation


def test_api_key_schemes_and_package_version(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {**schemes["BearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["ApiKeyAuth"] == {**schemes["ApiKeyAuth"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schema["security"] == [{"BearerAuth": []}, {"ApiKeyAuth": []}]
    assert schema["paths"]["/health"]["get"]["security"] == [{}]  # open
    assert schema["info"]["version"] == package_version() != "1.0.0"


async def test_every_problem_type_has_a_page(client: Client) -> None:
    index = await client.get("/problems")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    for slug, cls in error_types().items():
        assert f'href="/problems/{slug}"' in index.text
        page = await client.get(f"/problems/{slug}")
        assert page.status_code == 200, slug
        assert f"<code>{PROBLEM_BASE}{slug}</code>" in page.text and str(cls.status_code) in page.text


async def test_an_unknown_problem_type_is_a_404_problem(client: Client) -> None:
    response = await client.get("/problems/no-such-thing")
    assert response.status_code == 404 and response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["type"] == PROBLEM_BASE + "not-found"


async def test_405_and_404_are_problems_with_their_types(client: Client) -> None:
    wrong_method = await client.get("/v1/summaries")
    assert wrong_method.status_code == 405 and wrong_method.json()["type"] == PROBLEM_BASE + "method-not-allowed"
    assert "POST" in wrong_method.headers["allow"]
    missing = await client.get("/v1/nothing")
    assert missing.status_code == 404 and missing.json()["type"] == PROBLEM_BASE + "not-found"
