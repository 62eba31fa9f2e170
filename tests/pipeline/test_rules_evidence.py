"""Issue 18 on the rules strategy: claims disputed by evidence, salient parties, and the confidence and
evidence spans of schema 1.3. The real spaCy pipeline over made-up sentences (the seed is committed,
CC-free Newsmax text the project already ships); no model is involved."""

from __future__ import annotations

from pathlib import Path

from summarizer.pipeline.strategies.rules import rule_claims as _rule_claims
from summarizer.pipeline.strategies.rules import rule_outcomes as _rule_outcomes
from summarizer.pipeline.strategies.rules import rule_parties as _rule_parties
from summarizer.text.article import Article
from summarizer.text.candidates import candidates

SEED = Path(__file__).resolve().parents[2] / "evals" / "articles" / "seed-belarus-talks.txt"


def test_evidence_after_despite_disputes_the_claim_it_names_without_a_denial_word() -> None:
    text = (
        "The factory reopened on Monday after a week of protests.\n\n"
        "In a statement, Governor Ruth Alder said the plant had stopped dumping waste into the Elm River.\n\n"
        "Despite the statement, water samples taken by Clearwater Labs on Tuesday show high levels of lead "
        "downstream of the plant, the Valley Gazette reported."
    )
    [claim] = _rule_claims(candidates(Article(text)))
    assert claim.claim.startswith("In a statement, Governor Ruth Alder said the plant had stopped dumping")
    assert claim.claimant == "Ruth Alder" and claim.disputed_by == ["Clearwater Labs"]
    [span] = claim.evidence_spans
    assert text[span.start : span.end].startswith("Despite the statement, water samples")
    assert claim.confidence is not None and 0 < claim.confidence < 1


def test_a_cast_doubt_sentence_is_a_denial_cue() -> None:
    text = (
        "The Harbor Times reported that the old lighthouse will be demolished in June. "
        "Council members cast doubt on the report that the old lighthouse will be demolished."
    )
    assert any(p.cue.startswith("cast doubt") for p in candidates(Article(text)).claims)


def test_the_seeds_disputed_claim_comes_back_from_the_rules_with_claimant_disputer_and_evidence() -> None:
    text = SEED.read_text(encoding="utf-8")
    [claim] = _rule_claims(candidates(Article(text)))
    assert "no intention of occupying" in claim.claim and "targeting Ukrainian cities" in claim.claim
    assert claim.claimant == "Vladimir Putin" and claim.disputed_by == ["Maxar Technologies"]
    [span] = claim.evidence_spans
    assert "satellite images" in text[span.start : span.end]


def test_outcomes_point_at_their_sentence_and_carry_a_confidence() -> None:
    text = "The council approved a budget of $5 million on Monday. Police arrested two men on Friday."
    outcomes = _rule_outcomes(candidates(Article(text)), [])
    assert outcomes
    for outcome in outcomes:
        [span] = outcome.evidence_spans
        assert text[span.start : span.end] == outcome.description
        assert outcome.confidence is not None and 0 < outcome.confidence < 1


def test_a_party_named_once_in_the_lede_is_kept_and_one_named_once_in_passing_is_not() -> None:
    text = (
        "Mayor John Carter closed the harbor on Monday after the storm flooded the lower town and sank three of the "
        "fishing boats moored at the pier.\n\n"
        "Fishing boats stayed in port. Crews cleared debris near the old pier, and the harbor was quiet. "
        "Crews worked through the night while boats waited. The cleanup crew borrowed a crane from Delta Marine "
        "for the heaviest debris near the entrance to the harbor."
    )
    parties = {p.name: p for p in _rule_parties(candidates(Article(text)))}
    assert "John Carter" in parties and "Delta Marine" not in parties
    assert parties["John Carter"].confidence is not None
