"""The CLI against the scripted upstream: JSON and --pretty output, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.upstream import healthy
from summarizer.cli import app
from tests.support.fake_upstream import FakeUpstream, status
from tests.support.scripts import SEED_PATH, grouped_success, long_article


@pytest.fixture
def runner(upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))  # the CLI keeps answers on disk there
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    monkeypatch.setenv("SUMMARIZER_LLM_RETRY_MAX_WAIT_S", "0.01")
    monkeypatch.setenv("SUMMARIZER_DEFAULT_PROMPT", "summarize-grouped@4")  # the replies script its three calls
    return CliRunner()


def test_summarize_file_prints_json(runner: CliRunner, upstream: FakeUpstream) -> None:
    upstream.enqueue(*grouped_success())
    result = runner.invoke(app, ["summarize", str(SEED_PATH)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["quotes"] and data["meta"]["attempts"] == 3


def test_summarize_twice_asks_the_model_once(runner: CliRunner, upstream: FakeUpstream) -> None:
    """The CLI goes through the same response cache as the API: a file store, since each run is a process."""
    upstream.enqueue(*grouped_success())
    first = runner.invoke(app, ["summarize", str(SEED_PATH)])
    assert first.exit_code == 0, first.output
    assert upstream.calls == 3
    second = runner.invoke(app, ["summarize", str(SEED_PATH)])
    assert second.exit_code == 0, second.output
    assert upstream.calls == 3, "the second run is answered from the cache"
    kept = json.loads(second.stdout)
    assert kept["meta"]["cached"] is True and kept["summary"] == json.loads(first.stdout)["summary"]
    upstream.enqueue(*grouped_success())
    fresh = runner.invoke(app, ["summarize", str(SEED_PATH), "--refresh"])
    assert fresh.exit_code == 0, fresh.output
    assert upstream.calls == 6 and json.loads(fresh.stdout)["meta"]["cached"] is False


def test_summarize_stdin_pretty(runner: CliRunner, upstream: FakeUpstream) -> None:
    upstream.enqueue(*grouped_success())
    result = runner.invoke(app, ["summarize", "-", "--pretty"], input=SEED_PATH.read_text())
    assert result.exit_code == 0, result.output
    assert "Quotes" in result.stdout and "Dmitry Peskov" in result.stdout


def test_summarize_a_100k_article_in_windows(runner: CliRunner, upstream: FakeUpstream, tmp_path: Path) -> None:
    """The CLI reads a long article like the API: windows, one digest, every quotation's span exact."""
    upstream._responder = healthy
    article = tmp_path / "long.txt"
    article.write_text(long_article(100_000), encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(article), "--prompt", "summarize-hybrid@2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = article.read_text(encoding="utf-8")
    assert data["meta"]["attempts"] == upstream.calls >= 100_000 // 6_000 + 1  # windows and the digest
    assert data["summary"]["headline"] == "A long article" and not data["meta"]["incomplete"]
    assert all(text[q["start"] : q["end"]] == q["text"] for q in data["summary"]["quotes"])


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xff\xfe bad", "not valid UTF-8"), (b"   \n", "empty or only whitespace")],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, upstream: FakeUpstream, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["summarize", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert upstream.calls == 0


def test_upstream_failure_is_one_line_and_exit_1(runner: CliRunner, upstream: FakeUpstream) -> None:
    upstream.enqueue(*[status(503)] * 4)
    result = runner.invoke(app, ["summarize", str(SEED_PATH)])
    assert result.exit_code == 1
    assert "upstream answered 503" in result.stderr and "Traceback" not in result.output
    assert upstream.calls == 4  # default llm_transport_retries=3


def test_prompts_lists_versions(runner: CliRunner) -> None:
    result = runner.invoke(app, ["prompts"])
    assert result.exit_code == 0
    assert "summarize-grouped@2" in result.stdout and "summarize-single@1" in result.stdout


SCRIPT = Path(sys.executable).with_name("summarizer")


def run_script(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, env={**os.environ, **env}, timeout=120
    )


def test_version_prints_the_package_version() -> None:
    result = run_script("--version", env={})
    assert result.returncode == 0
    assert result.stdout.strip() == f"summarizer {version('summarizer')}"


def test_a_dead_upstream_prints_exactly_one_line_on_stderr(tmp_path: Path) -> None:
    # Before: the per-summary warning, retry messages and the error, several lines.
    env = {
        "SUMMARIZER_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "SUMMARIZER_LLM_RETRY_MAX_WAIT_S": "0.01",
        "SUMMARIZER_CACHE_DIR": str(tmp_path),
    }
    result = run_script("summarize", str(SEED_PATH), env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: upstream unreachable"), result.stderr
    assert "summary upstream-unavailable" in (tmp_path / "logs" / "cli.log").read_text(), "the log has the details"
    verbose = run_script("--verbose", "summarize", str(SEED_PATH), env=env)
    assert verbose.returncode == 1 and verbose.stderr.count("\n") > 1, "--verbose shows the library logs"
