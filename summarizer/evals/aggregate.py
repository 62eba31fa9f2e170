"""From per-article scores to a run's scores: micro and macro averages, a table, one JSON line.

`scores.json` keeps every article's counts, so `eval compare` can resample articles later without
re-scoring anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from rich.table import Table

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
    articles: list[ArticleScore]


def aggregate(scores: Sequence[ArticleScore], config: ScoringConfig, meta: dict[str, Any] | None = None) -> RunScores:
    fields = {}
    for name in FIELDS:
        per_article = [s.fields[name].counts for s in scores]
        total, prf = micro(per_article)
        fields[name] = FieldSummary(counts=total, micro=prf, macro=macro(per_article))
    return RunScores(
        meta=meta or {},
        config=config,
        fields=fields,
        speaker_accuracy=sum((s.speaker for s in scores), Ratio()).value,
        fabricated_rate=sum((s.fabricated for s in scores), Ratio()).value,
        status_accuracy=sum((s.status for s in scores), Ratio()).value,
        articles=list(scores),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


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
    grid.caption = (
        f"speaker accuracy {_pct(run.speaker_accuracy)} · fabricated quotes {_pct(run.fabricated_rate)} · "
        f"outcome status accuracy {_pct(run.status_accuracy)} · {len(run.articles)} articles"
    )
    return grid


def headline(run: RunScores) -> dict[str, float | None]:
    """The numbers a script wants: micro F1 per field plus the quote rates."""
    line: dict[str, float | None] = {f"{name}_f1": round(f.micro.f1, 4) for name, f in run.fields.items()}
    line["speaker_accuracy"] = run.speaker_accuracy
    line["fabricated_rate"] = run.fabricated_rate
    line["articles"] = len(run.articles)
    return line


def headline_json(run: RunScores) -> str:
    return json.dumps(headline(run), separators=(",", ":"))
