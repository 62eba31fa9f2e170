"""Find with code, judge with the model: the `candidates` strategy, and `rules`, its model-free baseline.

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

`rules` runs the same pass and keeps what the rules alone would: no model call at all. It shows what
the model adds, and gives CI a fast deterministic path.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from summarizer.pipeline import assemble, confidence, merge
from summarizer.pipeline.confidence import calibrated
from summarizer.pipeline.drafts import ClaimPick, Digest, EntitiesExtraction, Judgement, OutcomePick
from summarizer.pipeline.ledger import Ledger
from summarizer.pipeline.run import ENTITY_FIELDS, EVENT_FIELDS, Run
from summarizer.schemas import (
    ContestedClaim,
    Location,
    Outcome,
    OutcomeStatus,
    Party,
    PartyKind,
    Quote,
    Span,
    Summary,
)
from summarizer.text.candidates import Candidates, ClaimPair, OutcomeCandidate, candidates_async
from summarizer.text.entities import Party as FoundParty
from summarizer.text.entities import Place as FoundPlace
from summarizer.text.names import name_key
from summarizer.text.salience import Salience, salience
from summarizer.text.speakers import Attribution
from summarizer.text.windows import headed_parts, sections

# How much of each list the model is shown: enough for recall, short enough to judge well and fast.
SHOWN_PARTIES = 20
SHOWN_PLACES = 12
SHOWN_OUTCOMES = 8
SHOWN_CLAIMS = 4
SHOWN_UNSURE = 40  # quotations whose speaker the rules are unsure of; the rest keep the rules' choice
RULES_OUTCOMES = 3  # the rules keep the best-ranked outcome sentences
RULES_CLAIM_SCORE = 5.0  # strong cue, three shared words, a claimant: FNC-1 tune F1 0.12 at 6.0, 0.17 at 5.0
RULES_SECTION_CHARS = 3_000  # about one news article (the gold's average): see `_sections`
RULES_PARTY_SALIENCE = 0.25  # `text.salience` score to keep a party: named once in the lede or as a subject
SALIENT_MENTIONS = 3  # a candidate the model left out is still a party when the article names it this often
MAX_NAME = Party.model_fields["name"].metadata[0].max_length
MAX_PARTIES = Summary.model_fields["parties"].metadata[0].max_length
MAX_PLACES = Summary.model_fields["locations"].metadata[0].max_length
MAX_QUOTES = Summary.model_fields["quotes"].metadata[0].max_length
MAX_TEXT = Outcome.model_fields["description"].metadata[0].max_length
MAX_OUTCOMES = Summary.model_fields["outcomes"].metadata[0].max_length
MAX_CLAIMS = Summary.model_fields["contested_claims"].metadata[0].max_length


@dataclass(frozen=True)
class Shown:
    """The numbered lists of one article, in the order the model sees them (number = index + 1)."""

    parties: tuple[FoundParty, ...]
    places: tuple[FoundPlace, ...]
    unsure: tuple[Attribution, ...]
    outcomes: tuple[OutcomeCandidate, ...]
    claims: tuple[ClaimPair, ...]


def _adjective(party: FoundParty) -> bool:
    """A nationality or affiliation used as an adjective ("Russian troops"): not a party of its own."""
    return party.labels[:1] == ("NORP",) and not party.name.endswith("s")


def shown(found: Candidates) -> Shown:
    speakers = {a.speaker_key for a in found.attributions if a.speaker_key}
    parties = sorted(
        (p for p in found.parties if len(p.name) <= MAX_NAME and (p.key in speakers or not _adjective(p))),
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
    found = await candidates_async(run.article, run.nlp_pipeline, _sections(run))
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
        context={
            "party_count": len(lists.parties),
            "place_count": len(lists.places),
            "outcome_count": len(lists.outcomes),
            "claim_count": len(lists.claims),
            "quote_count": len(lists.unsure),
            "options": {n: a.options for n, a in enumerate(lists.unsure, 1)},
        },
    )
    choices = {a.quote.start: a.speaker for a in found.attributions}
    if judged is None:
        # The model answered badly or not in time: the rules' answer stands in (meta.incomplete says so).
        # The upstream being down is different: a 503 with Retry-After tells the caller to come back.
        run.fallback = run.may_fall_back
        parties = _rule_parties(found)
        headline, summary = _lede(run)
        return _assemble(
            run, headline, summary, parties, _rule_places(found), found, choices,
            _rule_outcomes(found, parties), _rule_claims(found),
        )  # fmt: skip
    parties = [_party(lists.parties[pick.n - 1], pick.role) for pick in judged.parties]
    parties += [_missed(run, m.name) for m in judged.missed]
    places = [_place(lists.places[pick.n - 1]) for pick in judged.places]
    outcomes = [_outcome(lists.outcomes[p.n - 1], p.status, parties) for p in _first_picks(judged.outcomes)]
    claims = [
        _claim(pair, _option(pair, p.claimant) or pair.claimant, _option(pair, p.disputer) or pair.disputer)
        for p in _first_picks(judged.claims)
        if (pair := lists.claims[p.n - 1])
    ]
    for pick in judged.speakers:
        attribution = lists.unsure[pick.q - 1]
        choices[attribution.quote.start] = attribution.options[pick.option - 1] if pick.option else None
    return _assemble(run, judged.headline, judged.summary, parties, places, found, choices, outcomes, claims)


async def hybrid(run: Run) -> Summary:
    """The model names the parties and writes headline and summary; the rules do everything else.

    Measured on the gold set, the model's own party list (grouped@4: F1 0.69) beat both the rules'
    (0.60) and a 1.5B model's keep/drop over the candidates (it kept every one), while the rules
    beat the model on places, outcomes and, by far, on speakers. One call instead of three. The
    model's list is precise but short (P 0.80, R 0.57), so candidates the article names at least
    `SALIENT_MENTIONS` times join it (F1 0.67 -> 0.71 replaying the recorded answers).

    A long article is read in windows (one call each, the same task); their parties are merged by
    name and the headline and summary are written from the windows' summaries (the `digest` task).
    """
    found = await candidates_async(run.article, run.nlp_pipeline, _sections(run))
    if run.windowed:
        headline, summary, parties = await _windowed_entities(run, found)
    else:
        entities, _ = await run.ask(
            "entities",
            EntitiesExtraction,
            ("headline", "summary", "parties"),
            context={"unused": {"locations"}},  # the same call as grouped@4's; its places lose to the rules'
        )
        if entities is None:
            run.fallback = run.may_fall_back
            parties = _rule_parties(found)
            headline, summary = _lede(run)
        else:
            parties = _with_salient(assemble.ground_parties(run.article, entities.parties, run.ledger), found)
            headline, summary = entities.headline, entities.summary
    choices = {a.quote.start: a.speaker for a in found.attributions}
    outcomes, claims = _rule_events(run, found, parties)
    return _assemble(run, headline, summary, parties, _rule_places(found), found, choices, outcomes, claims)


def _with_salient(parties: list[Party], found: Candidates) -> list[Party]:
    """The model's parties, named as fully as the pass knows them, then the ones the article names often.

    A model that read only part of a long article may list "Putin" where the pass, which read all
    of it, knows "Vladimir Putin": the model's party takes the full name (its own form becomes an
    alias), so one person is never two parties. Candidates the article names at least
    `SALIENT_MENTIONS` times join the list.
    """
    named = {n.casefold(): i for i, p in enumerate(parties) for n in [p.name, *p.aliases]}
    surnames = {p.name.casefold(): i for i, p in enumerate(parties) if p.kind == "person" and " " not in p.name}
    last_words = Counter(c.name.rsplit(" ", 1)[-1].casefold() for c in found.parties if " " in c.name)
    kept = list(parties)
    for candidate in found.parties:
        forms = [candidate.name, *candidate.aliases]
        match = next((named[f.casefold()] for f in forms if f.casefold() in named), None)
        surname = candidate.name.rsplit(" ", 1)[-1].casefold()
        if match is None and " " in candidate.name and last_words[surname] == 1:  # "Trump": Donald or Melania?
            match = surnames.get(surname)
        if match is not None:
            kept[match] = _fuller(kept[match], candidate)
            named.update({n.casefold(): match for n in [kept[match].name, *kept[match].aliases]})
            continue
        salient = len(candidate.mentions) >= SALIENT_MENTIONS and not _adjective(candidate)
        if salient and len(candidate.name) <= MAX_NAME:
            kept.append(_party(candidate, ""))
            named.update({f.casefold(): len(kept) - 1 for f in forms})
    return kept


def _fuller(party: Party, candidate: FoundParty) -> Party:
    """`party` under the candidate's fuller name, with both's forms as aliases and both's mentions."""
    if len(candidate.name.split()) <= len(party.name.split()) or len(candidate.name) > MAX_NAME:
        return party
    forms = dict.fromkeys([party.name, *party.aliases, *candidate.aliases])
    aliases = [a for a in forms if a != candidate.name and len(a) <= MAX_NAME][:8]
    spans = sorted([*party.mentions, *_spans(candidate.mentions)], key=lambda s: (s.start, -s.end))
    mentions: list[Span] = []
    for span in spans:  # "Putin" inside "Vladimir Putin" is one mention
        if not mentions or span.start >= mentions[-1].end:
            mentions.append(span)
    return party.model_copy(update={"name": candidate.name, "aliases": aliases, "mentions": mentions})


