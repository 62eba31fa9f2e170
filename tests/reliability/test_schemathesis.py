"""Property-based fuzzing of the served OpenAPI schema: whatever a client sends, never a 5xx.

A real uvicorn server on loopback serves the app; the fake upstream answers every model call with a
valid sparse summary, so any 5xx would be ours. Examples are bounded to keep this well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from bench.serving import serve_in_thread
from bench.upstream import healthy
from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream

EXAMPLES_PER_OPERATION = 40


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with FakeUpstream(responder=healthy) as upstream:
        settings = Settings(
            llm_base_url=upstream.base_url,
            llm_model="fake-model",
            request_deadline_s=10.0,
            llm_timeout_s=2.0,
            llm_retry_max_wait_s=0.05,
            max_article_chars=5_000,
            rate_limit_requests=0,
        )
        with serve_in_thread(create_app(settings)) as base_url:
            yield base_url


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_server_errors(served: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/docs/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the served schema must parse
        operations.append(result.ok())
    assert any(op.path == "/v1/summaries" for op in operations)
    seen: dict[int, int] = {}

    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.method.upper() != "POST":
            continue  # nothing to make invalid in a GET without parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case[Any]) -> None:
            response = case.call(base_url=served, timeout=15)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text}"

        check()
    assert sum(seen.values()) >= len(operations)
