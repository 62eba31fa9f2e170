"""The house rules a newcomer relies on: a small hall, one registry of strategies, state passed, not hidden."""

from __future__ import annotations

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
