"""Extraction strategies: how a prompt's tasks are turned into model calls.

- `single`: one call fills everything, quotes included (the model must copy them verbatim).
- `grouped`: one call per field group, all sharing the article as a common prefix (a caching server
  evaluates it once); quotations are found by code and the model only attributes them.

Every call is one field group. A group whose call still fails after its re-ask leaves its fields
empty (quotations found by code stay, unattributed) and is recorded in the ledger; the other groups
are still asked and returned. Only when no call succeeds at all is there no summary to give.
After a transport failure (upstream down, deadline passed) the remaining groups are not asked:
calling a dead upstream again only spends the deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from summarizer.errors import InvalidModelOutput, UpstreamError
from summarizer.grounding import Article, QuoteCandidate
from summarizer.llm import LLMClient
from summarizer.pipeline import assemble
from summarizer.pipeline.drafts import (
    ClaimDraft,
    EntitiesExtraction,
    EventsExtraction,
    Group,
    OutcomeDraft,
    QuoteAttributions,
    SummaryExtraction,
)
from summarizer.pipeline.ledger import Ledger
from summarizer.prompts import Prompt
from summarizer.schemas import Party, Quote, Summary
from summarizer.text.nlp import DEFAULT_PIPELINE

G = TypeVar("G", bound=Group)

ENTITY_FIELDS = ("headline", "summary", "parties", "locations")
EVENT_FIELDS = ("outcomes", "contested_claims")


@dataclass
class Run:
    """One summary being made: what every step needs, passed explicitly, and what happened so far."""

    llm: LLMClient
    prompt: Prompt
    article: Article
    variables: dict[str, Any]
    ledger: Ledger = field(default_factory=Ledger)
    nlp_pipeline: str = DEFAULT_PIPELINE
    asked: int = 0  # field groups asked of the model
    answered: int = 0  # of those, the ones that produced a usable answer
    upstream_failure: UpstreamError | None = None

    async def ask(self, task: str, model: type[G], fields: Iterable[str], **extra: Any) -> tuple[G | None, Ledger]:
        """One field group's call: its answer and what its validators dropped, or None if it failed."""
        fields = tuple(fields)
        self.asked += 1
        if self.upstream_failure is not None:
            reason = f"not asked: an earlier call failed with {self.upstream_failure.slug}"
            self.ledger.fail(fields, reason, self.upstream_failure)
            return None, Ledger()
        context: dict[str, Any] = {"article": self.article, **extra.pop("context", {})}
        messages = self.prompt.render(task, **self.variables, **extra).messages()
        try:
            answer = await self.llm.extract(model, messages, context, task=task)
        except InvalidModelOutput as exc:
            self.ledger.fail(fields, f"{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        except UpstreamError as exc:
            self.upstream_failure = exc
            self.ledger.fail(fields, f"{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        self.answered += 1
        ledger = context.get("ledger")
        ledger = ledger if isinstance(ledger, Ledger) else Ledger()
        self.ledger.merge(ledger)
        return answer, ledger


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
    events, _ = await run.ask("events", EventsExtraction, EVENT_FIELDS)
    quotes = await attributed_quotes(run, run.article.quote_candidates(), parties)
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
    return quotes


def _summary(
    run: Run,
    entities: EntitiesExtraction | None,
    outcomes: list[OutcomeDraft],
    claims: list[ClaimDraft],
    parties: list[Party],
    quotes: list[Quote],
) -> Summary:
    """Both strategies end the same way: grounded places, outcomes and claims resolved to parties."""
    ledger = run.ledger
    return Summary(
        headline=entities.headline if entities else "",
        summary=entities.summary if entities else "",
        parties=parties,
        locations=assemble.ground_locations(run.article, entities.locations if entities else [], ledger),
        outcomes=assemble.outcomes(outcomes, parties, ledger),
        quotes=quotes,
        contested_claims=assemble.claims(claims, parties),
    )


def strategies() -> dict[str, Strategy]:
    """Every strategy by the name a prompt's front-matter gives."""
    from summarizer.pipeline import judged  # it builds on Run and the groups above

    return {"single": single, "grouped": grouped, "candidates": judged.candidates, "rules": judged.rules}
