"""Turn drafts and candidates into a grounded `Summary`: drop what the article does not contain, add spans.

The one place public shapes are made. Two front doors, one per kind of input: `from_drafts` for
what the model wrote (`single`, `grouped`), `from_candidates` for what the NLP pass found and the
model (or the rules alone) kept (`candidates`, `hybrid`, `rules`).

Parties and places the article never names are dropped rather than re-asked (a re-ask costs a whole
model call, and a missing extra is cheaper than a wrong one); quote speakers are resolved to party
names, and a speaker the article names but the party list missed becomes a party. Whatever is
dropped here is recorded in the summary's `Ledger`, so the response can say what the model missed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from summarizer.pipeline import confidence
from summarizer.pipeline.confidence import calibrated
from summarizer.pipeline.drafts import ClaimDraft, EntitiesExtraction, LocationDraft, OutcomeDraft, PartyDraft
from summarizer.pipeline.ledger import Ledger
from summarizer.schemas import ContestedClaim, Location, Outcome, OutcomeStatus, Party, PartyKind, Quote, Span, Summary
from summarizer.text.article import Article, QuoteCandidate
from summarizer.text.names import name_key

if TYPE_CHECKING:  # the NLP pass's types only: assembling needs no spaCy of its own
    from summarizer.text.candidates import Candidates, ClaimPair, OutcomeCandidate
    from summarizer.text.entities import PartyCandidate as FoundParty
    from summarizer.text.entities import PlaceCandidate as FoundPlace


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _surname(draft: PartyDraft) -> list[str]:
    """News style names a person in full once, then by surname: count those mentions too."""
    words = draft.name.split()
    return [words[-1]] if draft.kind == "person" and len(words) > 1 and len(words[-1]) > 2 else []


MAX_PARTIES = Summary.model_fields["parties"].metadata[0].max_length
MAX_NAME = Party.model_fields["name"].metadata[0].max_length
MAX_PLACES = Summary.model_fields["locations"].metadata[0].max_length
MAX_QUOTES = Summary.model_fields["quotes"].metadata[0].max_length
MAX_TEXT = Outcome.model_fields["description"].metadata[0].max_length


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


def from_drafts(
    article: Article,
    ledger: Ledger,
    entities: EntitiesExtraction | None,
    outcome_drafts: list[OutcomeDraft],
    claim_drafts: list[ClaimDraft],
    parties: list[Party],
    quotes: list[Quote],
) -> Summary:
    """How `single` and `grouped` end: grounded places, outcomes and claims resolved to parties.

    `ledger`: where drops go (a streamed part is built with a throwaway one).
    """
    return Summary(
        headline=entities.headline if entities else "",
        summary=entities.summary if entities else "",
        parties=parties,
        locations=ground_locations(article, entities.locations if entities else [], ledger),
        outcomes=outcomes(outcome_drafts, parties, ledger),
        quotes=quotes,
        contested_claims=claims(claim_drafts, parties),
    )


def is_adjective(party: FoundParty) -> bool:
    """A nationality or affiliation used as an adjective ("Russian troops"): not a party of its own."""
    return party.labels[:1] == ("NORP",) and not party.name.endswith("s")


def spans(mentions: Sequence[object]) -> list[Span]:
    return [Span(start=m.start, end=m.end) for m in mentions]  # type: ignore[attr-defined]


def party_from(found: FoundParty, role: str, kind: PartyKind | None = None, confidence: float | None = None) -> Party:
    aliases = [a for a in found.aliases if len(a) <= MAX_NAME and a != found.name][:8]
    return Party(
        name=found.name,
        kind=kind or found.kind,
        role=role,
        aliases=aliases,
        mentions=spans(found.mentions),
        confidence=confidence,
    )


def missed_party(article: Article, name: str) -> Party:
    return Party(name=name, kind="other", role="", mentions=article.mentions([name]))


def place_from(found: FoundPlace, confidence: float | None = None) -> Location:
    return Location(name=found.name, kind=found.kind, mentions=spans(found.mentions), confidence=confidence)


def outcome_from(candidate: OutcomeCandidate, status: OutcomeStatus, parties: Sequence[Party]) -> Outcome:
    sentence = candidate.sentence
    involved = [p.name for p in parties if any(sentence.start <= m.start and m.end <= sentence.end for m in p.mentions)]
    text = " ".join(sentence.text.split())
    text = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3].rsplit(" ", 1)[0] + "..."
    return Outcome(
        description=text,
        status=status,
        parties=involved[:10],
        evidence_spans=[Span(start=sentence.start, end=sentence.end)],
        confidence=calibrated(confidence.OUTCOMES, candidate.score),
    )


def claim_from(pair: ClaimPair, claimant: str | None, disputer: str | None) -> ContestedClaim:
    def bounded(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3].rsplit(" ", 1)[0] + "..."

    return ContestedClaim(
        claim=bounded((pair.clause or pair.claim).text),
        claimant=(claimant or "")[:MAX_NAME],
        disputed_by=[disputer[:MAX_NAME]] if disputer else [],
        evidence=bounded(pair.evidence.text),
        evidence_spans=[Span(start=pair.evidence.start, end=pair.evidence.end)],
        confidence=calibrated(confidence.CLAIMS, pair.score),
    )


def from_candidates(
    article: Article,
    ledger: Ledger,
    headline: str,
    summary: str,
    parties: list[Party],
    places: list[Location],
    found: Candidates,
    choices: dict[int, str | None],
    outcomes: list[Outcome],
    claims: list[ContestedClaim],
) -> Summary:
    """One party per name, speakers resolved to parties (a quoted speaker the judge dropped comes back)."""
    parties = _unique(parties)
    by_key = {p.key: p for p in found.parties}
    names = {n.casefold(): p for p in parties for n in [p.name, *p.aliases]}
    quotes: list[Quote] = []
    rules = {a.quote.start: a for a in found.attributions}
    for candidate in found.quotes:
        if candidate.start not in choices:
            continue
        speaker = choices[candidate.start]
        if speaker is None:
            continue  # nobody says it: a title, a term, scare quotes
        party = names.get(speaker.casefold())
        if party is None:
            source = next((p for p in found.parties if p.name == speaker), None) or by_key.get(name_key(speaker))
            if source is not None and len(source.name) <= MAX_NAME:
                party = party_from(source, "quoted")
            elif len(speaker) <= MAX_NAME and article.mentions([speaker]):
                party = Party(name=speaker, kind="person", role="quoted", mentions=article.mentions([speaker]))
            if party is not None:
                parties.append(party)
                names.update({n.casefold(): party for n in [party.name, *party.aliases]})
            else:
                ledger.drop("quotes.speaker", f"{speaker}: not a name the article writes")
        rule = rules.get(candidate.start)
        sure = rule.confidence if rule is not None and rule.speaker == speaker and party else None  # rules' choice
        quotes.append(
            Quote(
                text=candidate.text,
                speaker=party.name if party else None,
                partial=candidate.partial,
                start=candidate.start,
                end=candidate.end,
                speaker_confidence=None if sure is None else calibrated(confidence.SPEAKERS, sure),
            )
        )
    for extra in quotes[MAX_QUOTES:]:
        ledger.drop("quotes", f"{extra.text}: over the limit of {MAX_QUOTES} quotations")
    parties, quotes = capped(parties, quotes[:MAX_QUOTES], ledger)  # a speaker over the limit is unattributed
    return Summary(
        headline=headline,
        summary=summary,
        parties=parties,
        locations=story_places(places),
        outcomes=outcomes,
        quotes=quotes,
        contested_claims=[c for c in claims if c.claimant],
    )


def _unique(parties: list[Party]) -> list[Party]:
    seen: dict[str, Party] = {}
    for party in parties:
        seen.setdefault(party.name.casefold(), party)
    return list(seen.values())


def capped(parties: list[Party], quotes: list[Quote], ledger: Ledger) -> tuple[list[Party], list[Quote]]:
    """At most `MAX_PARTIES`, the quoted speakers first: a long article fills the list with named parties,
    and a quotation must not lose its speaker to a party named once. A quote whose speaker is still
    over the limit loses its speaker (recorded), never its text."""
    if len(parties) <= MAX_PARTIES:
        return parties, quotes
    speakers = {q.speaker for q in quotes if q.speaker}
    ranked = [p for p in parties if p.name in speakers] + [p for p in parties if p.name not in speakers]
    for extra in ranked[MAX_PARTIES:]:
        ledger.drop("parties", f"{extra.name}: over the limit of {MAX_PARTIES} parties")
    names = {p.name for p in ranked[:MAX_PARTIES]}
    for quote in quotes:
        if quote.speaker and quote.speaker not in names:
            ledger.drop("quotes.speaker", f"{quote.speaker}: over the limit of {MAX_PARTIES} parties")
    kept = [q if not q.speaker or q.speaker in names else q.model_copy(update={"speaker": None}) for q in quotes]
    return [p for p in parties if p.name in names], kept


def story_places(places: list[Location]) -> list[Location]:
    """One place per name, at most `MAX_PLACES`: what a summary keeps of the places it is given."""
    return _unique_places(places)[:MAX_PLACES]


def _unique_places(places: list[Location]) -> list[Location]:
    return list({p.name.casefold(): p for p in places}.values())
