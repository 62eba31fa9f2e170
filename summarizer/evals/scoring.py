"""Scoring one predicted summary against one gold file, field by field.

Each rule below was set against an independent reference scorer on the same predictions; the
meta-evaluation (tests/evals/test_meta_eval.py) holds the scorer to every one of them.

- Names match when a predicted name or alias has the same words as a gold name or alias, up to
  spelling slips, word order and stop-words. A differing word is a different referent ("West German
  team" is not "East German team"), and a name is not its superset (a state is not a department of a
  university named after it); only a person may be named by surname ("Putin" for "Vladimir Putin").
- Sentences (outcomes, claims) match on the overlap of their stemmed content words, each word weighted
  by how rare it is in the article: the names every sentence of the story shares say little, the verb
  and the score say what happened. A semantic judge can replace this when one is plugged in.
- A claim matches only when its text matches the gold claim (or one of its `claim_aliases`) **and**
  its claimant is the gold claimant.
- Quotes match when equal, when one is a run of whole sentences of the other (a quote split where
  the reporter's "he said" interrupts it), or when one contains the other and covers most of it; an
  only character-level likeness is a match for a typo, never for a different quote.
- Optional gold items are neutral: never a miss, and a prediction that matches one is not counted.
- Only the fields a gold file covers (`fields:`) are scored; the others say nothing about the answer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from summarizer.evals.gold import FIELDS, GoldCase, GoldClaim, GoldOutcome, GoldParty, GoldQuote, _Gold
from summarizer.evals.matching import Pairing, pair
from summarizer.evals.metrics import Counts, Ratio
from summarizer.evals.normalise import STOPWORDS, name_key, plain, stems
from summarizer.schemas import ContestedClaim, Outcome, Party, Quote, Summary
from summarizer.text.article import Article
from summarizer.text.article import normalise as normalise_marks

__all__ = ["FIELDS", "ArticleScore", "FieldResult", "ScoringConfig", "SemanticJudge", "score_article"]

T = TypeVar("T")
G = TypeVar("G", bound=_Gold)

SPELLING = 0.85
"""rapidfuzz ratio at which two words are one word spelt two ways ("Zelenskyy"/"Zelensky" 0.94); "west"/"east" is
0.75 and "Ahmed"/"Mohamed" 0.83."""
NEAR_IDENTICAL = 0.92
"""Character likeness at which two quotes are one quote with a typo; different quotes sharing words score lower."""
SENTENCE_MATCH = 0.8
"""Least similarity of a quote that is a run of whole sentences of the other (above `quote_threshold`)."""


class SemanticJudge(Protocol):
    """Says how alike two statements are in meaning (0..1); e.g. an LLM or an embedding model.

    Off by default and in CI: scores must be reproducible without a model.
    """

    def similarity(self, field: str, predicted: str, gold: str) -> float: ...


class ScoringConfig(BaseModel):
    """Thresholds of the fuzzy matchers; kept in evals/thresholds.yaml under `scoring`."""

    name_threshold: float = Field(default=0.85, ge=0, le=1, description="Name similarity for a match.")
    text_threshold: float = Field(
        default=0.55, ge=0, le=1, description="Weighted content-word overlap for sentences (outcomes, claims)."
    )
    quote_threshold: float = Field(
        default=0.6, ge=0, le=1, description="Shorter/longer length when one quote contains the other."
    )


class FieldResult(BaseModel):
    """Counts of one field in one article, with the items behind them, for the report."""

    counts: Counts = Field(default_factory=Counts)
    misses: list[str] = Field(default_factory=list)
    false_positives: list[str] = Field(default_factory=list)
    matches: list[tuple[str, str]] = Field(default_factory=list)


Confidences = dict[str, list[tuple[float, bool]]]


def _conf(item: object) -> float | None:
    value = getattr(item, "confidence", None)
    return value if isinstance(value, float | int) else None


class QuoteCheck(BaseModel):
    """One matched quote's attribution, for the report: who the prediction and the gold say spoke."""

    text: str
    predicted: str | None
    gold: str
    right: bool
    optional: bool = False


class Incomplete(BaseModel):
    """A field group the service gave up on after its re-asks (`meta.incomplete` of the response)."""

    field: str
    reason: str = ""


