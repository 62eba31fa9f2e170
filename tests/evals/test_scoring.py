"""The scorers on a toy article: what counts as the same item, and how counts become scores."""

from __future__ import annotations

import pytest

from summarizer.evals.aggregate import aggregate
from summarizer.evals.metrics import Counts
from summarizer.evals.normalise import name_key, plain
from summarizer.evals.scoring import ScoringConfig, name_similarity, quote_similarity, score_article
from summarizer.schemas import ContestedClaim, Location, Outcome
from tests.evals.toys import ALVAREZ, POLICE, UNION, case, party, quote, summary

WHOLE = "We will rebuild it stronger,"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Dr. José Álvarez", "jose alvarez"),
        ("President Vladimir Putin", "vladimir putin"),
        ("Mrs O’Brien", "o brien"),
        ("The “Red Cross”", "red cross"),
        ("Ministry of Culture", "ministry of culture"),
        ("Minister of Culture", "minister of culture"),
        ("Dr", "dr"),
    ],
)
def test_name_key_drops_case_diacritics_marks_honorifics_and_punctuation(raw: str, key: str) -> None:
    assert name_key(raw) == key


def test_names_match_through_any_alias_but_not_a_different_entity() -> None:
    assert name_similarity(["Mayor of Springfield"], ["José Álvarez", "mayor of Springfield"]) == 1.0
    assert name_similarity(["Mr Alvarez"], ["José Álvarez"], person=True) >= 0.85
    assert name_similarity(["Springfield police"], ["transport union"]) < 0.85


def test_order_never_matters_and_duplicates_are_false_positives() -> None:
    gold = case(parties=[ALVAREZ, UNION])
    forward = score_article(gold, summary(parties=[party("José Álvarez"), party("Transport Union")]))
    backward = score_article(gold, summary(parties=[party("Transport Union"), party("José Álvarez")]))
    assert forward.fields["parties"].counts == backward.fields["parties"].counts == Counts(tp=2)
    twice = score_article(
        gold, summary(parties=[party("Álvarez"), party("Dr. José Alvarez"), party("transport union")])
    )
    assert twice.fields["parties"].counts == Counts(tp=2, fp=1)


def test_an_exact_name_wins_over_a_containing_one() -> None:
    gold = case(locations=[{"name": "Aceh, Indonesia", "aliases": ["Aceh"]}, {"name": "Indonesia"}])
    scored = score_article(gold, summary(locations=[Location(name="Indonesia")]))
    assert scored.fields["locations"].matches == [("Indonesia", "Indonesia")]
    assert scored.fields["locations"].misses == ["Aceh, Indonesia"]


def test_optional_gold_is_never_a_miss_nor_a_false_positive() -> None:
    gold = case(parties=[ALVAREZ, POLICE])
    without = score_article(gold, summary(parties=[party("José Álvarez")]))
    with_it = score_article(gold, summary(parties=[party("José Álvarez"), party("police")]))
    assert without.fields["parties"].counts == with_it.fields["parties"].counts == Counts(tp=1)


def test_quotes_match_despite_trailing_punctuation_and_check_speaker_and_fabrication() -> None:
    gold = case(parties=[ALVAREZ], quotes=[{"text": WHOLE, "speaker": "Álvarez", "partial": False}])
    trimmed = quote("We will rebuild it stronger", "José Álvarez")
    scored = score_article(gold, summary(parties=[party("José Álvarez", "Álvarez")], quotes=[trimmed]))
    assert scored.fields["quotes"].counts == Counts(tp=1)
    assert (scored.speaker.hits, scored.speaker.total) == (1, 1)
    assert (scored.fabricated.hits, scored.fabricated.total) == (0, 1)

    wrong = score_article(gold, summary(quotes=[quote(WHOLE, "transport union"), quote("We never said that", "x")]))
    assert wrong.fields["quotes"].counts == Counts(tp=1, fp=1)
    assert (wrong.speaker.hits, wrong.fabricated.hits) == (0, 1)


def test_quote_containment_needs_a_substantial_share() -> None:
    assert quote_similarity("We will rebuild it", WHOLE) >= 0.6
    assert quote_similarity("We will", WHOLE) < 0.6
    assert plain("“Stronger!”") == "stronger"


def test_sentences_match_on_content_words_not_wording() -> None:
    gold = case(outcomes=[{"description": "The bridge will reopen in May.", "status": "planned"}])
    close = score_article(gold, summary(outcomes=[Outcome(description="Bridge to reopen in May", status="planned")]))
    far = score_article(gold, summary(outcomes=[Outcome(description="Police closed the road", status="happened")]))
    assert close.fields["outcomes"].counts == Counts(tp=1)
    assert (close.status.hits, close.status.total) == (1, 1)
    assert far.fields["outcomes"].counts == Counts(fp=1, fn=1)


def test_a_semantic_judge_replaces_fuzzy_sentence_matching() -> None:
    class Lenient:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def similarity(self, field: str, predicted: str, gold: str) -> float:
            self.calls.append(field)
            return 1.0

    gold = case(contested_claims=[{"claim": "Repairs need a year.", "claimant": "transport union"}])
    judge = Lenient()
    claim = ContestedClaim(claim="The timetable is fine", claimant="the transport union")
    assert score_article(gold, summary(contested_claims=[claim])).fields["contested_claims"].counts.tp == 0
    assert score_article(gold, summary(contested_claims=[claim]), judge=judge).fields["contested_claims"].counts.tp == 1
    assert judge.calls == ["contested_claims"]


def test_thresholds_are_configurable() -> None:
    gold = case(locations=[{"name": "Springfield"}])
    predicted = summary(locations=[Location(name="Springfeld")])
    assert score_article(gold, predicted).fields["locations"].counts.tp == 1
    strict = ScoringConfig(name_threshold=1.0)
    assert score_article(gold, predicted, strict).fields["locations"].counts.tp == 0


def test_counts_edge_cases() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (None, None, None), "nothing to find or found"
    assert (Counts(fn=2).precision, Counts(fn=2).f1) == (0.0, 0.0)
    assert Counts(fp=1).f1 == 0.0
    assert Counts(tp=1, fp=1, fn=2).f1 == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))


def test_micro_adds_counts_and_macro_averages_articles_that_have_the_field() -> None:
    gold_a, gold_b = case(parties=[ALVAREZ]), case(parties=[ALVAREZ, UNION, {"name": "Ann Lee", "kind": "person"}])
    scores = [
        score_article(gold_a, summary(parties=[party("José Álvarez")])),
        score_article(gold_b, summary(parties=[party("José Álvarez")])),
        score_article(case(), summary()),
    ]
    run = aggregate(scores, ScoringConfig())
    assert run.fields["parties"].counts == Counts(tp=2, fn=2)
    assert run.fields["parties"].micro.recall == pytest.approx(0.5)
    assert run.fields["parties"].macro is not None
    assert run.fields["parties"].macro.recall == pytest.approx((1 + 1 / 3) / 2)
