"""`summarizer eval run` against the scripted upstream: failures fail the run, the cache never lies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.runner import read_outputs
from tests.support.fake_upstream import FakeUpstream, tool_call
from tests.support.scripts import ENTITIES, grouped_success

DEAD = "http://127.0.0.1:9/v1"  # discard port: connection refused at once
SEED = ["--articles", "seed-belarus-talks"]
BROKEN = tool_call('{"headline": ')  # unusable JSON
FAILED_CALL = [BROKEN, BROKEN]  # the call and its one re-ask: the model answered badly, the rules stand in


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


def test_an_incomplete_answer_is_an_error_and_is_never_cached(
    env: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the model failed, the rules' fallback came back with meta.incomplete, and the run scored it as
    # the prompt's answer: `errors: 0`, exit 0, and the fallback stored in the eval cache for every re-run.
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    args = ["eval", "run", "--prompt", "summarize-hybrid@2", *SEED]
    upstream.enqueue(*FAILED_CALL)
    first = CliRunner().invoke(app, [*args, "--out", str(env / "a")])
    assert first.exit_code == 1, first.output
    assert upstream.calls == 2
    answer = read_outputs(env / "a")["seed-belarus-talks"].response
    assert answer is not None and answer.meta.incomplete, "the service did answer: with the rules' fallback"
    assert last_json(first.stdout)["errors"] == 1
    assert "errors: 1" in " ".join(first.stdout.split())
    assert "1 of 1 answers were incomplete" in first.stderr and "incomplete: seed-belarus-talks" in first.stderr
    assert not (env / "a" / "predictions" / "seed-belarus-talks.json").exists(), "no prediction for `eval score`"
    assert last_json(first.stdout)["quotes_f1"] == 0.0, "scored as an empty summary, not as the fallback's"

    upstream.enqueue(*FAILED_CALL)
    again = CliRunner().invoke(app, [*args, "--out", str(env / "b")])
    assert upstream.calls == 4, "the fallback was not cached: a re-run asks the model again"
    assert again.exit_code == 1

    upstream.enqueue(*FAILED_CALL)
    resumed = CliRunner().invoke(app, [*args, "--out", str(env / "a"), "--allow-incomplete", "1"])
    assert upstream.calls == 6, "resuming a run directory does not reuse its incomplete answer either"
    assert resumed.exit_code == 0, resumed.output
    assert last_json(resumed.stdout)["errors"] == 1

    upstream.enqueue(tool_call(ENTITIES))  # hybrid's one call on a short article
    healed = CliRunner().invoke(app, [*args, "--out", str(env / "a")])
    assert healed.exit_code == 0, healed.output
    assert upstream.calls == 7 and last_json(healed.stdout)["errors"] == 0
    assert (env / "a" / "predictions" / "seed-belarus-talks.json").is_file()


def test_no_cache_into_an_existing_out_asks_the_model_again(
    env: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: `--no-cache` with the --out of an earlier run resumed from its outputs.jsonl and made no call.
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    upstream.enqueue(*grouped_success())
    first = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "a")])
    assert first.exit_code == 0 and upstream.calls == 3, first.output
    upstream.enqueue(*grouped_success())
    fresh = CliRunner().invoke(app, ["eval", "run", *SEED, "--no-cache", "--out", str(env / "a")])
    assert fresh.exit_code == 0, fresh.output
    assert upstream.calls == 6, "--no-cache asks the model, whatever the run directory holds"
    resumed = CliRunner().invoke(app, ["eval", "run", *SEED, "--out", str(env / "a")])
    assert resumed.exit_code == 0 and upstream.calls == 6, "without --no-cache, a run directory still resumes"


def test_without_a_terminal_each_article_is_one_progress_line_on_stderr(
    env: Path, upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", DEAD)
    result = CliRunner().invoke(app, ["eval", "run", "--articles", "wikinews-s*,wikinews-w*", "--out", str(env / "r")])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert [line.split(" ")[0] for line in lines] == ["[1/3]", "[2/3]", "[3/3]"], result.stderr
    assert sorted(line.split(" ")[1] for line in lines) == [
        "wikinews-stampede:", "wikinews-warming:", "wikinews-worship:"
    ]  # fmt: skip
    assert all(": error: upstream unreachable" in line for line in lines), lines
