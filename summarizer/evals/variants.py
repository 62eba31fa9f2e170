"""Predictions built from gold files, for testing the scorer itself (meta-evaluation).

If the scorer cannot rank a perfect answer above a degraded one, its numbers mean nothing; these
variants make each kind of degradation on purpose, deterministically (seeded by the article slug).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from summarizer.evals.gold import GoldCase
from summarizer.schemas import ContestedClaim, Location, Outcome, Party, Quote, Summary
from summarizer.text.article import Article

INVENTED_PARTIES = ("Zorblax Industries", "Quentin Fairweather-Smythe")
FABRICATED_QUOTE = "We will hand the moon to whoever asks first, and nobody can stop us."


def perfect(case: GoldCase) -> Summary:
    """The gold file itself as a prediction, optional items included, spans computed from the text."""
    article, gold = Article(case.text), case.gold
    quotes = []
    for q in gold.quotes:
        span = article.locate(q.text)
        assert span is not None, "the gold loader checked every quote"
        quotes.append(Quote(text=q.text, speaker=q.speaker, partial=q.partial, start=span.start, end=span.end))
    # Built unvalidated: a gold file may list more items than the API's caps allow in one summary.
    return Summary.model_construct(
        headline="",
        summary="",
        parties=[
            Party(name=p.name, kind=p.kind, aliases=p.aliases[:8], mentions=article.mentions([p.name, *p.aliases]))
            for p in gold.parties
        ],
        locations=[
            Location(name=loc.name, mentions=article.mentions([loc.name, *loc.aliases])) for loc in gold.locations
        ],
        outcomes=[Outcome(description=o.description, status=o.status) for o in gold.outcomes],
        quotes=quotes,
        contested_claims=[
            ContestedClaim(claim=c.claim, claimant=c.claimant, disputed_by=c.disputed_by, evidence=c.evidence)
            for c in gold.contested_claims
        ],
    )


def aliased(case: GoldCase) -> Summary:
    """Every party and location named by its first alias, and every list shuffled."""
    rng = random.Random(case.slug)
    base = perfect(case)
    parties = [p.model_copy(update={"name": p.aliases[0], "aliases": []}) if p.aliases else p for p in base.parties]
    locations = [
        loc.model_copy(update={"name": g.aliases[0]}) if g.aliases else loc
        for loc, g in zip(base.locations, case.gold.locations, strict=True)
    ]
    outcomes, quotes, claims = list(base.outcomes), list(base.quotes), list(base.contested_claims)
    rng.shuffle(parties)
    rng.shuffle(locations)
    rng.shuffle(outcomes)
    rng.shuffle(quotes)
    rng.shuffle(claims)
    update = {"parties": parties, "locations": locations, "outcomes": outcomes, "quotes": quotes}
    return base.model_copy(update={**update, "contested_claims": claims})


def dropped(case: GoldCase, share: float = 0.3) -> Summary:
    """The perfect prediction missing `share` of its items, chosen at random across all fields."""
    rng = random.Random(case.slug)
    base = perfect(case)
    names = ("parties", "locations", "outcomes", "quotes", "contested_claims")
    slots = [(name, i) for name in names for i in range(len(getattr(base, name)))]
    gone = set(rng.sample(slots, max(1, round(share * len(slots))))) if slots else set()
    update = {name: [x for i, x in enumerate(getattr(base, name)) if (name, i) not in gone] for name in names}
    return base.model_copy(update=update)


def invented(case: GoldCase) -> Summary:
    """The perfect prediction plus parties nobody mentioned, a quote nobody said, and one wrong speaker."""
    base = perfect(case)
    parties = [*base.parties, *(Party(name=name, kind="other") for name in INVENTED_PARTIES)]
    quotes = list(base.quotes)
    required = [i for i, q in enumerate(case.gold.quotes) if not q.optional]
    if required:  # speaker accuracy is over required quotes: give the first of them a wrong speaker
        first = required[0]
        wrong = next((p.name for p in base.parties if p.name != quotes[first].speaker), INVENTED_PARTIES[0])
        quotes[first] = quotes[first].model_copy(update={"speaker": wrong})
    quotes.append(Quote(text=FABRICATED_QUOTE, speaker=INVENTED_PARTIES[1], partial=False, start=0, end=0))
    return base.model_copy(update={"parties": parties, "quotes": quotes})


def empty(case: GoldCase) -> Summary:
    return Summary.model_construct(headline="", summary="")


VARIANTS: dict[str, Callable[[GoldCase], Summary]] = {
    "perfect": perfect,
    "aliased": aliased,
    "dropped": dropped,
    "invented": invented,
    "empty": empty,
}


def paraphrased(case: GoldCase) -> Summary:
    """The perfect prediction with every claim worded as its first `claim_aliases` entry."""
    base = perfect(case)
    claims = [
        c.model_copy(update={"claim": g.claim_aliases[0]}) if g.claim_aliases else c
        for c, g in zip(base.contested_claims, case.gold.contested_claims, strict=True)
    ]
    return base.model_copy(update={"contested_claims": claims})


def swapped_claimants(case: GoldCase) -> Summary:
    """The perfect prediction with every claim put in someone else's mouth: none may match."""
    base = perfect(case)
    claims = []
    for claim in base.contested_claims:
        other = next((p.name for p in case.gold.parties if p.name != claim.claimant), INVENTED_PARTIES[0])
        claims.append(claim.model_copy(update={"claimant": other}))
    return base.model_copy(update={"contested_claims": claims})


def superset_names(case: GoldCase) -> Summary:
    """Every party and place renamed to something named after it ("Friends of X Society"): none may match."""
    base = perfect(case)

    def bigger(name: str) -> str:
        return f"Friends of {name} Society"

    parties = [p.model_copy(update={"name": bigger(p.name), "aliases": []}) for p in base.parties]
    locations = [loc.model_copy(update={"name": bigger(loc.name)}) for loc in base.locations]
    return base.model_copy(update={"parties": parties, "locations": locations})


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“‘])")


def first_sentences(case: GoldCase) -> Summary:
    """Every multi-sentence gold quote cut to its first sentence (a quote split by "he said"): all still match."""
    base = perfect(case)
    quotes = []
    for q in base.quotes:
        first = _SENTENCE.split(q.text, maxsplit=1)[0]
        quotes.append(q.model_copy(update={"text": first, "end": q.start + len(first)}))
    return base.model_copy(update={"quotes": quotes})


def near_miss_quotes(case: GoldCase) -> Summary:
    """Every quote of six words or more, its first three words continued differently: never a match."""
    base = perfect(case)
    ending = FABRICATED_QUOTE.split()[3:]
    quotes = [
        q.model_copy(update={"text": " ".join([*(w.rstrip(".!?") for w in q.text.split()[:3]), *ending])})
        for q in base.quotes
        if len(q.text.split()) >= 6
    ]
    return base.model_copy(update={"quotes": quotes})
