"""`single`: one call fills everything, quotes included (the model must copy them verbatim).

The oldest strategy, kept for comparison: a 1.5B model paraphrases quotations it is asked to copy,
so every quote is checked against the article and dropped when it is not there.
"""

from __future__ import annotations

from summarizer.pipeline import assemble
from summarizer.pipeline.drafts import SummaryExtraction
from summarizer.pipeline.run import ENTITY_FIELDS, EVENT_FIELDS, Run
from summarizer.pipeline.strategies.base import Strategy
from summarizer.schemas import Quote, Summary


async def single(run: Run) -> Summary:
    article, ledger = run.article, run.ledger
    draft, _ = await run.ask("summary", SummaryExtraction, (*ENTITY_FIELDS, *EVENT_FIELDS, "quotes"))
    if draft is None:
        return assemble.from_drafts(article, ledger, None, [], [], [], [])
    parties = assemble.ground_parties(article, draft.parties, ledger)
    quotes: list[Quote] = []
    for q in draft.quotes:
        speaker = assemble.speaker_party(article, q.speaker, parties, ledger)
        quote = assemble.quote_from_text(article, q.text, speaker)
        if quote is not None and all(quote.start != seen.start for seen in quotes):
            quotes.append(quote)
    return assemble.from_drafts(article, ledger, draft, draft.outcomes, draft.contested_claims, parties, quotes)


STRATEGY = Strategy(
    name="single",
    summary="one model call fills every field, quotes included",
    tasks=frozenset({"summary"}),
    needs_nlp=False,
    run=single,
)