class ArticleScore(BaseModel):
    article: str
    error: str | None = Field(default=None, description="Why the article has no answer (scored as an empty one).")
    incomplete: list[Incomplete] = Field(default_factory=list)
    dropped: dict[str, int] = Field(default_factory=dict, description="Items grounding removed, per field path.")
    coerced: dict[str, int] = Field(default_factory=dict, description="Items kept after a safe coercion.")
    fields: dict[str, FieldResult] = Field(description="Only the fields the gold file covers.")
    speaker: Ratio = Field(default_factory=Ratio, description="Matched required quotes whose speaker is right.")
    fabricated: Ratio = Field(default_factory=Ratio, description="Predicted quotes not verbatim in the article.")
    status: Ratio = Field(default_factory=Ratio, description="Matched outcomes whose status is right.")
    speakers: list[QuoteCheck] = Field(default_factory=list, description="Every matched quote's attribution.")
    confidence: Confidences = Field(
        default_factory=dict,
        description="Per field (and `quotes.speaker`), every scored prediction's confidence and whether it was "
        "right: what calibration is computed from. Predictions without a confidence are left out.",
    )


# --- names ----------------------------------------------------------------------------------------


def _words(key: str) -> list[str]:
    words = key.split()
    return [w for w in words if w not in STOPWORDS] or words


def _key_similarity(p: str, g: str, person: bool) -> float:
    if p == g:
        return 1.0
    pw, gw = _words(p), _words(g)
    common = Counter(pw) & Counter(gw)
    left_p = list((Counter(pw) - common).elements())
    left_g = list((Counter(gw) - common).elements())
    for word in list(left_p):  # the same word spelt two ways is the same word
        close = max(left_g, key=lambda other: fuzz.ratio(word, other), default=None)
        if close is not None and fuzz.ratio(word, close) / 100 >= SPELLING:
            left_p.remove(word)
            left_g.remove(close)
    if not left_p and not left_g:  # same words up to order, stop-words and spelling: below an exact match
        return 0.9 + 0.09 * fuzz.ratio(p, g) / 100
    if left_p and left_g:
        return 0.0  # a word differs: a different referent
    shorter, longer = (pw, gw) if not left_p else (gw, pw)
    if person and longer[-len(shorter) :] == shorter:
        return 0.88  # a person by surname
    return 0.0  # a superset names something else


_QUALIFIER = re.compile(r",\s+|\s+in\s+")


def _forms(name: str) -> dict[str, float]:
    """A predicted name, and its head without a trailing qualifier ("Constitution Hall in Washington D.C.")."""
    forms = {name_key(name): 1.0}
    head = _QUALIFIER.split(name, maxsplit=1)[0]
    if head != name and head.strip():
        forms.setdefault(name_key(head), 0.98)
    return forms


def name_similarity(predicted: Sequence[str], gold: Sequence[str], person: bool = False) -> float:
    """Best similarity over every pair of names, honorifics and punctuation aside (see the module docstring)."""
    best = 0.0
    candidates: dict[str, float] = {}
    for name in predicted:
        if name and name.strip():
            for form, factor in _forms(name).items():
                candidates[form] = max(candidates.get(form, 0.0), factor)
    for p, factor in candidates.items():
        for g in {name_key(n) for n in gold if n and n.strip()}:
            best = max(best, factor * _key_similarity(p, g, person))
            if best == 1.0:
                return best
    return best


# --- sentences ------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?\n]+")


def word_weights(text: str) -> dict[str, float]:
    """Inverse sentence frequency of every content word of the article; a word it never uses weighs most."""
    sentences = [set(stems(s)) for s in _SENTENCE_END.split(text) if s.strip()]
    n = len(sentences)
    frequency: Counter[str] = Counter(word for words in sentences for word in words)
    weights = {word: math.log(1 + n / (1 + df)) for word, df in frequency.items()}
    weights[""] = math.log(1 + n)  # the default, for words the article does not contain
    return weights


def text_similarity(predicted: str, gold: str, weights: Mapping[str, float] | None = None) -> float:
    """Weighted overlap of stemmed content words: the mean of Dice and the overlap coefficient.

    Dice alone punishes a prediction for being shorter than the gold sentence; the overlap
    coefficient alone lets any fragment match. With rare words weighing most, a different verb or
    score costs more than shared names earn ("Germany faced Brazil" is not "Germany beat Brazil 2-1").
    """
    p, g = set(stems(predicted)), set(stems(gold))
    if not p or not g:
        return 0.0

    def weight(words: set[str]) -> float:
        return float(len(words)) if weights is None else sum(weights.get(w, weights.get("", 1.0)) for w in words)

    shared, left, right = weight(p & g), weight(p), weight(g)
    return (2 * shared / (left + right) + shared / min(left, right)) / 2


