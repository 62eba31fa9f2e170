"""Two runs side by side: per-field deltas with a paired bootstrap over articles.

Articles differ far more than prompts do, so both runs are resampled with the *same* article draws
(paired); the interval is then about the prompt, not about which articles happened to be in the set.
A field regresses when B is worse than A by more than the margin and the interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from summarizer.errors import ConfigurationError
from summarizer.evals.aggregate import RunScores
from summarizer.evals.config import CompareConfig
from summarizer.evals.scoring import ArticleScore

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
    return np.where(den > 0, 2 * tp / np.maximum(den, 1), 1.0)


def _rate(hits: Array, total: Array) -> Array:
    return np.where(total > 0, hits / np.maximum(total, 1), np.nan)


Metric = Callable[[list[ArticleScore]], list[Array]]


def _metrics() -> dict[str, tuple[Metric, Callable[..., Array], bool]]:
    def counts(field: str) -> Metric:
        return lambda arts: [
            np.array([getattr(a.fields[field].counts, k) for a in arts], dtype=float) for k in ("tp", "fp", "fn")
        ]

    def ratio(name: str) -> Metric:
        return lambda arts: [
            np.array([getattr(getattr(a, name), k) for a in arts], dtype=float) for k in ("hits", "total")
        ]

    table: dict[str, tuple[Metric, Callable[..., Array], bool]] = {}
    for field in ("parties", "locations", "outcomes", "quotes", "contested_claims"):
        table[f"{field} F1"] = (counts(field), _f1, True)
    table["speaker accuracy"] = (ratio("speaker"), _rate, True)
    table["fabricated rate"] = (ratio("fabricated"), _rate, False)
    return table


def compare(a: RunScores, b: RunScores, config: CompareConfig) -> list[Delta]:
    by_a = {s.article: s for s in a.articles}
    by_b = {s.article: s for s in b.articles}
    common = sorted(set(by_a) & set(by_b))
    if not common:
        raise ConfigurationError("the two runs share no articles")
    arts_a, arts_b = [by_a[s] for s in common], [by_b[s] for s in common]
    rng = np.random.default_rng(config.seed)
    draws = rng.integers(0, len(common), size=(config.resamples, len(common)))
    wanted = {f"{f} F1" for f in config.fields} | {"speaker accuracy", "fabricated rate"}
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
                higher_is_better=higher_is_better, regressed=worse > config.margin and excludes_zero,
            )
        )  # fmt: skip
    return deltas
