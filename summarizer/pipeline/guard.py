"""The last check before a summary leaves: nothing in it that the article does not support.

The extraction step already grounds parties, places and quotes; this pass is the backstop for a
model that obeys instructions planted in an article (or simply invents):

- a quote whose text is not exactly the article's text at its span is dropped;
- a party or place the article never names is dropped;
- a contested claim whose claimant the article never names is dropped, and names the article
  never mentions are removed from `disputed_by` and from outcomes' `parties`;
- free text (headline, summary, roles, descriptions, claims) that repeats our own instructions
  means the prompt leaked: the service rejects the whole answer (`InvalidModelOutput`, a 502).
  This is the one case where nothing is returned: a model that obeyed an article's instructions
  once cannot be trusted on the rest of that article.

Everything dropped here is recorded in the ledger: it reaches `meta.dropped`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.pipeline.ledger import Ledger
from summarizer.schemas import Summary
from summarizer.text.article import Article

LEAK_WORDS = 6  # this many consecutive words of the instructions in an answer count as a leak
_WORD = re.compile(r"\w+")


def _shingles(text: str, size: int = LEAK_WORDS) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=32)
def _instruction_shingles(instructions: str) -> frozenset[tuple[str, ...]]:
    """The runs of a prompt's instructions, cut once per prompt rather than once per summary."""
    return frozenset(_shingles(instructions))


def leaked_instructions(summary: Summary, instructions: str, article: Article) -> list[str]:
    """Free-text fields that repeat a run of the instructions (one the article itself does not contain).

    The article's own runs are cut only when a field repeats one of the instructions' (rarely):
    `field & (ours - article)` is `(field & ours) - article`.
    """
    ours = _instruction_shingles(instructions)
    article_runs: set[tuple[str, ...]] | None = None
    fields = {
        "headline": summary.headline,
        "summary": summary.summary,
        **{f"parties[{i}].role": p.role for i, p in enumerate(summary.parties)},
        **{f"locations[{i}].role": p.role for i, p in enumerate(summary.locations)},
        **{f"outcomes[{i}].description": o.description for i, o in enumerate(summary.outcomes)},
        **{f"contested_claims[{i}].claim": c.claim for i, c in enumerate(summary.contested_claims)},
        **{f"contested_claims[{i}].evidence": c.evidence for i, c in enumerate(summary.contested_claims)},
    }
    leaked = []
    for name, text in fields.items():
        if repeated := _shingles(text) & ours:
            article_runs = _shingles(article.text) if article_runs is None else article_runs
            if repeated - article_runs:
                leaked.append(name)
    return leaked


def drop_ungrounded(summary: Summary, article: Article, ledger: Ledger | None = None) -> Summary:
    """A copy of `summary` without the quotes, parties, places and names the article does not support."""
    ledger = ledger or Ledger()

    def named(name: str, path: str) -> bool:
        if article.names(name):
            return True
        ledger.drop(path, f"{name}: not named in the article")
        return False

    parties = [p for p in summary.parties if named(p.name, "parties")]
    known = {n.casefold() for p in parties for n in [p.name, *p.aliases]}
    quotes = []
    for q in summary.quotes:
        if article.text[q.start : q.end] != q.text or not q.text.strip():
            ledger.drop("quotes", f"{q.text}: not verbatim at {q.start}-{q.end}")
        elif q.speaker is not None and q.speaker.casefold() not in known:
            ledger.drop("quotes.speaker", f"{q.speaker}: not one of the parties")
            quotes.append(q.model_copy(update={"speaker": None}))
        else:
            quotes.append(q)
    outcomes = [
        o.model_copy(update={"parties": [n for n in o.parties if named(n, "outcomes.parties")]})
        for o in summary.outcomes
    ]
    claims = [
        c.model_copy(update={"disputed_by": [n for n in c.disputed_by if named(n, "contested_claims.disputed_by")]})
        for c in summary.contested_claims
        if named(c.claimant, "contested_claims")
    ]
    return summary.model_copy(
        update={
            "parties": parties,
            "locations": [loc for loc in summary.locations if named(loc.name, "locations")],
            "quotes": quotes,
            "outcomes": outcomes,
            "contested_claims": claims,
        }
    )
