"""Every summarize request leaves one JSON log line and Prometheus series behind, whatever its outcome."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.observe.logs import JsonFormatter
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, status, tool_call
from tests.support.scripts import grouped_success, seed_text

BODY = {"article": {"text": seed_text()}}


def summary_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if getattr(r, "event", None) == "summary"]
    return lines


def metric(text: str, name: str) -> float:
    """The value of one exact series line of a Prometheus exposition."""
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")]
    assert len(values) == 1, f"{name} not in metrics"
    return values[0]


async def test_log_line_and_metrics_per_request(
    settings: Settings, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    upstream.enqueue(status(503), *grouped_success(usage=(100, 20)))  # one retry, then success
    upstream.enqueue(*[tool_call({"headline": 1}, usage=(50, 5))] * 6)  # three groups, each asked twice
    async with AsyncTestClient(app=create_app(settings)) as client:
        ok = await client.post("/v1/summaries", json=BODY, headers={"X-Request-ID": "req-42"})
        bad = await client.post("/v1/summaries", json=BODY)
        empty = await client.post("/v1/summaries", json={"article": {"text": " "}})
        exposition = (await client.get("/metrics")).text

    assert ok.status_code == 200 and ok.headers["x-request-id"] == "req-42"
    assert bad.status_code == 502 and len(bad.headers["x-request-id"]) == 32
    assert empty.status_code == 422

    first, second, third = summary_lines(caplog)
    assert first["request_id"] == "req-42"
    assert first["outcome"] == "ok" and first["status"] == 200 and first["error_type"] is None
    assert first["prompt_id"] == "summarize-grouped" and isinstance(first["prompt_version"], int)
    assert first["model"] == "fake-model"
    assert first["attempts"] == 4 and first["retries"] == 1 and first["reasks"] == 0
    assert first["upstream_failures"] == ["http_503"]
    assert (first["prompt_tokens"], first["completion_tokens"]) == (300, 60)
    assert isinstance(first["latency_ms"], int)
    assert second["outcome"] == "invalid-model-output" and second["error_type"] == "InvalidModelOutput"
    assert second["reasks"] == 3 and second["prompt_tokens"] == 300
    assert first["incomplete"] == [] and first["failures"] is None
    assert {(f["task"], f["attempt"]) for f in second["failures"]} >= {("entities", 1), ("entities", 2)}
    assert "after 6 attempts" in second["error_detail"]
    assert second["request_id"] == bad.headers["x-request-id"]
    assert third["outcome"] == "invalid-input" and third["attempts"] == 0

    route = 'route="/v1/summaries"'
    assert metric(exposition, f'summarizer_http_requests_total{{method="POST",{route},status="200"}}') == 1
    assert metric(exposition, f'summarizer_http_requests_total{{method="POST",{route},status="502"}}') == 1
    assert metric(exposition, f'summarizer_http_requests_total{{method="POST",{route},status="422"}}') == 1
    assert metric(exposition, f"summarizer_http_request_duration_seconds_count{{{route}}}") == 3
    assert metric(exposition, 'summarizer_summaries_total{outcome="ok"}') == 1
    assert metric(exposition, 'summarizer_summaries_total{outcome="invalid-model-output"}') == 1
    assert metric(exposition, "summarizer_upstream_calls_total") == 10
    assert metric(exposition, 'summarizer_upstream_errors_total{kind="http_503"}') == 1
    assert metric(exposition, "summarizer_upstream_retries_total") == 1
    assert metric(exposition, "summarizer_reasks_total") == 3
    assert metric(exposition, 'summarizer_tokens_total{kind="prompt"}') == 600
    assert metric(exposition, 'summarizer_tokens_total{kind="completion"}') == 90


async def test_each_app_has_its_own_registry(settings: Settings, upstream: FakeUpstream) -> None:
    async with AsyncTestClient(app=create_app(settings)) as one, AsyncTestClient(app=create_app(settings)) as two:
        await one.get("/health")
        text = (await two.get("/metrics")).text
    assert 'route="/health"' not in text


async def test_refused_requests_are_counted(settings: Settings) -> None:
    keyed = settings.model_copy(update={"api_keys": Settings(api_keys="k-1").api_keys})
    async with AsyncTestClient(app=create_app(keyed)) as client:
        assert (await client.post("/v1/summaries", json=BODY)).status_code == 401
        text = (await client.get("/metrics", headers={"X-API-Key": "k-1"})).text
    assert metric(text, 'summarizer_http_requests_total{method="POST",route="/v1/summaries",status="401"}') == 1
