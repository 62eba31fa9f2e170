"""The fault matrix: every way the upstream can fail, and exactly what the API answers to each.

Each row scripts the fake upstream, sends the seed article once, and checks four things: the HTTP
status, the problem `type`, how many upstream calls were made (retries and re-asks are bounded, and
the SDK never retries on its own), and that the overall deadline held.

Transport failures end the request (the later field groups are not asked of a failing upstream).
A model-output failure costs only its own field group: the rows script a bad first group followed
by good answers for the others, and expect a 200 whose `meta.incomplete` names the lost fields.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, Reply, hang, html, reset_mid_body, status, tool_call
from tests.support.scripts import ATTRIBUTIONS, ENTITIES, EVENTS, grouped_success, seed_text

SLACK_S = 1.5
PROBLEMS = "https://summarizer.dev/problems/"


@dataclass
class Row:
    replies: list[Reply]
    status: int
    calls: int
    type: str | None = None  # problem slug; None for a success
    usage: tuple[int, int] | None = None  # expected problem usage, when tokens were spent
    settings: dict[str, Any] = field(default_factory=dict)
    retry_after: str | None = None
    incomplete: tuple[str, ...] = ()  # fields a 200 must list in meta.incomplete


LOOP_PARTY = {"name": "Vladimir Putin", "kind": "person", "role": "Russian president", "aliases": ["Putin"]}
LOOP = {**ENTITIES, "parties": [LOOP_PARTY] * 40}  # the same party over and over, past max_length=15
INVENTED = {**ENTITIES, "parties": [{"name": "Atlantis Council", "kind": "organization"}]}
ENTITY_FIELDS = ("headline", "summary", "parties", "locations")
REST = [tool_call(EVENTS), tool_call(ATTRIBUTIONS)]  # good answers for the events and quotes groups
CUT_OFF = '{"headline": "Talks end without result", "summary": "Five hours of talks in Belarus ended'
TRUNCATED = '{"headline": "Talks end", "summary": "Five hours", "parties": [' + '{"name": "Putin", ' * 30

ROWS: dict[str, Row] = {
    # transport failures: 1 call + llm_transport_retries=2, then 503 with Retry-After
    "429-retry-after-seconds": Row(
        [status(429, headers={"Retry-After": "1"})] * 3, 503, 3, "upstream-unavailable", retry_after="1"
    ),
    "429-retry-after-ms": Row(
        [status(429, headers={"retry-after-ms": "2000"})] * 3, 503, 3, "upstream-unavailable", retry_after="2"
    ),
    "500": Row([status(500)] * 3, 503, 3, "upstream-unavailable", retry_after="5"),
    "502": Row([status(502)] * 3, 503, 3, "upstream-unavailable", retry_after="5"),
    "503": Row([status(503)] * 3, 503, 3, "upstream-unavailable", retry_after="5"),
    # asked to wait past the deadline: give up at once rather than sleep into it
    "429-retry-after-beyond-deadline": Row(
        [status(429, headers={"Retry-After": "30"})],
        503,
        1,
        "upstream-unavailable",
        settings={"request_deadline_s": 2.0, "llm_retry_max_wait_s": 60.0},
        retry_after="30",
    ),
    "connect-refused": Row([], 503, 0, "upstream-unavailable", settings={"llm_base_url": "refused"}),
    "hang-past-read-timeout": Row([hang(2.0)] * 3, 503, 3, "upstream-unavailable", settings={"llm_timeout_s": 0.3}),
    "hang-past-deadline": Row(
        [hang(5.0)], 504, 1, "deadline-exceeded", settings={"request_deadline_s": 1.0, "llm_timeout_s": 5.0}
    ),
    "reset-mid-body": Row([reset_mid_body()] * 3, 503, 3, "upstream-unavailable"),
    # a proxy's HTML page with 200: not transient, not a model answer
    "html-200": Row([html(200)], 502, 1, "upstream"),
    # model output failures: 1 ask + llm_reasks=1 for the entities group, then the other two groups
    "invalid-json-arguments": Row(
        [tool_call('{"headline": "Talks", "parties": [', usage=(70, 9))] * 2 + REST, 200, 4, incomplete=ENTITY_FIELDS
    ),
    "schema-invalid": Row(
        [tool_call({"headline": 42, "parties": "nobody"}, usage=(70, 9))] * 2 + REST,
        200,
        4,
        incomplete=ENTITY_FIELDS,
    ),
    # cut off at max_tokens: not re-asked (the same budget would cut it off again)
    "finish-reason-length": Row(
        [tool_call(CUT_OFF, finish_reason="length", usage=(70, 1024)), *REST], 200, 3, incomplete=ENTITY_FIELDS
    ),
    "repetition-loop-until-truncated": Row(
        [tool_call(TRUNCATED, finish_reason="length", usage=(70, 1024)), *REST], 200, 3, incomplete=ENTITY_FIELDS
    ),
    # 40 copies of one party past max_length=15: the extras are dropped, not re-asked
    "repetition-loop-over-max-items": Row([tool_call(LOOP, usage=(70, 900)), *REST], 200, 3),
    # every answer of every group unusable: no summary at all; tokens of all six attempts reported
    "every-answer-invalid": Row(
        [tool_call({"headline": 42, "parties": "nobody"}, usage=(70, 9))] * 6, 502, 6, "invalid-model-output", (420, 54)
    ),
    # recovery: two transport failures, then the three calls of a grouped summary
    "success-after-2-failures": Row([status(503), reset_mid_body(), *grouped_success()], 200, 5),
    # nothing usable in the list (every party invented): re-asked once, quoting the problem
    "success-after-a-reask": Row([tool_call(INVENTED), *grouped_success()], 200, 4),
}


TRANSPORT = [name for name, row in ROWS.items() if row.status in (503, 504) or name == "html-200"]
# summarize-hybrid makes one call; when its answer is unusable the rules' answer stands in (200 + incomplete).
HYBRID_FIELDS = ("headline", "summary", "parties")
ONE_CALL = [tool_call(ENTITIES)]
HYBRID_ROWS: dict[str, Row] = {
    **{name: ROWS[name] for name in TRANSPORT},
    "invalid-json-arguments": Row(
        [tool_call('{"headline": "Talks", "parties": [', usage=(70, 9))] * 2, 200, 2, incomplete=HYBRID_FIELDS
    ),
    "schema-invalid": Row(
        [tool_call({"headline": 42, "parties": "nobody"}, usage=(70, 9))] * 2, 200, 2, incomplete=HYBRID_FIELDS
    ),
    "finish-reason-length": Row(
        [tool_call(CUT_OFF, finish_reason="length", usage=(70, 1024))], 200, 1, incomplete=HYBRID_FIELDS
    ),
    "repetition-loop-over-max-items": Row([tool_call(LOOP, usage=(70, 900))], 200, 1),
    "success-after-2-failures": Row([status(503), reset_mid_body(), *ONE_CALL], 200, 3),
    "success-after-a-reask": Row([tool_call(INVENTED), *ONE_CALL], 200, 2),
    # the deadline passed while the model was writing: the rules' answer, found before the call, stands in
    "hang-past-deadline": Row(
        [hang(5.0)], 200, 1, settings={"request_deadline_s": 1.0, "llm_timeout_s": 5.0}, incomplete=HYBRID_FIELDS
    ),
}
CASES = [("summarize-grouped@4", name) for name in ROWS] + [("summarize-hybrid@2", name) for name in HYBRID_ROWS]


@pytest.mark.parametrize(("prompt", "name"), CASES)
async def test_fault_row(prompt: str, name: str, settings: Settings, upstream: FakeUpstream) -> None:
    row = (ROWS if prompt.startswith("summarize-grouped") else HYBRID_ROWS)[name]
    overrides = dict(row.settings)
    if overrides.get("llm_base_url") == "refused":
        overrides["llm_base_url"] = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    configured = settings.model_copy(update=overrides)
    upstream.enqueue(*row.replies)

    async with AsyncTestClient(app=create_app(configured)) as client:
        started = time.monotonic()
        response = await client.post("/v1/summaries", json={"article": {"text": seed_text()}, "prompt": prompt})
        elapsed = time.monotonic() - started

    assert response.status_code == row.status, response.text
    assert upstream.calls == row.calls
    assert elapsed < configured.request_deadline_s + SLACK_S
    data = response.json()
    if row.type is None:
        assert data["meta"]["attempts"] == row.calls
        assert [i["field"] for i in data["meta"]["incomplete"]] == list(row.incomplete)
        assert response.headers.get("summary-incomplete", "") == ", ".join(row.incomplete)
        if row.incomplete:
            assert data["summary"]["outcomes"] and data["summary"]["quotes"]  # the other groups survived
        return
    assert response.headers["content-type"].startswith("application/problem+json")
    assert data["type"] == PROBLEMS + row.type
    assert data["status"] == row.status
    expected_attempts = 1 + configured.llm_transport_retries if name == "connect-refused" else row.calls
    assert data["attempts"] == expected_attempts
    assert set(data["usage"]) == {"prompt_tokens", "completion_tokens"}
    if row.usage is not None:
        assert (data["usage"]["prompt_tokens"], data["usage"]["completion_tokens"]) == row.usage
    if row.type == "invalid-model-output":  # the text's count is the body's, and every attempt says what failed
        assert f"after {row.calls} attempts" in data["detail"]
        assert {f["attempt"] for f in data["failures"]} == {1, 2}
        assert all(f["field"] and f["message"] and "value" in f for f in data["failures"])
    if row.retry_after is not None:
        assert response.headers["retry-after"] == row.retry_after
    if row.status == 503:
        assert int(response.headers["retry-after"]) >= 1
