"""`rules`: the candidates the NLP pass would keep on its own, no model call at all.

It shows what the model adds, gives CI a fast deterministic path, and is what `hybrid` and
`candidates` keep for every field the model does not answer (or answers badly). The picks here
(which parties, places, outcome sentences and claim pairs the rules keep) are shared with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from summarizer.pipeline import assemble, confidence, merge
from summarizer.pipeline.confidence import calibrated
from summarizer.pipeline.run import Run
from summarizer.pipeline.strategies.base import Strategy
from summarizer.schemas import ContestedClaim, Location, Outcome, OutcomeStatus, Party, Summary
from summarizer.text.candidates import Candidates
from summarizer.text.salience import Salience, salience
from summarizer.text.windows import sections

RULES_OUTCOMES = 3  # the rules keep the best-ranked outcome sentences
RULES_CLAIM_SCORE = 5.0  # strong cue, three shared words, a claimant: FNC-1 tune F1 0.12 at 6.0, 0.17 at 5.0
RULES_PARTY_SALIENCE = 0.25  # `text.salience` score to keep a party: named once in the lede or as a subject
RULES_SECTION_CHARS = 3_000  # about one news article (the gold's average): see `reading_sections`
MAX_NAME = Party.model_fields["name"].metadata[0].max_length
MAX_OUTCOMES = Summary.model_fields["outcomes"].metadata[0].max_length
MAX_CLAIMS = Summary.model_fields["contested_claims"].metadata[0].max_length


async def rules(run: Run) -> Summary:
    """The candidates the rules alone would keep; no model call."""
    found = await run.nlp.candidates(run.article, run.nlp_pipeline, reading_sections(run))
    headline, summary = lede(run)
    parties = rule_parties(found)
    choices = {a.quote.start: a.speaker for a in found.attributions}
    outcomes, claims = rule_events(run, found, parties)
    return assemble.from_candidates(
        run.article, run.ledger, headline, summary, parties, rule_places(found), found, choices, outcomes, claims
    )


def reading_sections(run: Run) -> tuple[tuple[int, int], ...]:
    """Pieces of a long article about one news article long, where the rules pick outcomes and claims.

    The rules keep the best few of each per article (the gold has one outcome per ~800 characters);
    over a long article as a whole, "the best three" would describe one part of it.
    """
    if not run.windowed:
        return ()
    return tuple(sections(run.article.text, RULES_SECTION_CHARS))


def rule_events(run: Run, found: Candidates, parties: Sequence[Party]) -> tuple[list[Outcome], list[ContestedClaim]]:
    """The rules' outcomes and claims; over a long article, chosen per section, then interleaved."""
    return section_outcomes(run, found, parties), section_claims(run, found)


def section_outcomes(run: Run, found: Candidates, parties: Sequence[Party]) -> list[Outcome]:
    """The rules' outcomes (their `parties` named from `parties`); over a long article, per section, interleaved."""
    sections = reading_sections(run)
    if not sections:
        return rule_outcomes(found, parties)
    outcomes = [
        rule_outcomes(replace(found, outcomes=tuple(o for o in found.outcomes if a <= o.sentence.start < b)), parties)
        for a, b in sections
    ]
    kept, left = merge.interleave(outcomes, MAX_OUTCOMES)
    for extra in left:
        run.ledger.drop("outcomes", f"{extra.description}: over the limit of {MAX_OUTCOMES} outcomes")
    return kept


def section_claims(run: Run, found: Candidates) -> list[ContestedClaim]:
    """The rules' claims with a claimant (no others are kept); over a long article, per section, interleaved.

    They name no party of a model's, so `hybrid` has them final before its call.
    """
    sections = reading_sections(run)
    if not sections:
        return [c for c in rule_claims(found) if c.claimant]
    inside = [replace(found, claims=tuple(c for c in found.claims if a <= c.evidence.start < b)) for a, b in sections]
    claims = [[c for c in rule_claims(part) if c.claimant] for part in inside]
    kept, left = merge.interleave(claims, MAX_CLAIMS)
    for claim in left:
        run.ledger.drop("contested_claims", f"{claim.claim}: over the limit of {MAX_CLAIMS} claims")
    return kept


