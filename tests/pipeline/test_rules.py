"""What the rules-only strategy keeps from the candidates: places, outcomes and disputed claims.

The real spaCy pipeline over short sentences made up for each rule; no model is involved.
"""

from __future__ import annotations

from summarizer.pipeline.assemble import MAX_PARTIES
from summarizer.pipeline.assemble import capped as _capped
from summarizer.pipeline.ledger import Ledger
from summarizer.pipeline.strategies.rules import RULES_OUTCOMES
from summarizer.pipeline.strategies.rules import rule_claims as _rule_claims
from summarizer.pipeline.strategies.rules import rule_outcomes as _rule_outcomes
from summarizer.pipeline.strategies.rules import rule_places as _rule_places
from summarizer.schemas import Party, Quote
from summarizer.text.article import Article
from summarizer.text.candidates import candidates


def test_a_place_only_named_as_a_modifier_is_not_one_of_the_storys_places() -> None:
    found = candidates(Article("The Dallas chapter of the union met on Monday. Protesters marched in Austin."))
    assert {p.name for p in found.places} == {"Dallas", "Austin"}  # both stay candidates for the model
    assert [p.name for p in _rule_places(found)] == ["Austin"]


def test_a_product_name_with_a_digit_is_not_a_place() -> None:
    found = candidates(Article("Users still run IE6 on old computers in Canada."))
    assert [p.name for p in _rule_places(found)] == ["Canada"]


def test_the_rules_keep_the_best_ranked_outcomes_in_article_order() -> None:
    text = (
        "Council approves new budget\n\n"
        "The council approved a budget of $5 million on Monday. Officials warned the bridge may collapse. "
        "Workers repaired the bridge on Friday. The mayor resigned on Tuesday. Police arrested two men."
    )
    kept = [o.description for o in _rule_outcomes(candidates(Article(text)), [])]
    assert len(kept) == RULES_OUTCOMES
    assert kept[0] == "The council approved a budget of $5 million on Monday."
    assert "Council approves new budget" not in kept and "Officials warned the bridge may collapse." not in kept


def test_an_article_saying_what_is_not_real_is_a_claim_with_its_publisher_as_claimant() -> None:
    text = (
        "An article saying the city zoo will close next month isn't real. "
        "It was published on Morning Gazette Online, a satire website."
    )
    [claim] = _rule_claims(candidates(Article(text)))
    assert claim.claim == "the city zoo will close next month"
    assert claim.claimant == "Morning Gazette Online"


def test_a_bare_denial_is_not_kept_as_its_own_claim() -> None:
    text = (
        "The Daily Star reported that Mayor Jan Novak had secretly sold the city stadium. "
        "Novak denied selling the city stadium. Novak denied everything."
    )
    [claim] = _rule_claims(candidates(Article(text)))
    assert claim.claim == "Mayor Jan Novak had secretly sold the city stadium"
    assert claim.claimant == "Daily Star" and claim.disputed_by == ["Jan Novak"]


def test_the_parties_cap_keeps_quoted_speakers_first() -> None:
    """A long article names more parties than the cap: the quoted speakers keep their place however late
    they come, and a quote whose speaker is still over the limit loses the speaker, never its text."""
    named = [Party(name=f"Named{i}", kind="person") for i in range(MAX_PARTIES)]
    quoted = [Party(name=f"Quoted{i}", kind="person") for i in range(MAX_PARTIES + 2)]
    quotes = [Quote(text=f"words {i}", speaker=p.name, partial=False, start=i, end=i + 1) for i, p in enumerate(quoted)]
    ledger = Ledger()
    parties, kept = _capped([*named, *quoted], quotes, ledger)
    assert [p.name for p in parties] == [p.name for p in quoted[:MAX_PARTIES]]
    assert [q.speaker for q in kept] == [p.name for p in quoted[:MAX_PARTIES]] + [None, None]
    assert [q.text for q in kept] == [q.text for q in quotes]
    assert ledger.dropped["parties"].count == MAX_PARTIES + 2 and ledger.dropped["quotes.speaker"].count == 2
    few = named[:3]
    assert _capped(few, quotes[:1], Ledger()) == (few, quotes[:1])
