"""From per-article scores to a run's scores: micro and macro averages, a table, one JSON line.

`scores.json` keeps every article's counts, so `eval compare` can resample articles later without
re-scoring anything.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field
from rich.table import Table

from summarizer.evals.calibration import Calibration, calibrate_all
from summarizer.evals.metrics import PRF, Counts, Ratio, macro, micro
from summarizer.evals.scoring import FIELDS, ArticleScore, ScoringConfig


class FieldSummary(BaseModel):
    counts: Counts
    micro: PRF
    macro: PRF | None


class RunScores(BaseModel):
    meta: dict[str, Any] = Field(default_factory=dict)
    config: ScoringConfig
    fields: dict[str, FieldSummary]
    speaker_accuracy: float | None
    fabricated_rate: float | None
    status_accuracy: float | None
    calibration: dict[str, Calibration] = Field(
        default_factory=dict, description="Per field carrying `confidence` (and `quotes.speaker`): ECE and bins."
    )
    articles: list[ArticleScore]


def aggregate(scores: Sequence[ArticleScore], config: ScoringConfig, meta: dict[str, Any] | None = None) -> RunScores:
    """Averages over the articles whose gold covers each field; a field no gold covers is left out."""
    fields = {}
    for name in FIELDS:
        per_article = [s.fields[name].counts for s in scores if name in s.fields]
        if not per_article:
            continue
        total, prf = micro(per_article)
        fields[name] = FieldSummary(counts=total, micro=prf, macro=macro(per_article))
    return RunScores(
        meta=meta or {},
        config=config,
        fields=fields,
        speaker_accuracy=sum((s.speaker for s in scores), Ratio()).value,
        fabricated_rate=sum((s.fabricated for s in scores), Ratio()).value,
        status_accuracy=sum((s.status for s in scores), Ratio()).value,
        calibration=calibrate_all(s.confidence for s in scores),
        articles=list(scores),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def table(run: RunScores, title: str = "per-field scores") -> Table:
    grid = Table(title=title)
    for column in ("field", "P micro", "R micro", "F1 micro", "P macro", "R macro", "F1 macro", "tp", "fp", "fn"):
        grid.add_column(column, justify="left" if column == "field" else "right")
    for name, field in run.fields.items():
        m = field.macro
        grid.add_row(
            name,
            *(_pct(v) for v in (field.micro.precision, field.micro.recall, field.micro.f1)),
            *(_pct(v) for v in ((m.precision, m.recall, m.f1) if m else (None, None, None))),
            *(str(v) for v in (field.counts.tp, field.counts.fp, field.counts.fn)),
        )
    state = health(run)
    grid.caption = (
        f"speaker accuracy {_pct(run.speaker_accuracy)} · fabricated quotes {_pct(run.fabricated_rate)} · "
        f"outcome status accuracy {_pct(run.status_accuracy)} · {len(run.articles)} articles · "
        f"errors: {state['errors']}"
        + "".join(f" · {key}: {_counts(state[key])}" for key in ("incomplete", "dropped") if state[key])
    )
    return grid


def tally(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for one in counts:
        total.update(one)
    return dict(sorted(total.items()))


def health(run: RunScores) -> dict[str, Any]:
    """What went wrong besides the scores: failed articles and incomplete answers (both errors: neither is the
    prompt's answer), incomplete groups and dropped items per field."""
    return {
        "errors": sum(a.error is not None or bool(a.incomplete) for a in run.articles),
        "incomplete": tally(Counter(g.field for g in a.incomplete) for a in run.articles),
        "dropped": tally(a.dropped for a in run.articles),
    }


def headline(run: RunScores) -> dict[str, Any]:
    """The numbers a script wants: micro F1 per field, the quote rates, and the run's health."""
    line: dict[str, Any] = {f"{name}_f1": _rounded(f.micro.f1) for name, f in run.fields.items()}
    line["speaker_accuracy"] = run.speaker_accuracy
    line["fabricated_rate"] = run.fabricated_rate
    for name, found in run.calibration.items():
        line[f"{name.replace('.', '_')}_ece"] = round(found.ece, 4)
    line["articles"] = len(run.articles)
    return {**line, **health(run)}


def _rounded(value: float | None) -> float | None:
    """None (null) where a field had nothing to find and nothing predicted in any article."""
    return None if value is None else round(value, 4)


def headline_json(run: RunScores) -> str:
    return json.dumps(headline(run), separators=(",", ":"))


class Spread(BaseModel):
    """One metric over the repeats of `eval run --repeat K`."""

    values: list[float]
    mean: float
    stdev: float
    low: float
    high: float


def variance(runs: Sequence[RunScores]) -> dict[str, Spread]:
    """Micro F1 per field and speaker accuracy across repeated runs: how much the model alone moves them."""
    metrics: dict[str, list[float]] = {}
    for run in runs:
        for name, field in run.fields.items():
            if field.micro.f1 is not None:  # nothing to find and nothing predicted: no value to spread
                metrics.setdefault(f"{name}_f1", []).append(field.micro.f1)
        if run.speaker_accuracy is not None:
            metrics.setdefault("speaker_accuracy", []).append(run.speaker_accuracy)
    return {
        name: Spread(
            values=[round(v, 4) for v in values],
            mean=statistics.fmean(values),
            stdev=statistics.stdev(values) if len(values) > 1 else 0.0,
            low=min(values),
            high=max(values),
        )
        for name, values in metrics.items()
    }