# --- quotes ---------------------------------------------------------------------------------------

_TRAILING = " .,;:!?\"'"


def _soft(text: str) -> str:
    """Marks straightened, lower case, single spaces, surrounding quote marks gone: punctuation kept."""
    return normalise_marks(text.replace("`", "'")).casefold().strip(" \"'")


def _whole_sentences(short: str, long: str) -> bool:
    """True when `short` is a run of complete sentences of `long` (it starts and ends at sentence ends)."""
    core = _soft(short).rstrip(_TRAILING)
    text = _soft(long)
    at = text.find(core)
    if not core or at < 0:
        return False
    before = text[:at].rstrip(" \"'")
    after = text[at + len(core) :].lstrip(" \"'")
    return (not before or before[-1] in ".!?") and (not after.rstrip(_TRAILING) or after[0] in ".!?")


def quote_similarity(predicted: str, gold: str) -> float:
    """1.0 for the same words; a contained quote scores its share (whole sentences: at least 0.8); else ~0."""
    p, g = plain(predicted), plain(gold)
    if not p or not g:
        return 0.0
    if p == g:
        return 1.0
    (short, short_raw), (long, long_raw) = sorted(((p, predicted), (g, gold)), key=lambda x: len(x[0]))
    if f" {short} " in f" {long} ":
        share = len(short) / len(long)
        if _whole_sentences(short_raw, long_raw):
            return SENTENCE_MATCH + (1 - SENTENCE_MATCH) * share
        return share
    likeness = fuzz.ratio(p, g) / 100
    return likeness if likeness >= NEAR_IDENTICAL else 0.0


# --- one article ----------------------------------------------------------------------------------


def _score(
    predicted: Sequence[T],
    gold: Sequence[G],
    similarity: Callable[[T, G], float],
    threshold: float,
    show: Callable[[T], str],
    show_gold: Callable[[G], str],
) -> tuple[FieldResult, Pairing[T, G]]:
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
    return result, pairing


def _party_names(name: str | None, parties: Sequence[Party]) -> list[str]:
    if name is None:
        return []
    for party in parties:
        if name_key(party.name) == name_key(name):
            return [party.name, *party.aliases]
    return [name]


def _gold_names(name: str, parties: Sequence[GoldParty]) -> list[str]:
    for party in parties:
        if any(name_key(n) == name_key(name) for n in (party.name, *party.aliases)):
            return [party.name, *party.aliases]
    return [name]