# --- what the rules keep when nobody judges -------------------------------------------------------


def rule_parties(found: Candidates) -> list[Party]:
    """The parties salient enough (`text.salience`: lede, subject of a verb, quoted, mentions), or quoted.

    Was "named twice or quoted" (gold parties F1 0.59; salience 0.68); the pass's precision is 0.32 keeping all."""
    ranked = party_salience(found)
    kept = [
        p
        for p in found.parties
        if len(p.name) <= MAX_NAME
        and (ranked[p.key].quoted or (ranked[p.key].score >= RULES_PARTY_SALIENCE and not assemble.is_adjective(p)))
    ]
    return [assemble.party_from(p, "", confidence=calibrated(confidence.PARTIES, ranked[p.key].score)) for p in kept]


def party_salience(found: Candidates) -> dict[str, Salience]:
    speakers = frozenset(a.speaker_key for a in found.attributions if a.speaker_key)
    return salience(found.parties, found.lede, found.actors, speakers)


def rule_places(found: Candidates) -> list[Location]:
    """The places the article puts something in (`Place.located`): a name used only as an actor or a
    modifier ("the United States criticised", "the Dallas chapter") is not one of the story's places."""
    sure = calibrated(confidence.PLACES, 1.0)
    return [assemble.place_from(p, sure) for p in found.places if len(p.name) <= MAX_NAME and p.located]


def rule_outcomes(found: Candidates, parties: Sequence[Party]) -> list[Outcome]:
    """The best-ranked sentences, in article order.

    Keeping more for longer articles (one per 600-900 characters, 2-8) was measured and lost precision
    faster than it gained recall on the gold set, so the count stays fixed."""
    best = sorted(found.outcomes, key=lambda o: -o.score)[:RULES_OUTCOMES]
    return [
        assemble.outcome_from(o, status_of(o.sentence.text), parties)
        for o in sorted(best, key=lambda o: o.sentence.start)
    ]


def rule_claims(found: Candidates) -> list[ContestedClaim]:
    """The best-ranked pair alone, when a strong denial cue answers a reported claim (a clause or a claimant)."""
    strong = [p for p in found.claims if p.score >= RULES_CLAIM_SCORE and (p.clause is not None or p.claimant)]
    best = sorted(strong, key=lambda p: -p.score)[:1]
    return [assemble.claim_from(pair, pair.claimant, pair.disputer) for pair in best]


_PLANNED = (" will ", " plan", " expect", " to be held", " scheduled", " intend")
_AGREED = (" agree", " sign", " approv", " accept")
_FAILED = (" fail", " reject", " without result", " collapsed", " no agreement")


def status_of(sentence: str) -> OutcomeStatus:
    text = f" {sentence.casefold()}"
    for status, cues in (("failed", _FAILED), ("agreed", _AGREED), ("planned", _PLANNED)):
        if any(cue in text for cue in cues):
            return status  # type: ignore[return-value]
    return "happened"


def lede(run: Run) -> tuple[str, str]:
    """Headline and summary the rules can write: the article's own first sentences."""
    sentences = [s.strip() for s in run.article.text.replace("\n", " \n ").split(". ") if s.strip()]
    first = " ".join(sentences[0].split()) if sentences else ""
    headline = first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "..."
    summary = ". ".join(" ".join(s.split()) for s in sentences[:3])
    summary = summary if len(summary) <= 900 else summary[:897].rsplit(" ", 1)[0] + "..."
    return headline, summary


STRATEGY = Strategy(
    name="rules",
    summary="the NLP pass alone: no model call (a baseline, and a fast deterministic path)",
    tasks=frozenset(),
    needs_nlp=True,
    run=rules,
    windowed=True,  # no call to fit: long articles are cut into sections for the outcome and claim picks
)
