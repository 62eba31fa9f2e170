"""`hybrid` (the default): the model names the parties and writes headline and summary; the rules do
everything else (places, quotes and their speakers, outcomes, contested claims).

A long article is read in windows, one call each; their parties are merged by name and a short
`digest` call writes the headline and summary from the windows' summaries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence

from summarizer.pipeline import assemble, merge
from summarizer.pipeline.drafts import Digest, DraftContext, EntitiesExtraction
from summarizer.pipeline.run import Run
from summarizer.pipeline.strategies import rules
from summarizer.pipeline.strategies.base import Strategy
from summarizer.schemas import Party, Span, Summary
from summarizer.text.candidates import Candidates
from summarizer.text.entities import PartyCandidate as FoundParty
from summarizer.text.names import name_key
from summarizer.text.windows import headed_parts

SALIENT_MENTIONS = 3  # a candidate the model left out is still a party when the article names it this often
MAX_NAME = Party.model_fields["name"].metadata[0].max_length
MAX_PARTIES = Summary.model_fields["parties"].metadata[0].max_length


async def hybrid(run: Run) -> Summary:
    """The model names the parties and writes headline and summary; the rules do everything else.

    Measured on the gold set, the model's own party list (grouped@4: F1 0.69) beat both the rules'
    (0.60) and a 1.5B model's keep/drop over the candidates (it kept every one), while the rules
    beat the model on places, outcomes and, by far, on speakers. One call instead of three. The
    model's list is precise but short (P 0.80, R 0.57), so candidates the article names at least
    `SALIENT_MENTIONS` times join it (F1 0.67 -> 0.71 replaying the recorded answers).

    A long article is read in windows (one call each, the same task); their parties are merged by
    name and the headline and summary are written from the windows' summaries (the `digest` task).

    Places and claims are the rules' alone and name no party of the model's, so they are final
    before the call and a stream gets them before its wait. Quotes and outcomes are not: speakers
    and an outcome's parties are resolved against the model's party list.
    """
    found = await run.nlp.candidates(run.article, run.nlp_pipeline, rules.reading_sections(run))
    places = assemble.story_places(rules.rule_places(found))
    claims = rules.section_claims(run, found)
    await run.emit("locations", Summary(headline="", summary="", locations=places))
    await run.emit("claims", Summary(headline="", summary="", contested_claims=claims))
    if run.windowed:
        headline, summary, parties = await _windowed_entities(run, found)
    else:
        entities, _ = await run.ask(
            "entities",
            EntitiesExtraction,
            ("headline", "summary", "parties"),
            context=DraftContext(
                unused=frozenset({"locations"})
            ),  # the same call as grouped@4's; its places lose to the rules'
        )
        if entities is None:
            run.fallback = run.may_fall_back
            parties = rules.rule_parties(found)
            headline, summary = rules.lede(run)
        else:
            parties = _with_salient(assemble.ground_parties(run.article, entities.parties, run.ledger), found)
            headline, summary = entities.headline, entities.summary
    choices = {a.quote.start: a.speaker for a in found.attributions}
    outcomes = rules.section_outcomes(run, found, parties)
    return assemble.from_candidates(
        run.article, run.ledger, headline, summary, parties, places, found, choices, outcomes, claims
    )


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
        salient = len(candidate.mentions) >= SALIENT_MENTIONS and not assemble.is_adjective(candidate)
        if salient and len(candidate.name) <= MAX_NAME:
            kept.append(assemble.party_from(candidate, ""))
            named.update({f.casefold(): len(kept) - 1 for f in forms})
    return kept


def _fuller(party: Party, candidate: FoundParty) -> Party:
    """`party` under the candidate's fuller name, with both's forms as aliases and both's mentions."""
    if len(candidate.name.split()) <= len(party.name.split()) or len(candidate.name) > MAX_NAME:
        return party
    forms = dict.fromkeys([party.name, *party.aliases, *candidate.aliases])
    aliases = [a for a in forms if a != candidate.name and len(a) <= MAX_NAME][:8]
    spans = sorted([*party.mentions, *assemble.spans(candidate.mentions)], key=lambda s: (s.start, -s.end))
    mentions: list[Span] = []
    for span in spans:  # "Putin" inside "Vladimir Putin" is one mention
        if not mentions or span.start >= mentions[-1].end:
            mentions.append(span)
    return party.model_copy(update={"name": candidate.name, "aliases": aliases, "mentions": mentions})


async def _windowed_entities(run: Run, found: Candidates) -> tuple[str, str, list[Party]]:
    """Parties from every window, merged by name; headline and summary written from all windows."""
    answers = await run.ask_windows(
        "entities", EntitiesExtraction, ("summary", "parties"), context=DraftContext(unused=frozenset({"locations"}))
    )
    got = [(window, answer) for window, answer in answers if answer is not None]
    if not got:
        run.fallback = run.may_fall_back
        headline, summary = rules.lede(run)
        return headline, summary, rules.rule_parties(found)
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
        for p in rules.rule_parties(found)
        if not {name_key(n) for n in [p.name, *p.aliases]} & listed and any(inside(m.start) for m in p.mentions)
    ]


async def _digest(run: Run, answers: Sequence[EntitiesExtraction], parties: Sequence[Party]) -> tuple[str, str]:
    """Headline and summary of the whole article from its windows' summaries (one short call).

    The summaries were written by the model from untrusted text, so they are fenced as the article
    is. When the call fails, the first window's headline and the windows' summaries joined stand in,
    and `meta.incomplete` says so. (Only prompts with a `digest` task are windowed:
    `Strategy.reads_in_windows`.)
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


STRATEGY = Strategy(
    name="hybrid",
    summary="the model names the parties and writes headline and summary; the rules do the rest",
    tasks=frozenset({"entities"}),
    needs_nlp=True,
    run=hybrid,
    windowed=True,
    window_task="digest",  # summarize-hybrid@2 on; a pinned summarize-hybrid@1 keeps its one call
)
