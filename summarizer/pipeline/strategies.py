"""Extraction strategies: how a prompt's tasks are turned into model calls.

- `single`: one call fills everything, quotes included (the model must copy them verbatim).
- `grouped`: one call per field group, all sharing the article as a common prefix (a caching server
  evaluates it once); quotations are found by code and the model only attributes them.
- `candidates` and `rules` (`summarizer.pipeline.judged`): code finds, the model judges by number.

A group whose call still fails leaves its fields empty here (quotations found by code stay,
unattributed); see `summarizer.pipeline.run`. Only when no call succeeds at all is there no summary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from summarizer.grounding import QuoteCandidate
from summarizer.pipeline import assemble, judged
from summarizer.pipeline.drafts import (
    ClaimDraft,
    EntitiesExtraction,
    EventsExtraction,
    OutcomeDraft,
    QuoteAttributions,
    SummaryExtraction,
)
from summarizer.pipeline.ledger import Ledger
from summarizer.pipeline.run import ENTITY_FIELDS, EVENT_FIELDS, Run
from summarizer.schemas import Party, Quote, Summary

Strategy = Callable[[Run], Awaitable[Summary]]


async def single(run: Run) -> Summary:
    article, ledger = run.article, run.ledger
    draft, _ = await run.ask("summary", SummaryExtraction, (*ENTITY_FIELDS, *EVENT_FIELDS, "quotes"))
    if draft is None:
        return _summary(run, None, [], [], [], [])
    parties = assemble.ground_parties(article, draft.parties, ledger)
    quotes: list[Quote] = []
    for q in draft.quotes:
        speaker = assemble.speaker_party(article, q.speaker, parties, ledger)
        quote = assemble.quote_from_text(article, q.text, speaker)
        if quote is not None and all(quote.start != seen.start for seen in quotes):
            quotes.append(quote)
    return _summary(run, draft, draft.outcomes, draft.contested_claims, parties, quotes)


async def grouped(run: Run) -> Summary:
    entities, _ = await run.ask("entities", EntitiesExtraction, ENTITY_FIELDS)
    parties = assemble.ground_parties(run.article, entities.parties if entities else [], run.ledger)
    if entities is not None:  # final now, but for quoted speakers the list missed (they join it below)
        first = _summary(run, entities, [], [], parties, [], Ledger())
        await run.emit("entities", first)
        await run.emit("locations", first)
    events, _ = await run.ask("events", EventsExtraction, EVENT_FIELDS)
    quotes = await attributed_quotes(run, run.article.quote_candidates(), parties)
    await run.emit("quotes", _summary(run, entities, [], [], parties, quotes, Ledger()))
    outcomes, claims = (events.outcomes, events.contested_claims) if events else ([], [])
    return _summary(run, entities, outcomes, claims, parties, quotes)


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
            "quotes", QuoteAttributions, ["quotes"], quotes=shown, parties=parties, context={"quote_count": len(batch)}
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


def _summary(
    run: Run,
    entities: EntitiesExtraction | None,
    outcomes: list[OutcomeDraft],
    claims: list[ClaimDraft],
    parties: list[Party],
    quotes: list[Quote],
    ledger: Ledger | None = None,
) -> Summary:
    """Both strategies end the same way: grounded places, outcomes and claims resolved to parties.

    `ledger`: where drops go instead of the run's (a streamed part is built with a throwaway one).
    """
    ledger = run.ledger if ledger is None else ledger
    return Summary(
        headline=entities.headline if entities else "",
        summary=entities.summary if entities else "",
        parties=parties,
        locations=assemble.ground_locations(run.article, entities.locations if entities else [], ledger),
        outcomes=assemble.outcomes(outcomes, parties, ledger),
        quotes=quotes,
        contested_claims=assemble.claims(claims, parties),
    )


STRATEGIES: dict[str, Strategy] = {
    "single": single,
    "grouped": grouped,
    "candidates": judged.candidates,
    "hybrid": judged.hybrid,
    "rules": judged.rules,
}
"""Every strategy by the name a prompt's front-matter gives."""
WINDOWED = frozenset({"hybrid", "rules"})
"""The strategies that read a long article in windows; the others read it in one call, so its length is
bounded by the model's context."""


def reads_in_windows(strategy: str, tasks: Iterable[str]) -> bool:
    """`rules` (no model call) always; `hybrid` when its prompt can write the whole from the windows
    (a `digest` task: summarize-hybrid@2 on). A pinned summarize-hybrid@1 keeps its one call."""
    return strategy == "rules" or (strategy in WINDOWED and "digest" in tasks)
