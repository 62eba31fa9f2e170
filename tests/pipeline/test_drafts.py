"""Draft validation item by item: what is dropped, coerced, re-asked, and recorded (no model needed)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from summarizer.pipeline.drafts import DraftContext, EntitiesExtraction, QuoteAttributions
from summarizer.pipeline.ledger import Ledger
from summarizer.text.article import Article

ARTICLE = Article('Vladimir Putin met Dmitry Peskov in Minsk. Peskov said "it went well" and "we agreed".')


def context(final: bool = False, **extra: Any) -> dict[str, Any]:
    """Instructor's validation context as `LLMClient.extract` passes it: the call's `DraftContext`."""
    call = DraftContext(article=ARTICLE, answers=2 if final else 1, reasks=1)
    for name, value in extra.items():
        setattr(call, name, frozenset(value) if name == "unused" else value)
    return {"call": call}


def entities(**fields: Any) -> dict[str, Any]:
    return {"headline": "Talks", "summary": "They met.", "parties": [], "locations": [], **fields}


def test_an_ungrounded_item_is_dropped_and_its_siblings_kept() -> None:
    ctx = context()
    parties = [
        {"name": "Vladimir Putin", "kind": "person"},
        {"name": "Atlantis Council", "kind": "organization"},
        {"name": "Peskov", "kind": "person"},
    ]
    draft = EntitiesExtraction.model_validate(entities(parties=parties), context=ctx)
    assert [p.name for p in draft.parties] == ["Vladimir Putin", "Peskov"]
    ledger: Ledger = ctx["call"].ledger
    [count] = ledger.dropped_counts()
    assert count.field == "parties" and count.count == 1 and count.values[0].startswith("Atlantis Council:")


def test_an_unknown_kind_is_coerced_and_a_wrong_case_silently_fixed() -> None:
    ctx = context()
    parties = [{"name": "Vladimir Putin", "kind": "head of state"}, {"name": "Peskov", "kind": "Person"}]
    draft = EntitiesExtraction.model_validate(
        entities(parties=parties, locations=[{"name": "Minsk", "kind": "capital"}]), context=ctx
    )
    assert [p.kind for p in draft.parties] == ["other", "person"] and draft.locations[0].kind == "other"
    assert [(c.field, c.values) for c in ctx["call"].ledger.coerced_counts()] == [
        ("locations.kind", ["capital -> other"]),
        ("parties.kind", ["head of state -> other"]),
    ]


def test_items_past_the_cap_are_dropped_not_reasked() -> None:
    ctx = context()
    draft = EntitiesExtraction.model_validate(
        entities(parties=[{"name": "Vladimir Putin", "kind": "person"}] * 20), context=ctx
    )
    assert len(draft.parties) == 15
    assert ctx["call"].ledger.dropped["parties"].count == 5


def test_nothing_usable_left_is_reasked_with_the_exact_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        QuoteAttributions.model_validate(
            {"attributions": [{"quote": 1, "speaker": "Nobody Here"}, {"quote": 9, "speaker": "Peskov"}]},
            context=context(quote_count=2),
        )
    message = str(caught.value)
    assert "none of the 2 items of `attributions` could be used" in message
    assert "Nobody Here: speaker: not named in the article" in message
    assert "quotation 9 does not exist (there are 2)" in message


def test_the_final_attempt_keeps_the_empty_list_and_records_the_field_as_incomplete() -> None:
    ctx = context(final=True, quote_count=2)
    ctx["call"].rejected = [
        {"task": "quotes", "attempt": 1, "field": "quotes.speaker", "message": "x", "value": "Nobody"}
    ]
    draft = QuoteAttributions.model_validate({"attributions": [{"quote": 1, "speaker": "Nobody Here"}]}, context=ctx)
    assert draft.attributions == []
    [failure] = ctx["call"].ledger.failures
    assert failure.fields == ("quotes",)
    assert [a["attempt"] for a in failure.attempts] == [1, 2]  # both attempts' problems, not only the last


def test_each_attempt_starts_a_fresh_ledger() -> None:
    ctx = context()
    EntitiesExtraction.model_validate(
        entities(parties=[{"name": "Atlantis Council", "kind": "group"}] * 2 + [{"name": "Peskov", "kind": "person"}]),
        context=ctx,
    )
    first = ctx["call"].ledger
    EntitiesExtraction.model_validate(entities(parties=[{"name": "Peskov", "kind": "person"}]), context=ctx)
    assert ctx["call"].ledger is not first and ctx["call"].ledger.dropped == {}


def test_a_list_that_is_not_a_list_is_the_schema_s_to_reject() -> None:
    with pytest.raises(ValidationError):
        EntitiesExtraction.model_validate(entities(parties="nobody"), context=context())


def test_an_optional_list_with_nothing_usable_is_only_drops() -> None:
    from summarizer.pipeline.drafts import Judgement

    ctx = context(party_count=2, place_count=0, outcome_count=0, claim_count=0, quote_count=0)
    answer = {"headline": "h", "summary": "s", "parties": [{"n": 1}, {"n": 2}], "missed": [{"name": "Xi Jinping"}]}
    draft = Judgement.model_validate(answer, context=ctx)  # no re-ask for an invented `missed` name
    assert [p.n for p in draft.parties] == [1, 2] and draft.missed == []
    assert ctx["call"].ledger.failures == [] and ctx["call"].ledger.dropped["parties"].count == 1


def test_a_list_the_strategy_discards_is_not_judged() -> None:
    ctx = context(unused={"locations"})
    draft = EntitiesExtraction.model_validate(
        entities(parties=[{"name": "Peskov", "kind": "person"}], locations=[{"name": "Europe"}]), context=ctx
    )
    assert draft.locations == [] and ctx["call"].ledger.failures == [] and ctx["call"].ledger.dropped == {}
