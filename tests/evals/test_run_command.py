"""`summarizer eval run` against the scripted upstream: failures fail the run, the cache never lies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import grouped_success

DEAD = "http://127.0.0.1:9/v1"  # discard port: connection refused at once
SEED = ["--articles", "seed-belarus-talks"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARIZER_LLM_TRANSPORT_RETRIES", "0")
    monkeypatch.setenv("SUMMARIZER_LLM_RETRY_MAX_WAIT_S", "0.01")
    monkeypatch.setenv("SUMMARIZER_DEFAULT_PROMPT", "summarize-grouped@4")  # the replies script its three calls
    return tmp_path


def last_json(output: str) -> dict[str, object]:
    line = next(line for line in reversed(output.strip().splitlines()) if line.startswith("{"))
    data: dict[str, object] = json.loads(line)
    return data


def test_a_run_with_failed_articles_exits_1_and_lists_them(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: exit 0 and no error count, even with every article failed.
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", DEAD)
    args = ["eval", "run", "--no-cache", "--articles", "wikinews-s*,wikinews-w*"]
    result = CliRunner().invoke(app, [*args, "--out", str(env / "run")])
    assert result.exit_code == 1, result.output
    assert last_json(result.stdout)["errors"] == 3
    assert "errors: 3" in " ".join(result.stdout.split())
    assert "3 of 3 articles failed" in result.stderr
    for slug in ("wikinews-stampede", "wikinews-warming", "wikinews-worship"):
        assert f"failed: {slug}" in result.stderr
    tolerated = CliRunner().invoke(app, [*args, "--out", str(env / "again"), "--allow-failures", "3"])
    assert tolerated.exit_code == 0, tolerated.output


def test_the_cache_misses_on_any_change_that_can_change_the_answer(
    env: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    upstream.enqueue(*grouped_success())
    first = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "a")])
    assert first.exit_code == 0, first.output
    assert upstream.calls == 3

    cached = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "b")])
    assert cached.exit_code == 0 and upstream.calls == 3, "an unchanged case makes no call"

    monkeypatch.setenv("SUMMARIZER_LLM_TEMPERATURE", "0.3")
    upstream.enqueue(*grouped_success())
    warmer = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "c")])
    assert warmer.exit_code == 0 and upstream.calls == 6, "temperature is part of the fingerprint"
    monkeypatch.delenv("SUMMARIZER_LLM_TEMPERATURE")

    upstream.enqueue(*grouped_success())
    fresh = CliRunner().invoke(app, ["eval", "run", *SEED, "--no-cache", "--out", str(env / "d")])
    assert fresh.exit_code == 0 and upstream.calls == 9, "--no-cache asks again"

    # Before: a dead upstream "succeeded" from the cache.
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", DEAD)
    dead = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "e")])
    assert dead.exit_code == 1, "another upstream is another model: no cached answer"


def test_repeat_runs_k_times_and_reports_the_spread(
    env: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    upstream.enqueue(*grouped_success(), *grouped_success())
    result = CliRunner().invoke(app, ["eval", "run", *SEED, "--repeat", "2", "--out", str(env / "r")])
    assert result.exit_code == 0, result.output
    assert upstream.calls == 6, "each repeat asks the model"
    spread = json.loads((env / "r" / "variance.json").read_text())
    assert spread["quotes_f1"]["stdev"] == 0.0 and len(spread["quotes_f1"]["values"]) == 2
    assert (env / "r" / "repeats" / "2" / "scores.json").is_file()
    assert "spread over 2 runs" in result.stdout
