"""`candidates`: code finds, the model judges by number.

A 1.5B model writes lists badly and slowly but chooses well from short numbered lists. So the NLP
pass (`summarizer.text`) proposes every party, place, quotation speaker, outcome sentence and
claim/denial pair with exact spans, and the model only answers with numbers and short phrases:

which numbered parties and places belong to the story (with a short role; kinds come from the
pass, which labels people and organisations more reliably than a 1.5B model does), a verbatim name
the list missed, which numbered sentences are the outcomes (with a status), which claim/denial
pairs are real disputes (claimant and disputer by number), and, only for the quotations the rules
are unsure of, which numbered option said it; plus headline and summary.

One call, not one per list: each call re-sends the article and the JSON schema (~600 tokens each),
while the answers are a few numbers. The article is the system prefix, byte-identical for every
prompt of this strategy. If the call fails, the rules' answer (the unjudged candidates) is returned
and every field is listed in `meta.incomplete`; nothing found by code is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from summarizer.pipeline import assemble
from summarizer.pipeline.drafts import ClaimPick, DraftContext, Judgement, OutcomePick
from summarizer.pipeline.run import ENTITY_FIELDS, EVENT_FIELDS, Run
from summarizer.pipeline.strategies import rules
from summarizer.pipeline.strategies.base import Strategy
from summarizer.schemas import Party, Summary
from summarizer.text.candidates import Candidates, ClaimPair, OutcomeCandidate
from summarizer.text.entities import PartyCandidate as FoundParty
from summarizer.text.entities import PlaceCandidate as FoundPlace
from summarizer.text.speakers import QuoteAttribution

# How much of each list the model is shown: enough for recall, short enough to judge well and fast.
SHOWN_PARTIES = 20
SHOWN_PLACES = 12
SHOWN_OUTCOMES = 8
SHOWN_CLAIMS = 4
SHOWN_UNSURE = 40  # quotations whose speaker the rules are unsure of; the rest keep the rules' choice
MAX_NAME = Party.model_fields["name"].metadata[0].max_length


@dataclass(frozen=True)
class Shown:
    """The numbered lists of one article, in the order the model sees them (number = index + 1)."""

    parties: tuple[FoundParty, ...]
    places: tuple[FoundPlace, ...]
    unsure: tuple[QuoteAttribution, ...]
    outcomes: tuple[OutcomeCandidate, ...]
    claims: tuple[ClaimPair, ...]


def shown(found: Candidates) -> Shown:
    speakers = {a.speaker_key for a in found.attributions if a.speaker_key}
    parties = sorted(
        (p for p in found.parties if len(p.name) <= MAX_NAME and (p.key in speakers or not assemble.is_adjective(p))),
        key=lambda p: (p.key not in speakers, -len(p.mentions), p.mentions[0].start),
    )
    places = sorted(
        (p for p in found.places if len(p.name) <= MAX_NAME), key=lambda p: (-len(p.mentions), p.mentions[0].start)
    )
    return Shown(
        parties=tuple(parties[:SHOWN_PARTIES]),
        places=tuple(places[:SHOWN_PLACES]),
        unsure=tuple(a for a in found.attributions if a.unsure and a.options)[:SHOWN_UNSURE],
        outcomes=tuple(sorted(found.outcomes, key=lambda o: -o.score)[:SHOWN_OUTCOMES]),
        claims=tuple(found.claims[:SHOWN_CLAIMS]),
    )


async def candidates(run: Run) -> Summary:
    found = await run.nlp.candidates(run.article, run.nlp_pipeline, rules.reading_sections(run))
    lists = shown(found)
    judged, _ = await run.ask(
        "judge",
        Judgement,
        (*ENTITY_FIELDS, *EVENT_FIELDS, "quotes"),
        parties=[_party_line(n, p) for n, p in enumerate(lists.parties, 1)],
        places=[_place_line(n, p) for n, p in enumerate(lists.places, 1)],
        outcomes=[{"n": n, "text": o.sentence.text} for n, o in enumerate(lists.outcomes, 1)],
        claims=[_claim_line(n, c) for n, c in enumerate(lists.claims, 1)],
        quotes=[
            {
                "n": n,
                "text": a.quote.text,
                "context": run.article.surroundings(a.quote.start, a.quote.end),
                "options": list(a.options),
            }
            for n, a in enumerate(lists.unsure, 1)
        ],
        context=DraftContext(
            party_count=len(lists.parties),
            place_count=len(lists.places),
            outcome_count=len(lists.outcomes),
            claim_count=len(lists.claims),
            quote_count=len(lists.unsure),
            options={n: tuple(a.options) for n, a in enumerate(lists.unsure, 1)},
        ),
    )
    choices = {a.quote.start: a.speaker for a in found.attributions}
    if judged is None:
        # The model answered badly or not in time: the rules' answer stands in (meta.incomplete says so).
        # The upstream being down is different: a 503 with Retry-After tells the caller to come back.
        run.fallback = run.may_fall_back
        parties = rules.rule_parties(found)
        headline, summary = rules.lede(run)
        return assemble.from_candidates(
            run.article, run.ledger, headline, summary, parties, rules.rule_places(found), found, choices,
            rules.rule_outcomes(found, parties), rules.rule_claims(found),
        )  # fmt: skip
    parties = [assemble.party_from(lists.parties[pick.n - 1], pick.role) for pick in judged.parties]
    parties += [assemble.missed_party(run.article, m.name) for m in judged.missed]
    places = [assemble.place_from(lists.places[pick.n - 1]) for pick in judged.places]
    outcomes = [
        assemble.outcome_from(lists.outcomes[p.n - 1], p.status, parties) for p in _first_picks(judged.outcomes)
    ]
    claims = [
        assemble.claim_from(
            pair, _option(pair, p.claimant) or pair.claimant, _option(pair, p.disputer) or pair.disputer
        )
        for p in _first_picks(judged.claims)
        if (pair := lists.claims[p.n - 1])
    ]
    for pick in judged.speakers:
        attribution = lists.unsure[pick.q - 1]
        choices[attribution.quote.start] = attribution.options[pick.option - 1] if pick.option else None
    return assemble.from_candidates(
        run.article, run.ledger, judged.headline, judged.summary, parties, places, found, choices, outcomes, claims
    )


P = TypeVar("P", OutcomePick, ClaimPick)


def _first_picks(picks: Sequence[P]) -> list[P]:
    """A number picked twice counts once (the first pick wins): a looping model repeats itself."""
    first: dict[int, P] = {}
    for pick in picks:
        first.setdefault(pick.n, pick)
    return list(first.values())


# --- numbered lines for the prompt ---------------------------------------------------------------


def _party_line(n: int, party: FoundParty) -> dict[str, object]:
    return {
        "n": n,
        "name": party.name,
        "kind": party.kind,
        "mentions": len(party.mentions),
        "aliases": party.aliases[:3],
    }


def _place_line(n: int, place: FoundPlace) -> dict[str, object]:
    return {"n": n, "name": place.name, "kind": place.kind, "mentions": len(place.mentions)}


def _claim_line(n: int, pair: ClaimPair) -> dict[str, object]:
    return {"n": n, "claim": pair.claim.text, "evidence": pair.evidence.text, "options": list(pair.options)}


def _option(pair: ClaimPair, number: int) -> str | None:
    return pair.options[number - 1] if 1 <= number <= len(pair.options) else None


STRATEGY = Strategy(
    name="candidates",
    summary="the NLP pass proposes numbered lists; one model call judges them by number",
    tasks=frozenset({"judge"}),
    needs_nlp=True,
    run=candidates,
)
