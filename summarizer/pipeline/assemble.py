"""Turn the model's drafts into a grounded `Summary`: drop what the article does not contain, add spans.

Parties and places the article never names are dropped rather than re-asked (a re-ask costs a whole
model call, and a missing extra is cheaper than a wrong one); quote speakers are resolved to party
names, and a speaker the article names but the party list missed becomes a party. Whatever is
dropped here is recorded in the summary's `Ledger`, so the response can say what the model missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from summarizer.grounding import Article, QuoteCandidate
from summarizer.pipeline.drafts import ClaimDraft, LocationDraft, OutcomeDraft, PartyDraft
from summarizer.pipeline.ledger import Ledger
from summarizer.schemas import ContestedClaim, Location, Outcome, Party, Quote, Summary


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _surname(draft: PartyDraft) -> list[str]:
    """News style names a person in full once, then by surname: count those mentions too."""
    words = draft.name.split()
    return [words[-1]] if draft.kind == "person" and len(words) > 1 and len(words[-1]) > 2 else []


MAX_PARTIES = Summary.model_fields["parties"].metadata[0].max_length
MAX_NAME = Party.model_fields["name"].metadata[0].max_length


def ground_parties(article: Article, drafts: Iterable[PartyDraft], ledger: Ledger | None = None) -> list[Party]:
    ledger = ledger or Ledger()
    parties: dict[str, Party] = {}
    for draft in drafts:
        names = list(dict.fromkeys([draft.name, *draft.aliases, *_surname(draft)]))
        present = [n for n in names if n.strip() and len(n) <= MAX_NAME and article.mentions([n])]
        if _key(draft.name) in parties:
            continue  # a repeat of a party already listed: nothing lost
        if not present:
            ledger.drop("parties", f"{draft.name}: not named in the article")
            continue
        if len(parties) >= MAX_PARTIES:
            ledger.drop("parties", f"{draft.name}: over the limit of {MAX_PARTIES} parties")
            continue
        name = draft.name if draft.name in present else present[0]
        aliases = [a for a in present if _key(a) != _key(name)]
        parties[_key(name)] = Party(
            name=name, kind=draft.kind, role=draft.role, aliases=aliases[:8], mentions=article.mentions(present)
        )
    return list(parties.values())


def ground_locations(article: Article, drafts: Iterable[LocationDraft], ledger: Ledger | None = None) -> list[Location]:
    places: dict[str, Location] = {}
    for draft in drafts:
        mentions = article.mentions([draft.name])
        if not mentions:
            (ledger or Ledger()).drop("locations", f"{draft.name}: not named in the article")
        elif _key(draft.name) not in places:
            places[_key(draft.name)] = Location(name=draft.name, kind=draft.kind, role=draft.role, mentions=mentions)
    return list(places.values())


def resolve_party(name: str, parties: Sequence[Party]) -> Party | None:
    """The party a free-text name refers to: exact name or alias first, then a shared surname."""
    wanted = _key(name)
    for party in parties:
        if wanted in {_key(n) for n in [party.name, *party.aliases]}:
            return party
    tokens = set(wanted.split())
    for party in parties:
        party_tokens = set(_key(party.name).split())
        if tokens and party_tokens and (tokens <= party_tokens or party_tokens <= tokens):
            return party
    return None


def speaker_party(article: Article, name: str, parties: list[Party], ledger: Ledger | None = None) -> Party | None:
    """Resolve a speaker, adding them as a party when the article names them but the list missed them.

    None (recorded as a dropped `quotes.speaker`) when the name cannot be grounded: the quotation
    is then returned unattributed rather than credited to a guess.
    """
    party = resolve_party(name, parties)
    if party is None and len(parties) < MAX_PARTIES and len(name) <= MAX_NAME and article.mentions([name]):
        party = Party(name=name, kind="person", role="quoted", mentions=article.mentions([name]))
        parties.append(party)
    if party is None and ledger is not None:
        ledger.drop("quotes.speaker", f"{name}: not a name the article writes, or no room for another party")
    return party


def quote_from_candidate(candidate: QuoteCandidate, speaker: Party | None) -> Quote:
    return Quote(
        text=candidate.text,
        speaker=speaker.name if speaker else None,
        partial=candidate.partial,
        start=candidate.start,
        end=candidate.end,
    )


def quote_from_text(article: Article, text: str, speaker: Party | None) -> Quote | None:
    span = article.locate(text)
    if span is None:
        return None
    verbatim = article.text[span.start : span.end]
    candidate = QuoteCandidate(verbatim, span.start, span.end)
    return quote_from_candidate(candidate, speaker)


def outcomes(drafts: Iterable[OutcomeDraft], parties: Sequence[Party], ledger: Ledger | None = None) -> list[Outcome]:
    result = []
    for draft in drafts:
        names = []
        for name in draft.parties:
            party = resolve_party(name, parties)
            if party is not None:
                names.append(party.name)
            elif ledger is not None:
                ledger.drop("outcomes.parties", f"{name}: not one of the parties")
        result.append(Outcome(description=draft.description, status=draft.status, parties=list(dict.fromkeys(names))))
    return result


def claims(drafts: Iterable[ClaimDraft], parties: Sequence[Party]) -> list[ContestedClaim]:
    def canonical(name: str) -> str:
        party = resolve_party(name, parties)
        return party.name if party else name

    return [
        ContestedClaim(
            claim=d.claim,
            claimant=canonical(d.claimant),
            disputed_by=[canonical(n) for n in d.disputed_by],
            evidence=d.evidence,
        )
        for d in drafts
    ]
