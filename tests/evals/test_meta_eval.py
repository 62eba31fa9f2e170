"""Meta-evaluation: on every gold file, the scorer must rank known-good above known-bad predictions."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.aggregate import RunScores, aggregate
from summarizer.evals.config import load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.scoring import FIELDS, score_article
from summarizer.evals.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
CASES = load_gold(ROOT / "evals" / "gold", ROOT / "evals" / "articles")
CONFIG = load_config(ROOT / "evals" / "thresholds.yaml").scoring


def mean_f1(case: GoldCase, variant: str) -> float:
    scored = score_article(case, VARIANTS[variant](case), CONFIG)
    return sum(scored.fields[f].counts.f1 for f in FIELDS) / len(FIELDS)


def run(variant: str) -> RunScores:
    return aggregate([score_article(c, VARIANTS[variant](c), CONFIG) for c in CASES], CONFIG)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_ranking_on_each_article(case: GoldCase) -> None:
    perfect, aliased, dropped, empty = (mean_f1(case, v) for v in ("perfect", "aliased", "dropped", "empty"))
    assert perfect == 1.0
    assert aliased == pytest.approx(perfect, abs=0.02)
    assert aliased > dropped > empty


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_invented_items_cost_precision_not_recall(case: GoldCase) -> None:
    perfect = score_article(case, VARIANTS["perfect"](case), CONFIG)
    invented = score_article(case, VARIANTS["invented"](case), CONFIG)
    for field in ("parties", "quotes"):
        assert invented.fields[field].counts.precision < perfect.fields[field].counts.precision
        assert invented.fields[field].counts.recall == perfect.fields[field].counts.recall
    assert invented.fabricated.hits == 1 and perfect.fabricated.hits == 0
    if case.gold.quotes:
        assert invented.speaker.hits < invented.speaker.total


def test_ranking_over_the_whole_set() -> None:
    runs = {name: run(name) for name in VARIANTS}
    for field in FIELDS:
        f1 = {name: r.fields[field].micro.f1 for name, r in runs.items()}
        assert f1["perfect"] == f1["aliased"] == 1.0, field
        assert f1["perfect"] > f1["dropped"] > f1["empty"] == 0.0, field
        assert runs["invented"].fields[field].micro.precision <= 1.0
    assert runs["invented"].fields["parties"].micro.precision < 1.0
    assert runs["invented"].fabricated_rate is not None and runs["invented"].fabricated_rate > 0
    assert runs["perfect"].fabricated_rate == 0.0
    assert runs["invented"].speaker_accuracy is not None and runs["invented"].speaker_accuracy < 1.0
