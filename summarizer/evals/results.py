"""Scoring a set of predictions and writing what a run leaves behind: scores, reports, a summary line.

A missing or failed prediction is scored as an empty summary: a prompt that errors on an article
must not look better than one that answers it badly. So is an incomplete answer (`meta.incomplete`:
the rules' fallback, a failed window): it is not the prompt's answer, and it counts as an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from summarizer.errors import InputError
from summarizer.evals import report
from summarizer.evals.aggregate import RunScores, aggregate, headline_json, table
from summarizer.evals.calibration import calibration_table
from summarizer.evals.gold import GoldCase
from summarizer.evals.predictions import read_predictions
from summarizer.evals.runner import OUTPUTS, CaseOutput, read_outputs
from summarizer.evals.scoring import ArticleScore, Incomplete, ScoringConfig, SemanticJudge, score_article
from summarizer.schemas import Summary

SCORES = "scores.json"


def _counted(items: object) -> dict[str, int]:
    """`[{"field": f, "count": n, ...}]` from a response's meta as `{f: n}`; anything else as nothing."""
    found: dict[str, int] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("field"), str):
            found[item["field"]] = found.get(item["field"], 0) + int(item.get("count") or 0)
    return found


def annotate(score: ArticleScore, output: CaseOutput | None) -> ArticleScore:
    """Add what the answer said about itself: its error, or its incomplete groups and dropped/coerced items.

    Read from the response's meta as plain data, so recordings made before the service reported them
    (no `incomplete`, `dropped`, `coerced`) are simply clean.
    """
    if output is None:
        return score
    if output.response is None:
        return score.model_copy(update={"error": output.error or "no answer"})
    meta = output.response.meta.model_dump(mode="json")
    groups = meta.get("incomplete")
    incomplete = [
        Incomplete(field=str(g.get("field")), reason=str(g.get("reason") or ""))
        for g in (groups if isinstance(groups, list) else [])
        if isinstance(g, dict)
    ]
    update = {
        "incomplete": incomplete,
        "dropped": _counted(meta.get("dropped")),
        "coerced": _counted(meta.get("coerced")),
    }
    return score.model_copy(update=update)


def score_all(
    cases: list[GoldCase],
    summaries: Mapping[str, Summary | None],
    config: ScoringConfig,
    meta: dict[str, Any] | None = None,
    judge: SemanticJudge | None = None,
    outputs: Mapping[str, CaseOutput] | None = None,
) -> tuple[RunScores, dict[str, Summary]]:
    filled = {c.slug: summaries.get(c.slug) or Summary.model_construct(headline="", summary="") for c in cases}
    scores = [
        annotate(score_article(case, filled[case.slug], config, judge), (outputs or {}).get(case.slug))
        for case in cases
    ]
    return aggregate(scores, config, meta), filled


def write_results(
    run_dir: Path,
    cases: list[GoldCase],
    outputs: Mapping[str, CaseOutput],
    meta: dict[str, Any],
    console: Console,
    config: ScoringConfig,
) -> RunScores:
    summaries = {slug: o.response.summary if o.response and o.complete else None for slug, o in outputs.items()}
    run, filled = score_all(cases, summaries, config, meta, outputs=outputs)
    write_scores(run_dir, run)
    (run_dir / "report.md").write_text(report.markdown(run), encoding="utf-8")
    (run_dir / "report.html").write_text(report.html(run, cases, filled), encoding="utf-8")
    console.print(table(run, title=f"{meta.get('prompt', '')} · {run_dir}"))
    if run.calibration:
        console.print(calibration_table(run.calibration))
    print(headline_json(run))
    return run


def write_scores(folder: Path, run: RunScores) -> Path:
    """`folder/scores.json`: every article's counts, what `eval compare` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SCORES
    path.write_text(run.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def load_scores(run_dir: Path) -> RunScores:
    path = run_dir / SCORES if run_dir.is_dir() else run_dir
    try:
        return RunScores.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a run's scores: {exc}") from exc


def run_scores(path: Path, cases: Callable[[], list[GoldCase]], config: ScoringConfig) -> RunScores:
    """A run's scores from a run directory or its `scores.json`, or, for a folder of predictions (such as
    `evals/recorded/<prompt>/`) that has none, scored now against `cases()`."""
    if path.is_file() or (path / SCORES).is_file():
        return load_scores(path)
    folder = path / "predictions" if (path / "predictions").is_dir() else path
    gold = cases()
    found = read_predictions(folder, [c.slug for c in gold])
    # A run directory, or a recording (`evals/recorded/<prompt>/`), keeps its outputs.jsonl: what each
    # answer said about itself. An incomplete answer there is marked, and scored as no answer.
    outputs = read_outputs(path) if (path / OUTPUTS).is_file() else {}
    unanswered = {slug for slug, o in outputs.items() if not o.complete}
    if not found and not unanswered:
        raise InputError(f"{path}: neither a run's {SCORES} nor predictions for any gold article")
    chosen = [c for c in gold if c.slug in found or c.slug in unanswered]
    kept = {slug: summary for slug, summary in found.items() if slug not in unanswered}
    run, _ = score_all(chosen, kept, config, {"predictions": str(folder)}, outputs=outputs)
    return run
