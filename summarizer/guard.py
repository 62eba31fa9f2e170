"""The last check before a summary leaves: nothing in it that the article does not support.

The extraction step already grounds parties, places and quotes; this pass is the backstop for a
model that obeys instructions planted in an article (or simply invents):

- a quote whose text is not exactly the article's text at its span is dropped;
- a party or place the article never names is dropped;
- a contested claim whose claimant the article never names is dropped, and names the article
  never mentions are removed from `disputed_by` and from outcomes' `parties`;
- free text (headline, summary, roles, descriptions, claims) that repeats our own instructions
  means the prompt leaked: the service rejects the whole answer (`InvalidModelOutput`, a 502).
"""

from __future__ import annotations

import re

from summarizer.grounding import Article
from summarizer.schemas import Summary

LEAK_WORDS = 6  # this many consecutive words of the instructions in an answer count as a leak
_WORD = re.compile(r"\w+")


def _shingles(text: str, size: int = LEAK_WORDS) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def leaked_instructions(summary: Summary, instructions: str, article: Article) -> list[str]:
    """Free-text fields that repeat a run of the instructions (one the article itself does not contain)."""
    secret = _shingles(instructions) - _shingles(article.text)
    fields = {
        "headline": summary.headline,
        "summary": summary.summary,
        **{f"parties[{i}].role": p.role for i, p in enumerate(summary.parties)},
        **{f"locations[{i}].role": p.role for i, p in enumerate(summary.locations)},
        **{f"outcomes[{i}].description": o.description for i, o in enumerate(summary.outcomes)},
        **{f"contested_claims[{i}].claim": c.claim for i, c in enumerate(summary.contested_claims)},
        **{f"contested_claims[{i}].evidence": c.evidence for i, c in enumerate(summary.contested_claims)},
    }
    return [name for name, text in fields.items() if _shingles(text) & secret]


def drop_ungrounded(summary: Summary, article: Article) -> Summary:
    """A copy of `summary` without the quotes, parties, places and names the article does not support."""

    def named(name: str) -> bool:
        return bool(name.strip()) and bool(article.mentions([name]))

    parties = [p for p in summary.parties if named(p.name)]
    known = {n.casefold() for p in parties for n in [p.name, *p.aliases]}
    quotes = [
        q
        for q in summary.quotes
        if article.text[q.start : q.end] == q.text and q.speaker.casefold() in known and q.text.strip()
    ]
    outcomes = [o.model_copy(update={"parties": [n for n in o.parties if named(n)]}) for o in summary.outcomes]
    claims = [
        c.model_copy(update={"disputed_by": [n for n in c.disputed_by if named(n)]})
        for c in summary.contested_claims
        if named(c.claimant)
    ]
    return summary.model_copy(
        update={
            "parties": parties,
            "locations": [loc for loc in summary.locations if named(loc.name)],
            "quotes": quotes,
            "outcomes": outcomes,
            "contested_claims": claims,
        }
    )
