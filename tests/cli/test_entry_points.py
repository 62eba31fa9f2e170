"""The command's light entry points: `--help` without the service's imports, clean help text, a prompt
answered by code alone without a model, and `prompts show` printing the requests exactly as sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from summarizer.cli import app
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import SEED_PATH, grouped_success

# What the service needs and `--help` does not: each of these took seconds to import here.
HEAVY = ("spacy", "litestar", "saq", "llama_cpp", "instructor", "openai", "scipy", "uvicorn", "redis")
SCRIPT = Path(sys.executable).with_name("summarizer")


def command_paths() -> list[list[str]]:
    """Every command and group of the `summarizer` tree, as the words that name it."""
    found: list[list[str]] = [[]]

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def modules_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has loaded once `summarizer ARGS` has run (its output discarded)."""
    probe = (
        "import json, sys\n"
        "from summarizer.cli import main\n"
        f"sys.argv = ['summarizer', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_of_every_command_loads_none_of_the_service() -> None:
    """Before: `summarizer --help` imported Litestar, saq and spaCy (12-30 s here) to print a list."""
    for path in command_paths():
        loaded = modules_after(*path, "--help")
        assert sorted(loaded & set(HEAVY)) == [], path


def test_help_text_is_plain_without_type_noise_and_keeps_its_brackets() -> None:
    runner = CliRunner()
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, (path, result.output)
        for noise in ("<bool>", "<str>", "<path>", "<int", "╭", "{"):
            assert noise not in result.output, (path, noise)
    corpus = runner.invoke(app, ["eval", "import-corpus", "--help"], env={"COLUMNS": "100"}).output
    assert "(fields: [quotes] / [contested_claims])" in " ".join(corpus.split())  # Rich markup ate both before
    summarize = runner.invoke(app, ["summarize", "--help"], env={"COLUMNS": "100"}).output
    assert "--prompt ID[@V]" in summarize and "FILE|-" in summarize and "--pretty  " in summarize


def no_model_env(cache: Path, **extra: str) -> dict[str, str]:
    """No upstream URL (the embedded model would be used), an empty cache, and no way to download:
    a proxy that refuses, so a fetch of the model fails at once instead of pulling 1.1 GB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMARIZER_")}
    refused = "http://127.0.0.1:9"
    return env | {
        "SUMMARIZER_CACHE_DIR": str(cache),
        "HTTPS_PROXY": refused,
        "HTTP_PROXY": refused,
        "https_proxy": refused,
        "http_proxy": refused,
        **extra,
    }


def test_rules_with_no_model_cached_and_no_upstream_answers_without_starting_llama_cpp(tmp_path: Path) -> None:
    """Before: the CLI fetched the model (1.1 GB) and started llama.cpp for an answer that calls no model."""
    cache = tmp_path / "cache"
    env = no_model_env(cache)
    done = subprocess.run(
        [str(SCRIPT), "summarize", str(SEED_PATH), "--prompt", "summarize-rules@1"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["meta"]["model"] is None and answer["meta"]["attempts"] == 0
    assert answer["summary"]["quotes"] and answer["meta"]["prompt"]["id"] == "summarize-rules"
    assert "llama.cpp" not in done.stderr
    assert not (cache / "models").exists(), "nothing was downloaded"


@pytest.fixture
def runner(upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SUMMARIZER_LLM_BASE_URL", upstream.base_url)
    monkeypatch.setenv("SUMMARIZER_LLM_MODEL", "fake-model")
    monkeypatch.setenv("SUMMARIZER_LLM_RETRY_MAX_WAIT_S", "0.01")
    yield CliRunner()


def test_rules_on_a_configured_upstream_never_contacts_it(runner: CliRunner, upstream: FakeUpstream) -> None:
    """Not even the model list (the context probe): an answer made by code has nothing to ask it."""
    result = runner.invoke(app, ["summarize", str(SEED_PATH), "--prompt", "summarize-rules@1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["meta"]["model"] is None
    assert (upstream.calls, upstream.model_lists) == (0, 0)


def shown(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["prompts", "show", *args, "--json"])
    assert result.exit_code == 0, result.output
    requests: list[dict[str, Any]] = json.loads(result.stdout)
    return requests


@pytest.mark.parametrize("prompt", ["summarize-grouped@4", "summarize-hybrid@2"])
def test_prompts_show_prints_the_requests_exactly_as_the_upstream_receives_them(
    runner: CliRunner, upstream: FakeUpstream, prompt: str
) -> None:
    """The first call of a real summary, as the fake upstream received it, is what `show` printed for it."""
    requests = shown(runner, prompt, "--article", str(SEED_PATH))
    assert upstream.calls == 0, "show sends nothing"
    upstream.enqueue(*grouped_success())  # grouped@4's three calls; hybrid@2 makes the first of them
    result = runner.invoke(app, ["summarize", str(SEED_PATH), "--prompt", prompt])
    assert result.exit_code == 0, result.output
    assert requests[0]["task"] == "entities"
    assert requests[0]["request"] == upstream.requests[0]  # messages, tool schema, tool_choice, sampling
    assert [r["task"] for r in requests] == (
        ["entities", "events", "quotes"] if prompt.endswith("@4") else ["entities"]
    )
    schema = requests[0]["request"]["tools"][0]["function"]["parameters"]
    assert "Place name exactly as written in the article." in json.dumps(schema)  # the fields' descriptions


def test_prompts_show_readable_and_for_a_prompt_without_a_model(runner: CliRunner, upstream: FakeUpstream) -> None:
    readable = runner.invoke(app, ["prompts", "show", "summarize-grouped@4"])  # default article: the seed
    assert readable.exit_code == 0, readable.output
    text = readable.stdout
    assert "3 model calls" in text and "=== call 3 of 3: task quotes ===" in text
    assert "<article>" in text and "Medinsky" in text and "--- tool QuoteAttributions ---" in text
    rules = runner.invoke(app, ["prompts", "show", "summarize-rules@1"])
    assert rules.exit_code == 0 and "no model call" in rules.stdout
    missing = runner.invoke(app, ["prompts", "show", "summarize-nope@1"])
    assert missing.exit_code == 2 and "unknown prompt" in missing.stderr
    assert upstream.calls == 0


def test_prompts_lists_and_marks_the_default(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_DEFAULT_PROMPT", "summarize-hybrid@2")
    for args in (["prompts"], ["prompts", "list"]):
        lines = runner.invoke(app, args).stdout.splitlines()
        assert [line.split()[1] for line in lines if line.startswith("*")] == ["summarize-hybrid@2"]
        assert any("summarize-rules@1" in line for line in lines)


def test_pretty_output_keeps_brackets_in_quotes(runner: CliRunner, tmp_path: Path) -> None:
    """Rich read `[the ministry]` in a quotation as a style tag and printed the quote without it."""
    article = tmp_path / "article.txt"
    article.write_text(
        'Officials met in Minsk on Monday. "We [the ministry] agreed to talk again," said Anna Petrova, '
        "a spokeswoman for the ministry.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["summarize", str(article), "--prompt", "summarize-rules@1", "--pretty"])
    assert result.exit_code == 0, result.output
    assert "[the ministry]" in result.stdout and "no model" in result.stdout