class _Scorer:
    """The matchers of one article, sharing its word weights and both sides' party lists."""

    def __init__(self, case: GoldCase, summary: Summary, cfg: ScoringConfig, judge: SemanticJudge | None) -> None:
        self.case, self.summary, self.cfg, self.judge = case, summary, cfg, judge
        self.weights = word_weights(case.text)
        self.pairings: dict[str, Pairing[Any, Any]] = {}

    def sentences(self, field: str, predicted: str, gold: str) -> float:
        if self.judge is not None:
            return self.judge.similarity(field, predicted, gold)
        return text_similarity(predicted, gold, self.weights)

    def same_speaker(self, predicted: str | None, gold: str) -> bool:
        if predicted is None:  # attribution failed: the quote counts, its speaker is wrong
            return False
        names = _party_names(predicted, self.summary.parties)
        return name_similarity(names, _gold_names(gold, self.case.gold.parties), person=True) >= self.cfg.name_threshold

    def party(self, p: Party, g: GoldParty) -> float:
        return name_similarity([p.name, *p.aliases], [g.name, *g.aliases], person=g.kind == "person")

    def outcome(self, p: Outcome, g: GoldOutcome) -> float:
        return self.sentences("outcomes", p.description, g.description)

    def claim(self, p: ContestedClaim, g: GoldClaim) -> float:
        text = max(self.sentences("contested_claims", p.claim, c) for c in (g.claim, *g.claim_aliases))
        if text < self.cfg.text_threshold:
            return 0.0
        if g.claimant is not None and not self.same_speaker(p.claimant, g.claimant):
            return 0.0  # the right words from the wrong mouth: "B sues A" is not "A sues B"
        return text

    def score(self) -> ArticleScore:
        gold, summary, cfg = self.case.gold, self.summary, self.cfg
        covered = set(gold.fields)
        fields: dict[str, FieldResult] = {}
        outcome_pairs: list[tuple[Outcome, GoldOutcome, float]] = []
        quote_pairs: list[tuple[Quote, GoldQuote, float]] = []
        if "parties" in covered:
            fields["parties"], self.pairings["parties"] = _score(
                summary.parties, gold.parties, self.party, cfg.name_threshold, lambda p: p.name, lambda g: g.name
            )
        if "locations" in covered:
            fields["locations"], self.pairings["locations"] = _score(
                summary.locations, gold.locations,
                lambda p, g: name_similarity([p.name], [g.name, *g.aliases]),
                cfg.name_threshold, lambda p: p.name, lambda g: g.name,
            )  # fmt: skip
        if "outcomes" in covered:
            fields["outcomes"], outcome_pairing = _score(
                summary.outcomes, gold.outcomes, self.outcome, cfg.text_threshold,
                lambda p: p.description, lambda g: g.description,
            )  # fmt: skip
            self.pairings["outcomes"], outcome_pairs = outcome_pairing, outcome_pairing.pairs
        if "contested_claims" in covered:
            fields["contested_claims"], self.pairings["contested_claims"] = _score(
                summary.contested_claims, gold.contested_claims, self.claim, cfg.text_threshold,
                lambda p: f"{p.claim} ({p.claimant})", lambda g: f"{g.claim} ({g.claimant or 'anyone'})",
            )  # fmt: skip
        if "quotes" in covered:
            fields["quotes"], quote_pairing = _score(
                summary.quotes, gold.quotes, lambda p, g: quote_similarity(p.text, g.text),
                cfg.quote_threshold, lambda p: p.text, lambda g: g.text,
            )  # fmt: skip
            quote_pairs = quote_pairing.pairs
        checks = [
            QuoteCheck(text=g.text, predicted=p.speaker, gold=g.speaker, right=self.same_speaker(p.speaker, g.speaker),
                       optional=g.optional)
            for p, g, _ in quote_pairs
        ]  # fmt: skip
        required = [c for c in checks if not c.optional]
        return ArticleScore(
            article=self.case.slug,
            fields=fields,
            speaker=Ratio(hits=sum(c.right for c in required), total=len(required)),
            fabricated=fabricated(self.case.text, summary.quotes),
            status=Ratio(
                hits=sum(p.status == g.status for p, g, _ in outcome_pairs if g.status is not None),
                total=sum(g.status is not None for _, g, _ in outcome_pairs),
            ),
            speakers=checks,
            confidence=self.confidences(quote_pairs, checks),
        )

    def confidences(self, quote_pairs: list[tuple[Quote, GoldQuote, float]], checks: list[QuoteCheck]) -> Confidences:
        """Every scored prediction that carries a confidence, with whether it was right: calibration's data.

        A prediction is right when it matched a required gold item, wrong when it matched nothing; one that
        matched an optional item is neither (as in the counts). A quote's speaker is right or wrong among
        the matched required quotes, as in speaker accuracy.
        """
        found: Confidences = {}
        for name, pairing in self.pairings.items():
            rows = [(c, True) for c in (_conf(p) for p, g, _ in pairing.pairs if not g.optional) if c is not None]
            rows += [(c, False) for c in (_conf(p) for p in pairing.unmatched_predicted) if c is not None]
            if rows:
                found[name] = rows
        speakers = [
            (p.speaker_confidence, check.right)
            for (p, _, _), check in zip(quote_pairs, checks, strict=True)
            if not check.optional and p.speaker_confidence is not None
        ]
        if speakers:
            found["quotes.speaker"] = speakers
        return found


def score_article(
    case: GoldCase, summary: Summary, config: ScoringConfig | None = None, judge: SemanticJudge | None = None
) -> ArticleScore:
    return _Scorer(case, summary, config or ScoringConfig(), judge).score()


def fabricated(text: str, quotes: Sequence[Quote]) -> Ratio:
    """Predicted quotes that are not in the article verbatim: needs no gold at all.

    A backtick is an apostrophe (some corpora write don`t), and end punctuation the article puts
    outside the closing mark ("… stronger".) is not a difference.
    """
    article = Article(text.replace("`", "'"))

    def found(quote: str) -> bool:
        folded = quote.replace("`", "'")
        return article.contains(folded) or article.contains(folded.rstrip(_TRAILING))

    return Ratio(hits=sum(not found(q.text) for q in quotes), total=len(quotes))
