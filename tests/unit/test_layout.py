"""The house rules a newcomer relies on: a small hall, one registry of strategies, state passed, not hidden."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.errors import ConfigurationError
from summarizer.pipeline.strategies import STRATEGIES
from summarizer.prompts import PromptLibrary, parse_prompt

PACKAGE = Path(__file__).resolve().parents[2] / "summarizer"
PROMPTS = PACKAGE.parent / "prompts"


def test_the_package_root_keeps_at_most_eight_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= 8, modules


def test_contextvars_only_where_instructor_calls_back() -> None:
    users = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "contextvars" in p.read_text())
    assert users == ["llm/client.py"]


def test_every_prompt_names_a_registered_strategy_and_defines_its_tasks() -> None:
    for prompt in (PromptLibrary.load(PROMPTS).get(ref) for ref in PromptLibrary.load(PROMPTS).refs()):
        strategy = STRATEGIES[prompt.meta.strategy]
        assert strategy.tasks <= prompt.meta.tasks.keys(), prompt.ref
    assert {s.name for s in STRATEGIES.values()} == set(STRATEGIES)


def test_an_unknown_strategy_is_refused_at_load_with_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "p" / "v1.md"
    path.parent.mkdir()
    path.write_text("---\nid: p\nversion: 1\ndescription: x\nstrategy: clever\ntasks: {}\n---\nbody\n")
    with pytest.raises(ConfigurationError, match=r"unknown strategy 'clever'; known: single, grouped"):
        parse_prompt(path)


# Rooms that serve the entry points; they may never reach up into one (a worker process imports
# `jobs` first, so `jobs -> api -> jobs` is a cycle there even when the test process, importing
# `api` first, never sees it).
ENTRY_ROOMS = ("api", "cli", "lab")
LOWER_ROOMS = ("text", "llm", "observe", "cache", "pipeline", "jobs", "evals", "local_model")


def test_lower_rooms_never_import_the_entry_points() -> None:
    offenders = []
    for room in LOWER_ROOMS:
        for path in (PACKAGE / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                offenders += [
                    f"{path.relative_to(PACKAGE)} -> {name}"
                    for name in names
                    if name.split(".")[:2] in (["summarizer", r] for r in ENTRY_ROOMS)
                ]
    assert offenders == []


@pytest.mark.parametrize("module", ["summarizer.jobs.batches", "summarizer.jobs.tasks", "summarizer.cli.worker"])
def test_what_a_worker_process_imports_first_imports_on_its_own(module: str) -> None:
    """In a fresh interpreter, as `summarizer worker` starts: an import cycle shows only there."""
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
