"""Shared by the replay and live evals: score, print the table, and list what misses its bar."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rich.console import Console

from summarizer.evals.aggregate import RunScores, headline_json, table
from summarizer.evals.config import EvalConfig, Gate, load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.results import score_all
from summarizer.schemas import Summary

ROOT = Path(__file__).resolve().parents[2]
CONFIG: EvalConfig = load_config(ROOT / "evals" / "thresholds.yaml")


def gold_cases(slugs: list[str] | None = None) -> list[GoldCase]:
    cases = load_gold(ROOT / "evals" / "gold", ROOT / "evals" / "articles")
    return [c for c in cases if slugs is None or c.slug in slugs]


def scored(cases: list[GoldCase], summaries: Mapping[str, Summary | None], gate: Gate, title: str) -> RunScores:
    run, _ = score_all(cases, summaries, CONFIG.scoring, {"prompt": gate.prompt})
    Console(width=130).print(table(run, title=title))
    print(headline_json(run))
    return run