async def _windowed_entities(run: Run, found: Candidates) -> tuple[str, str, list[Party]]:
    """Parties from every window, merged by name; headline and summary written from all windows."""
    answers = await run.ask_windows(
        "entities", EntitiesExtraction, ("summary", "parties"), context={"unused": {"locations"}}
    )
    got = [(window, answer) for window, answer in answers if answer is not None]
    if not got:
        run.fallback = run.may_fall_back
        headline, summary = _lede(run)
        return headline, summary, _rule_parties(found)
    drafts = merge.party_drafts([answer.parties for _, answer in got])
    if len(drafts) > MAX_PARTIES:  # the most-named first, so the cap cuts the minor ones
        drafts.sort(key=lambda d: -len(run.article.mentions([d.name, *d.aliases])))
    parties = _with_salient(assemble.ground_parties(run.article, drafts, run.ledger), found)
    unread = [(w.start, w.end) for w, answer in answers if answer is None]
    unread += _unlisted_stories(run.article.text, parties)
    return *(await _digest(run, [answer for _, answer in got], parties)), [*parties, *_rules_in(found, unread, parties)]


def _unlisted_stories(text: str, parties: Sequence[Party]) -> list[tuple[int, int]]:
    """The headed parts of `text` that none of `parties` is named in.

    A window can hold several short stories (`windows.plan` joins a story under `STORY_CHARS` to
    the one before it, to keep calls few), and a 1.5B model shown two stories lists the first's
    parties. A story the model's list never names was, in effect, not read for parties."""
    named = sorted(m.start for p in parties for m in p.mentions)  # bisect: a long text has many of both
    return [(start, end) for start, end in headed_parts(text) if bisect_left(named, start) == bisect_left(named, end)]


