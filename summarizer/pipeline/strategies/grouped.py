"""`grouped`: one call per field group, all sharing the article as a common prefix.

A caching server evaluates the article once per summary; quotations are found by code and the
model only attributes them, a bounded batch at a time. A group whose call still fails leaves its
fields empty (quotations found by code stay, unattributed); see `summarizer.pipeline.run`.
"""

from __future__ import annotations

from summarizer.pipeline import assemble
from summarizer.pipeline.drafts import DraftContext, EntitiesExtraction, EventsExtraction, QuoteAttributions
from summarizer.pipeline.ledger import Ledger
from summarizer.pipeline.run import ENTITY_FIELDS, EVENT_FIELDS, Run
from summarizer.pipeline.strategies.base import Strategy
from summarizer.schemas import Party, Quote, Summary
from summarizer.text.article import QuoteCandidate


async def grouped(run: Run) -> Summary:
    entities, _ = await run.ask("entities", EntitiesExtraction, ENTITY_FIELDS)
    parties = assemble.ground_parties(run.article, entities.parties if entities else [], run.ledger)
    if entities is not None:  # final now, but for quoted speakers the list missed (they join it below)
        first = assemble.from_drafts(run.article, Ledger(), entities, [], [], parties, [])
        await run.emit("entities", first)
        await run.emit("locations", first)
    events, _ = await run.ask("events", EventsExtraction, EVENT_FIELDS)
    quotes = await attributed_quotes(run, run.article.quote_candidates(), parties)
    await run.emit("quotes", assemble.from_drafts(run.article, Ledger(), entities, [], [], parties, quotes))
    outcomes, claims = (events.outcomes, events.contested_claims) if events else ([], [])
    return assemble.from_drafts(run.article, run.ledger, entities, outcomes, claims, parties, quotes)


async def attributed_quotes(run: Run, candidates: list[QuoteCandidate], parties: list[Party]) -> list[Quote]:
    """Quotations found by code, attributed by the model a bounded batch at a time.

    A quotation the model skips is not a quote (scare quotes, titles); one whose call failed, or
    whose speaker could not be grounded, is still returned, with `speaker: null`.
    """
    quotes: list[Quote] = []
    size = QuoteAttributions.MAX_QUOTES
    for offset in range(0, len(candidates), size):
        batch = candidates[offset : offset + size]
        shown = [
            {
                "text": c.text,
                "context": run.article.surroundings(c.start, c.end),
                "wide_context": run.article.surroundings(c.start, c.end, paragraphs_before=1),
            }
            for c in batch
        ]
        answer, call_ledger = await run.ask(
            "quotes",
            QuoteAttributions,
            ["quotes"],
            quotes=shown,
            parties=parties,
            context=DraftContext(quote_count=len(batch)),
        )
        if answer is None:
            quotes.extend(assemble.quote_from_candidate(c, None) for c in batch)
            continue
        speakers: dict[int, str] = {}
        for item in answer.attributions:
            speakers.setdefault(item.quote, item.speaker)
        ungrounded = {
            raw["quote"]
            for raw in call_ledger.raw_dropped("quotes.speaker")
            if isinstance(raw, dict) and isinstance(raw.get("quote"), int)
        }
        for number, candidate in enumerate(batch, start=1):
            if number in speakers:
                speaker = assemble.speaker_party(run.article, speakers[number], parties, run.ledger)
                quotes.append(assemble.quote_from_candidate(candidate, speaker))
            elif number in ungrounded:
                quotes.append(assemble.quote_from_candidate(candidate, None))
    for extra in quotes[MAX_QUOTES:]:
        run.ledger.drop("quotes", f"{extra.text}: over the limit of {MAX_QUOTES} quotations")
    return quotes[:MAX_QUOTES]


MAX_QUOTES = Summary.model_fields["quotes"].metadata[0].max_length


STRATEGY = Strategy(
    name="grouped",
    summary="one model call per field group (entities, events, quote speakers) over a shared prefix",
    tasks=frozenset({"entities", "events", "quotes"}),
    needs_nlp=False,
    run=grouped,
)
