"""Extraction strategies: how a prompt's tasks are turned into model calls.

- `single`: one call fills everything, quotes included (the model must copy them verbatim).
- `grouped`: one call per field group, all sharing the article as a common prefix (a caching server
  evaluates it once); quotations are found by code and the model only attributes them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from summarizer import assemble
from summarizer.extraction import (
    ClaimDraft,
    EntitiesExtraction,
    EventsExtraction,
    OutcomeDraft,
    QuoteAttributions,
    SummaryExtraction,
)
from summarizer.grounding import Article
from summarizer.llm import LLMClient
from summarizer.prompts import Prompt
from summarizer.schemas import Party, Quote, Summary

Strategy = Callable[[LLMClient, Prompt, Article, dict[str, Any]], Awaitable[Summary]]


async def single(llm: LLMClient, prompt: Prompt, article: Article, variables: dict[str, Any]) -> Summary:
    rendered = prompt.render("summary", **variables)
    draft = await llm.extract(SummaryExtraction, rendered.messages(), {"article": article})
    parties = assemble.ground_parties(article, draft.parties)
    quotes: list[Quote] = []
    for q in draft.quotes:
        speaker = assemble.speaker_party(article, q.speaker, parties)
        quote = assemble.quote_from_text(article, q.text, speaker) if speaker else None
        if quote is not None and all(quote.start != seen.start for seen in quotes):
            quotes.append(quote)
    return _summary(article, draft, draft.outcomes, draft.contested_claims, parties, quotes)


async def grouped(llm: LLMClient, prompt: Prompt, article: Article, variables: dict[str, Any]) -> Summary:
    context = {"article": article}
    entities = await llm.extract(EntitiesExtraction, prompt.render("entities", **variables).messages(), context)
    parties = assemble.ground_parties(article, entities.parties)
    events = await llm.extract(EventsExtraction, prompt.render("events", **variables).messages(), context)

    candidates = article.quote_candidates()
    quotes: list[Quote] = []
    if candidates:
        shown = [
            {
                "text": c.text,
                "context": article.surroundings(c.start, c.end),
                "wide_context": article.surroundings(c.start, c.end, paragraphs_before=1),
            }
            for c in candidates
        ]
        rendered = prompt.render("quotes", **variables, quotes=shown, parties=parties)
        attributed = await llm.extract(
            QuoteAttributions, rendered.messages(), {**context, "quote_count": len(candidates)}
        )
        speakers: dict[int, str] = {}
        for item in attributed.attributions:
            speakers.setdefault(item.quote, item.speaker)
        for number, candidate in enumerate(candidates, start=1):
            name = speakers.get(number)
            speaker = assemble.speaker_party(article, name, parties) if name else None
            if speaker is not None:
                quotes.append(assemble.quote_from_candidate(candidate, speaker))

    return _summary(article, entities, events.outcomes, events.contested_claims, parties, quotes)


def _summary(
    article: Article,
    entities: EntitiesExtraction,
    outcomes: list[OutcomeDraft],
    claims: list[ClaimDraft],
    parties: list[Party],
    quotes: list[Quote],
) -> Summary:
    """Both strategies end the same way: grounded places, outcomes and claims resolved to parties."""
    return Summary(
        headline=entities.headline,
        summary=entities.summary,
        parties=parties,
        locations=assemble.ground_locations(article, entities.locations),
        outcomes=assemble.outcomes(outcomes, parties),
        quotes=quotes,
        contested_claims=assemble.claims(claims, parties),
    )


STRATEGIES: dict[str, Strategy] = {"single": single, "grouped": grouped}
