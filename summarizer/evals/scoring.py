"""Scoring one predicted summary against one gold file, field by field.

Names match when any predicted name or alias is close to any gold name or alias; sentences
(outcomes, claims) match on their content words, or through a semantic judge when one is plugged in.
Optional gold items are neutral: never a miss, and a prediction that matches one is not counted at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from summarizer.evals.gold import GoldCase, GoldOutcome, GoldParty, GoldQuote, _Gold
from summarizer.evals.matching import pair
from summarizer.evals.metrics import Counts, Ratio
from summarizer.evals.normalise import content_words, name_key, plain
from summarizer.grounding import Article
from summarizer.schemas import Outcome, Party, Quote, Summary

FIELDS = ("parties", "locations", "outcomes", "quotes", "contested_claims")
T = TypeVar("T")


class SemanticJudge(Protocol):
    """Says how alike two statements are in meaning (0..1); e.g. an LLM or an embedding model.

    Off by default and in CI: scores must be reproducible without a model.
    """

    def similarity(self, field: str, predicted: str, gold: str) -> float: ...


class ScoringConfig(BaseModel):
    """Thresholds of the fuzzy matchers; kept in evals/thresholds.yaml under `scoring`."""

    name_threshold: float = Field(default=0.85, ge=0, le=1, description="token_set_ratio for names.")
    text_threshold: float = Field(default=0.55, ge=0, le=1, description="Content-word similarity for sentences.")
    quote_threshold: float = Field(
        default=0.6, ge=0, le=1, description="Shorter/longer length when one quote contains the other."
    )


class FieldResult(BaseModel):
    """Counts of one field in one article, with the items behind them, for the report."""

    counts: Counts = Field(default_factory=Counts)
    misses: list[str] = Field(default_factory=list)
    false_positives: list[str] = Field(default_factory=list)
    matches: list[tuple[str, str]] = Field(default_factory=list)


class ArticleScore(BaseModel):
    article: str
    fields: dict[str, FieldResult]
    speaker: Ratio = Field(default_factory=Ratio, description="Matched quotes whose speaker is right.")
    fabricated: Ratio = Field(default_factory=Ratio, description="Predicted quotes not verbatim in the article.")
    status: Ratio = Field(default_factory=Ratio, description="Matched outcomes whose status is right.")


def name_similarity(predicted: Sequence[str], gold: Sequence[str]) -> float:
    """Best token-set similarity over every pair of names, honorifics and punctuation aside."""
    best = 0.0
    for p in {name_key(n) for n in predicted if n.strip()}:
        for g in {name_key(n) for n in gold if n.strip()}:
            if p == g:
                return 1.0
            # token_set_ratio makes "Indonesia" equal "Aceh, Indonesia"; a tiny plain-ratio term breaks
            # that tie, so the pairing gives the exact gold item to the exact prediction.
            best = max(best, fuzz.token_set_ratio(p, g) / 100 - (1 - fuzz.ratio(p, g) / 100) / 1000)
    return best


def text_similarity(predicted: str, gold: str) -> float:
    """Content-word similarity that neither rewards a fragment nor punishes word order."""
    p, g = content_words(predicted), content_words(gold)
    return (fuzz.token_set_ratio(p, g) + fuzz.token_sort_ratio(p, g)) / 200


def quote_similarity(predicted: str, gold: str) -> float:
    """1.0 for the same words; a containing or contained quote scores its share of the longer one."""
    p, g = plain(predicted), plain(gold)
    if not p or not g:
        return 0.0
    if p == g:
        return 1.0
    if p in g or g in p:
        return min(len(p), len(g)) / max(len(p), len(g))
    return fuzz.ratio(p, g) / 100


G = TypeVar("G", bound=_Gold)


def _score(
    predicted: Sequence[T],
    gold: Sequence[G],
    similarity: Callable[[T, G], float],
    threshold: float,
    show: Callable[[T], str],
    show_gold: Callable[[G], str],
) -> tuple[FieldResult, list[tuple[T, G, float]]]:
    pairing = pair(predicted, gold, similarity, threshold)
    result = FieldResult()
    for p, g, _ in pairing.pairs:
        if not g.optional:
            result.counts.tp += 1
        result.matches.append((show(p), show_gold(g)))
    result.false_positives = [show(p) for p in pairing.unmatched_predicted]
    result.misses = [show_gold(g) for g in pairing.unmatched_gold if not g.optional]
    result.counts.fp = len(result.false_positives)
    result.counts.fn = len(result.misses)
    return result, pairing.pairs


def _party_names(name: str, parties: Sequence[Party]) -> list[str]:
    for party in parties:
        if name_key(party.name) == name_key(name):
            return [party.name, *party.aliases]
    return [name]


def _gold_names(name: str, parties: Sequence[GoldParty]) -> list[str]:
    for party in parties:
        if any(name_key(n) == name_key(name) for n in (party.name, *party.aliases)):
            return [party.name, *party.aliases]
    return [name]


def score_article(
    case: GoldCase, summary: Summary, config: ScoringConfig | None = None, judge: SemanticJudge | None = None
) -> ArticleScore:
    cfg = config or ScoringConfig()
    gold = case.gold
    fields: dict[str, FieldResult] = {}

    def sentences(name: str) -> Callable[[str, str], float]:
        if judge is None:
            return text_similarity
        return lambda p, g: judge.similarity(name, p, g)

    fields["parties"], _ = _score(
        summary.parties, gold.parties,
        lambda p, g: name_similarity([p.name, *p.aliases], [g.name, *g.aliases]),
        cfg.name_threshold, lambda p: p.name, lambda g: g.name,
    )  # fmt: skip
    fields["locations"], _ = _score(
        summary.locations, gold.locations,
        lambda p, g: name_similarity([p.name], [g.name, *g.aliases]),
        cfg.name_threshold, lambda p: p.name, lambda g: g.name,
    )  # fmt: skip
    outcome_similarity = sentences("outcomes")
    fields["outcomes"], outcome_pairs = _score(
        summary.outcomes, gold.outcomes,
        lambda p, g: outcome_similarity(p.description, g.description),
        cfg.text_threshold, lambda p: p.description, lambda g: g.description,
    )  # fmt: skip
    claim_similarity = sentences("contested_claims")
    fields["contested_claims"], _ = _score(
        summary.contested_claims, gold.contested_claims,
        lambda p, g: claim_similarity(p.claim, g.claim),
        cfg.text_threshold, lambda p: p.claim, lambda g: g.claim,
    )  # fmt: skip
    fields["quotes"], quote_pairs = _score(
        summary.quotes, gold.quotes,
        lambda p, g: quote_similarity(p.text, g.text),
        cfg.quote_threshold, lambda p: p.text, lambda g: g.text,
    )  # fmt: skip
    return ArticleScore(
        article=case.slug,
        fields=fields,
        speaker=_speakers(quote_pairs, summary.parties, gold.parties, cfg),
        fabricated=fabricated(case.text, summary.quotes),
        status=_statuses(outcome_pairs),
    )


def _speakers(
    pairs: list[tuple[Quote, GoldQuote, float]], parties: Sequence[Party], gold: Sequence[GoldParty], cfg: ScoringConfig
) -> Ratio:
    right = sum(
        p.speaker is not None  # an unattributed quotation never has the right speaker
        and name_similarity(_party_names(p.speaker, parties), _gold_names(g.speaker, gold)) >= cfg.name_threshold
        for p, g, _ in pairs
    )
    return Ratio(hits=right, total=len(pairs))


def _statuses(pairs: Sequence[tuple[Outcome, GoldOutcome, float]]) -> Ratio:
    right = sum(p.status == g.status for p, g, _ in pairs)
    return Ratio(hits=right, total=len(pairs))


def fabricated(text: str, quotes: Sequence[Quote]) -> Ratio:
    """Predicted quotes that are not in the article verbatim: needs no gold at all."""
    article = Article(text)
    return Ratio(hits=sum(not article.contains(q.text) for q in quotes), total=len(quotes))