def _rules_in(found: Candidates, spans: Sequence[tuple[int, int]], parties: Sequence[Party]) -> list[Party]:
    """The rules' parties named inside `spans` (text the model did not read for parties) that are not
    already among `parties`: what a window the model left unanswered, or a story it skipped, keeps."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts = [start for start, _ in merged]

    def inside(position: int) -> bool:
        i = bisect_right(starts, position) - 1
        return i >= 0 and position < merged[i][1]

    listed = {name_key(n) for p in parties for n in [p.name, *p.aliases]}
    return [
        p
        for p in _rule_parties(found)
        if not {name_key(n) for n in [p.name, *p.aliases]} & listed and any(inside(m.start) for m in p.mentions)
    ]


async def _digest(run: Run, answers: Sequence[EntitiesExtraction], parties: Sequence[Party]) -> tuple[str, str]:
    """Headline and summary of the whole article from its windows' summaries (one short call).

    The summaries were written by the model from untrusted text, so they are fenced as the article
    is. When the call fails, the first window's headline and the windows' summaries joined stand in,
    and `meta.incomplete` says so. (Only prompts with a `digest` task are windowed:
    `strategies.reads_in_windows`.)
    """
    joined = " ".join(a.summary.strip() for a in answers)
    fallback = answers[0].headline, joined if len(joined) <= 900 else joined[:897].rsplit(" ", 1)[0] + "..."
    names = ", ".join(p.name for p in sorted(parties, key=lambda p: -len(p.mentions))[:12])
    reading = _parts(answers)
    reading += f"\n\nNamed most often: {names}" if names else ""
    digest, _ = await run.ask("digest", Digest, ("headline", "summary"), reading=reading)
    return (digest.headline, digest.summary) if digest is not None else fallback


DIGEST_CHARS = 12_000  # ~3,000 tokens: the digest's reading fits any context the windows fit


def _parts(answers: Sequence[EntitiesExtraction]) -> str:
    """The windows' headlines and summaries, shortened until they fit `DIGEST_CHARS`: whole summaries,
    else each summary's first sentence, else evenly spaced parts (a 500,000-character article has ~90)."""
    full = [f"{a.headline}\n{a.summary}" for a in answers]
    short = [f"{a.headline}\n{a.summary.split('. ', 1)[0]}" for a in answers]
    for texts in (full, short):
        reading = "\n\n".join(f"Part {n}: {t}" for n, t in enumerate(texts, 1))
        if len(reading) <= DIGEST_CHARS:
            return reading
    keep = max(1, DIGEST_CHARS // (max(map(len, short)) + 12))
    chosen = sorted({round(i * (len(short) - 1) / max(keep - 1, 1)) for i in range(keep)})
    return "\n\n".join(f"Part {n + 1} of {len(short)}: {short[n]}" for n in chosen)[:DIGEST_CHARS]


async def rules(run: Run) -> Summary:
    """The candidates the rules alone would keep; no model call."""
    found = await candidates_async(run.article, run.nlp_pipeline, _sections(run))
    headline, summary = _lede(run)
    parties = _rule_parties(found)
    choices = {a.quote.start: a.speaker for a in found.attributions}
    outcomes, claims = _rule_events(run, found, parties)
    return _assemble(run, headline, summary, parties, _rule_places(found), found, choices, outcomes, claims)


def _sections(run: Run) -> tuple[tuple[int, int], ...]:
    """Pieces of a long article about one news article long, where the rules pick outcomes and claims.

    The rules keep the best few of each per article (the gold has one outcome per ~800 characters);
    over a long article as a whole, "the best three" would describe one part of it.
    """
    if not run.windowed:
        return ()
    return tuple(sections(run.article.text, RULES_SECTION_CHARS))


def _rule_events(run: Run, found: Candidates, parties: Sequence[Party]) -> tuple[list[Outcome], list[ContestedClaim]]:
    """The rules' outcomes and claims; over a long article, chosen per section, then interleaved."""
    sections = _sections(run)
    if not sections:
        return _rule_outcomes(found, parties), _rule_claims(found)
    outcomes: list[list[Outcome]] = []
    claims: list[list[ContestedClaim]] = []
    for start, end in sections:
        inside = replace(
            found,
            outcomes=tuple(o for o in found.outcomes if start <= o.sentence.start < end),
            claims=tuple(c for c in found.claims if start <= c.evidence.start < end),
        )
        outcomes.append(_rule_outcomes(inside, parties))
        claims.append([c for c in _rule_claims(inside) if c.claimant])  # a claim without one is never kept
    kept_outcomes, left = merge.interleave(outcomes, MAX_OUTCOMES)
    for extra in left:
        run.ledger.drop("outcomes", f"{extra.description}: over the limit of {MAX_OUTCOMES} outcomes")
    kept_claims, left_claims = merge.interleave(claims, MAX_CLAIMS)
    for claim in left_claims:
        run.ledger.drop("contested_claims", f"{claim.claim}: over the limit of {MAX_CLAIMS} claims")
    return kept_outcomes, kept_claims


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


# --- what the rules keep when nobody judges -------------------------------------------------------


def _rule_parties(found: Candidates) -> list[Party]:
    """The parties salient enough (`text.salience`: lede, subject of a verb, quoted, mentions), or quoted.

    Was "named at least twice, or quoted"; the pass's precision is 0.32 keeping everything."""
    ranked = _salience(found)
    kept = [
        p
        for p in found.parties
        if len(p.name) <= MAX_NAME
        and (ranked[p.key].quoted or (ranked[p.key].score >= RULES_PARTY_SALIENCE and not _adjective(p)))
    ]
    return [_party(p, "", confidence=calibrated(confidence.PARTIES, ranked[p.key].score)) for p in kept]


def _salience(found: Candidates) -> dict[str, Salience]:
    speakers = frozenset(a.speaker_key for a in found.attributions if a.speaker_key)
    return salience(found.parties, found.lede, found.actors, speakers)


def _rule_places(found: Candidates) -> list[Location]:
    """The places the article puts something in (`Place.located`): a name used only as an actor or a
    modifier ("the United States criticised", "the Dallas chapter") is not one of the story's places."""
    return [
        _place(p, calibrated(confidence.PLACES, 1.0)) for p in found.places if len(p.name) <= MAX_NAME and p.located
    ]


def _rule_outcomes(found: Candidates, parties: Sequence[Party]) -> list[Outcome]:
    """The best-ranked sentences, in article order.

    Keeping more for longer articles (one per 600-900 characters, 2-8) was measured and lost precision
    faster than it gained recall on the gold set, so the count stays fixed."""
    best = sorted(found.outcomes, key=lambda o: -o.score)[:RULES_OUTCOMES]
    return [_outcome(o, _status(o.sentence.text), parties) for o in sorted(best, key=lambda o: o.sentence.start)]


def _rule_claims(found: Candidates) -> list[ContestedClaim]:
    """The best-ranked pair alone, when a strong denial cue answers a reported claim (a clause or a claimant)."""
    strong = [p for p in found.claims if p.score >= RULES_CLAIM_SCORE and (p.clause is not None or p.claimant)]
    best = sorted(strong, key=lambda p: -p.score)[:1]
    return [_claim(pair, pair.claimant, pair.disputer) for pair in best]


_PLANNED = (" will ", " plan", " expect", " to be held", " scheduled", " intend")
_AGREED = (" agree", " sign", " approv", " accept")
_FAILED = (" fail", " reject", " without result", " collapsed", " no agreement")


def _status(sentence: str) -> OutcomeStatus:
    text = f" {sentence.casefold()}"
    for status, cues in (("failed", _FAILED), ("agreed", _AGREED), ("planned", _PLANNED)):
        if any(cue in text for cue in cues):
            return status  # type: ignore[return-value]
    return "happened"


def _lede(run: Run) -> tuple[str, str]:
    """Headline and summary the rules can write: the article's own first sentences."""
    sentences = [s.strip() for s in run.article.text.replace("\n", " \n ").split(". ") if s.strip()]
    first = " ".join(sentences[0].split()) if sentences else ""
    headline = first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "..."
    summary = ". ".join(" ".join(s.split()) for s in sentences[:3])
    summary = summary if len(summary) <= 900 else summary[:897].rsplit(" ", 1)[0] + "..."
    return headline, summary


# --- from candidates to the public shapes -------------------------------------------------------


def _spans(mentions: Sequence[object]) -> list[Span]:
    return [Span(start=m.start, end=m.end) for m in mentions]  # type: ignore[attr-defined]


def _party(found: FoundParty, role: str, kind: PartyKind | None = None, confidence: float | None = None) -> Party:
    aliases = [a for a in found.aliases if len(a) <= MAX_NAME and a != found.name][:8]
    return Party(
        name=found.name,
        kind=kind or found.kind,
        role=role,
        aliases=aliases,
        mentions=_spans(found.mentions),
        confidence=confidence,
    )


def _missed(run: Run, name: str) -> Party:
    return Party(name=name, kind="other", role="", mentions=run.article.mentions([name]))


def _place(found: FoundPlace, confidence: float | None = None) -> Location:
    return Location(name=found.name, kind=found.kind, mentions=_spans(found.mentions), confidence=confidence)


def _outcome(candidate: OutcomeCandidate, status: OutcomeStatus, parties: Sequence[Party]) -> Outcome:
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


def _claim(pair: ClaimPair, claimant: str | None, disputer: str | None) -> ContestedClaim:
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


def _assemble(
    run: Run,
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
    ledger = run.ledger
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
                party = _party(source, "quoted")
            elif len(speaker) <= MAX_NAME and run.article.mentions([speaker]):
                party = Party(name=speaker, kind="person", role="quoted", mentions=run.article.mentions([speaker]))
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
    parties, quotes = _capped(parties, quotes[:MAX_QUOTES], ledger)  # a speaker over the limit is unattributed
    return Summary(
        headline=headline,
        summary=summary,
        parties=parties,
        locations=_unique_places(places)[:MAX_PLACES],
        outcomes=outcomes,
        quotes=quotes,
        contested_claims=[c for c in claims if c.claimant],
    )


def _unique(parties: list[Party]) -> list[Party]:
    seen: dict[str, Party] = {}
    for party in parties:
        seen.setdefault(party.name.casefold(), party)
    return list(seen.values())


def _capped(parties: list[Party], quotes: list[Quote], ledger: Ledger) -> tuple[list[Party], list[Quote]]:
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


def _unique_places(places: list[Location]) -> list[Location]:
    return list({p.name.casefold(): p for p in places}.values())
