"""Two runs side by side: per-field deltas with a paired bootstrap over articles.

Articles differ far more than prompts do, so both runs are resampled with the *same* article draws
(paired); the interval is then about the prompt, not about which articles happened to be in the set.
A field regresses when B is worse than A by more than the margin and the interval excludes zero, or
when the fall is at least twice the margin whatever the interval says: with one or two scoring
articles the interval always touches zero, and a field falling from 0.47 to 0 is not noise.

Only articles both runs answered completely are paired. An article present in one run only, failed in
either, or answered incompletely in either (`meta.incomplete`: the rules' fallback, a failed window:
not the prompt's answer) is never part of a delta: it is listed beside the deltas, per run, and the
CLI decides what that costs (see `summarizer eval compare --help`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from summarizer.evals.aggregate import RunScores
from summarizer.evals.config import CompareConfig
from summarizer.evals.scoring import FIELDS, ArticleScore

Array = NDArray[np.float64]


class Delta(BaseModel):
    metric: str
    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None
    higher_is_better: bool = True
    regressed: bool = False


def _f1(tp: Array, fp: Array, fn: Array) -> Array:
    den = 2 * tp + fp + fn
    return np.where(den > 0, 2 * tp / np.maximum(den, 1), np.nan)  # nothing to find, nothing found: no F1


def _rate(hits: Array, total: Array) -> Array:
    return np.where(total > 0, hits / np.maximum(total, 1), np.nan)


Metric = Callable[[list[ArticleScore]], list[Array]]


def _metrics() -> dict[str, tuple[Metric, Callable[..., Array], bool]]:
    def counts(field: str) -> Metric:
        def value(a: ArticleScore, key: str) -> int:
            return getattr(a.fields[field].counts, key) if field in a.fields else 0  # not labelled: no counts

        return lambda arts: [np.array([value(a, k) for a in arts], dtype=float) for k in ("tp", "fp", "fn")]

    def ratio(name: str) -> Metric:
        return lambda arts: [
            np.array([getattr(getattr(a, name), k) for a in arts], dtype=float) for k in ("hits", "total")
        ]

    table: dict[str, tuple[Metric, Callable[..., Array], bool]] = {}
    for field in FIELDS:
        table[f"{field} F1"] = (counts(field), _f1, True)
    table["speaker accuracy"] = (ratio("speaker"), _rate, True)
    table["fabricated rate"] = (ratio("fabricated"), _rate, False)
    return table


class Comparison(BaseModel):
    deltas: list[Delta]
    compared: list[str] = []  # the articles the deltas are over
    only_a: list[str]
    only_b: list[str]
    failed_a: list[str]
    failed_b: list[str]
    incomplete_a: list[str] = []
    incomplete_b: list[str] = []

    @property
    def regressed(self) -> list[str]:
        return [d.metric for d in self.deltas if d.regressed]


def incomplete(run: RunScores) -> list[str]:
    """Articles whose answer was incomplete (`meta.incomplete`): a fallback stood in for part of the prompt's."""
    return sorted(s.article for s in run.articles if s.incomplete)


def failed(run: RunScores) -> list[str]:
    """Articles the run has no answer for (older scores.json files list them only in meta.errors)."""
    errors = run.meta.get("errors")
    listed = set(errors) if isinstance(errors, dict) else set()
    return sorted((listed | {s.article for s in run.articles if s.error is not None}) - set(incomplete(run)))


def compare(a: RunScores, b: RunScores, config: CompareConfig) -> Comparison:
    by_a = {s.article: s for s in a.articles}
    by_b = {s.article: s for s in b.articles}
    unanswered = {*failed(a), *failed(b), *incomplete(a), *incomplete(b)}
    paired = sorted(slug for slug in set(by_a) & set(by_b) if slug not in unanswered)
    labelled = set(a.fields) | set(b.fields)
    return Comparison(
        deltas=_deltas([by_a[s] for s in paired], [by_b[s] for s in paired], labelled, config) if paired else [],
        compared=paired,
        only_a=sorted(set(by_a) - set(by_b)),
        only_b=sorted(set(by_b) - set(by_a)),
        failed_a=failed(a),
        failed_b=failed(b),
        incomplete_a=incomplete(a),
        incomplete_b=incomplete(b),
    )


def _deltas(
    arts_a: list[ArticleScore], arts_b: list[ArticleScore], labelled: set[str], config: CompareConfig
) -> list[Delta]:
    """Paired deltas over the same articles (`arts_a[i]` and `arts_b[i]` are one article)."""
    n = len(arts_a)
    rng = np.random.default_rng(config.seed)
    draws = rng.integers(0, n, size=(config.resamples, n))
    wanted = {f"{f} F1" for f in config.fields if f in labelled} | {"speaker accuracy", "fabricated rate"}
    deltas = []
    for name, (extract, score, higher_is_better) in _metrics().items():
        if name not in wanted:
            continue
        xa, xb = extract(arts_a), extract(arts_b)
        point_a = float(score(*(x.sum(keepdims=True) for x in xa))[0])
        point_b = float(score(*(x.sum(keepdims=True) for x in xb))[0])
        boot = score(*(x[draws].sum(axis=1) for x in xb)) - score(*(x[draws].sum(axis=1) for x in xa))
        boot = boot[~np.isnan(boot)]
        if np.isnan(point_a) or np.isnan(point_b) or boot.size == 0:
            deltas.append(Delta(metric=name, a=None, b=None, delta=None, low=None, high=None))
            continue
        low, high = (float(v) for v in np.percentile(boot, [2.5, 97.5]))
        delta = point_b - point_a
        worse = -delta if higher_is_better else delta
        excludes_zero = high < 0 if higher_is_better else low > 0
        deltas.append(
            Delta(
                metric=name, a=point_a, b=point_b, delta=delta, low=low, high=high,
                higher_is_better=higher_is_better,
                regressed=worse > config.margin and (excludes_zero or worse >= 2 * config.margin),
            )
        )  # fmt: skip
    return deltas
