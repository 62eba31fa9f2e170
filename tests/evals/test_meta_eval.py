"""Meta-evaluation: on every gold file, the scorer must rank known-good above known-bad predictions."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.aggregate import RunScores, aggregate
from summarizer.evals.config import load_config
from summarizer.evals.gold import GoldCase, GoldFile, load_gold
from summarizer.evals.scoring import FIELDS, score_article
from summarizer.evals.variants import (
    VARIANTS,
    first_sentences,
    near_miss_quotes,
    paraphrased,
    perfect,
    superset_names,
    swapped_claimants,
)

ROOT = Path(__file__).resolve().parents[2]
CASES = load_gold(ROOT / "evals" / "gold", ROOT / "evals" / "articles")
CONFIG = load_config(ROOT / "evals" / "thresholds.yaml").scoring


def _only(case: GoldCase, **fields: object) -> GoldCase:
    """The same article with a gold file reduced to the given items."""
    gold = GoldFile.model_validate({**case.gold.model_dump(), **fields})
    return GoldCase(gold=gold, text=case.text)


def number(value: float | None) -> float:
    """A score that must be defined here (the field has something to find)."""
    assert value is not None
    return value


def mean_f1(case: GoldCase, variant: str) -> float:
    """The mean F1 over the fields where the case gives something to find (the others have no F1)."""
    perfect = score_article(case, VARIANTS["perfect"](case), CONFIG)
    defined = [f for f, result in perfect.fields.items() if result.counts.f1 is not None]
    assert defined, f"{case.slug} gives nothing to find"
    scored = score_article(case, VARIANTS[variant](case), CONFIG)
    return sum(scored.fields[f].counts.f1 or 0.0 for f in defined) / len(defined)


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
        # Nothing to find (no gold quote): the perfect answer has no precision, the invented quote makes it 0.
        assert number(invented.fields[field].counts.precision) < (perfect.fields[field].counts.precision or 1.0)
        assert invented.fields[field].counts.recall == (perfect.fields[field].counts.recall or 1.0)
    assert invented.fabricated.hits == 1 and perfect.fabricated.hits == 0
    if case.gold.quotes:
        assert invented.speaker.hits < invented.speaker.total


def test_ranking_over_the_whole_set() -> None:
    runs = {name: run(name) for name in VARIANTS}
    for field in FIELDS:
        f1 = {name: number(r.fields[field].micro.f1) for name, r in runs.items()}
        assert f1["perfect"] == f1["aliased"] == 1.0, field
        assert f1["perfect"] > f1["dropped"] > f1["empty"] == 0.0, field
        assert number(runs["invented"].fields[field].micro.precision) <= 1.0
    assert number(runs["invented"].fields["parties"].micro.precision) < 1.0
    assert runs["invented"].fabricated_rate is not None and runs["invented"].fabricated_rate > 0
    assert runs["perfect"].fabricated_rate == 0.0
    assert runs["invented"].speaker_accuracy is not None and runs["invented"].speaker_accuracy < 1.0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_aliased_names_and_shuffled_lists_score_as_perfect_on_every_field(case: GoldCase) -> None:
    aliased = score_article(case, VARIANTS["aliased"](case), CONFIG)
    for field in FIELDS:
        f1 = aliased.fields[field].counts.f1
        if f1 is None:  # nothing to find there, and nothing predicted: no F1 at all
            assert not [g for g in getattr(case.gold, field) if not g.optional], field
            continue
        assert f1 >= 0.98, (field, aliased.fields[field].misses)


CLAIMED = [c for c in CASES if any(claim.claim_aliases for claim in c.gold.contested_claims)]


@pytest.mark.parametrize("case", CLAIMED, ids=lambda c: c.slug)
def test_paraphrased_claims_match_and_swapped_claimants_do_not(case: GoldCase) -> None:
    matched = score_article(case, paraphrased(case), CONFIG).fields["contested_claims"]
    assert len(matched.matches) == len(case.gold.contested_claims), "every claim, optional ones too, matches"
    assert not matched.misses and not matched.false_positives
    swapped = score_article(case, swapped_claimants(case), CONFIG).fields["contested_claims"]
    assert swapped.counts.tp == 0 and not swapped.matches


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_names_of_things_named_after_a_party_or_place_do_not_match(case: GoldCase) -> None:
    scored = score_article(case, superset_names(case), CONFIG)
    assert not scored.fields["parties"].matches and not scored.fields["locations"].matches


QUOTED = [c for c in CASES if c.gold.quotes]


@pytest.mark.parametrize("case", QUOTED, ids=lambda c: c.slug)
def test_first_sentences_of_quotes_match_and_near_misses_do_not(case: GoldCase) -> None:
    assert score_article(case, first_sentences(case), CONFIG).fields["quotes"].counts.fn == 0
    assert not score_article(case, near_miss_quotes(case), CONFIG).fields["quotes"].matches


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
def test_distinct_gold_items_of_one_article_never_match_each_other(case: GoldCase) -> None:
    """Each gold item, predicted alone, against the article's *other* items: nothing may match.

    Parties are compared by name only: a surname alias ("Mohamed") may name two people of one family.
    """
    base = perfect(case)
    truth = base.model_copy(update={"parties": [p.model_copy(update={"aliases": []}) for p in base.parties]})
    for field in ("parties", "locations", "outcomes", "quotes"):
        items = getattr(case.gold, field)
        for i in range(len(items)):
            bare = {"optional": False, **({"aliases": []} if field == "parties" else {})}
            others = [x.model_copy(update=bare) for j, x in enumerate(items) if j != i]
            gold = _only(case, **{field: others})
            predicted = truth.model_copy(update={field: [getattr(truth, field)[i]]})
            matches = score_article(gold, predicted, CONFIG).fields[field].matches
            assert not matches, (field, matches)
