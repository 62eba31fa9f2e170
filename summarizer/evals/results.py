"""Scoring a set of predictions and writing what a run leaves behind: scores, reports, a summary line.

A missing or failed prediction is scored as an empty summary: a prompt that errors on an article
must not look better than one that answers it badly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from summarizer.errors import InputError
from summarizer.evals import report
from summarizer.evals.aggregate import RunScores, aggregate, headline_json, table
from summarizer.evals.gold import GoldCase
from summarizer.evals.runner import CaseOutput
from summarizer.evals.scoring import ScoringConfig, SemanticJudge, score_article
from summarizer.schemas import Summary

SCORES = "scores.json"


def score_all(
    cases: list[GoldCase],
    summaries: Mapping[str, Summary | None],
    config: ScoringConfig,
    meta: dict[str, Any] | None = None,
    judge: SemanticJudge | None = None,
) -> tuple[RunScores, dict[str, Summary]]:
    filled = {c.slug: summaries.get(c.slug) or Summary.model_construct(headline="", summary="") for c in cases}
    scores = [score_article(case, filled[case.slug], config, judge) for case in cases]
    return aggregate(scores, config, meta), filled


def write_results(
    run_dir: Path,
    cases: list[GoldCase],
    outputs: Mapping[str, CaseOutput],
    meta: dict[str, Any],
    console: Console,
    config: ScoringConfig,
) -> RunScores:
    summaries = {slug: o.response.summary if o.response else None for slug, o in outputs.items()}
    run, filled = score_all(cases, summaries, config, meta)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / SCORES).write_text(run.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (run_dir / "report.md").write_text(report.markdown(run), encoding="utf-8")
    texts = {case.slug: case.text for case in cases}
    (run_dir / "report.html").write_text(report.html(run, texts, filled), encoding="utf-8")
    console.print(table(run, title=f"{meta.get('prompt', '')} · {run_dir}"))
    print(headline_json(run))
    return run


def load_scores(run_dir: Path) -> RunScores:
    path = run_dir / SCORES if run_dir.is_dir() else run_dir
    try:
        return RunScores.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a run's scores: {exc}") from exc
