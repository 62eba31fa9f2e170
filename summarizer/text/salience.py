"""How central a party is to its story, from where and how the article names it.

The rules used to keep a party named twice or quoted. That counts a name dropped twice in passing
the same as the story's subject, and misses a party named once in the lede. These features are what
a reader uses to tell them apart, and need no model:

- `lede`: named in the headline or first paragraph (news names who the story is about first);
- `subject`: the subject of a verb somewhere (an actor, not a modifier or an object);
- `quoted`: the speaker of a quotation;
- `mentions`: how often it is named.

`salience` combines them into a number in [0, 1]; the rules keep parties above a threshold, and the
number, calibrated, is the party's `confidence`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from summarizer.text.entities import EntityFinder
from summarizer.text.entities import PartyCandidate as Party

_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
LEDE_CHARS = 400
"""The headline and lede are at most this long (a wire story's first sentence or two)."""
HEADLINE_CHARS = 120
"""A first paragraph shorter than this is a headline: the lede is the paragraph after it."""


@dataclass(frozen=True)
class Salience:
    """The features of one party (see the module docstring) and the score they make."""

    mentions: int
    lede: bool
    subject: bool
    quoted: bool

    @property
    def score(self) -> float:
        """Each feature's share of the score; the weights were set on the committed gold's parties.

        Two mentions and nothing else is 0.35; named in the lede as an actor is 0.6; quoted alone is 0.5.
        """
        named = min(self.mentions, 6) / 6
        return round(min(1.0, 0.25 * named + 0.25 * self.lede + 0.2 * self.subject + 0.5 * self.quoted + 0.05), 3)


def subjects(doc: Doc, entities: EntityFinder) -> frozenset[str]:
    """Keys of the parties named as the subject of a verb anywhere in the article."""
    keys: set[str] = set()
    for token in doc:
        if token.dep_ in _SUBJECTS and token.head.pos_ in ("VERB", "AUX"):
            key = entities.party_key_at(token.idx, token.idx + len(token.text))
            if key is not None:
                keys.add(key)
    return frozenset(keys)


def lede_end(text: str) -> int:
    """Where the headline and lede end: the first paragraph, and the next one too when the first is a
    headline (shorter than `HEADLINE_CHARS`); never more than `LEDE_CHARS` characters in."""
    end = _paragraph_end(text, 0)
    if len(text[:end].strip()) < HEADLINE_CHARS:
        end = _paragraph_end(text, end + 1)
    return min(end, LEDE_CHARS)


def _paragraph_end(text: str, start: int) -> int:
    while start < len(text) and text[start] == "\n":
        start += 1
    cut = text.find("\n", start)
    return len(text) if cut < 0 else cut


def named_first(parties: Iterable[Party], text: str) -> frozenset[str]:
    """Keys of the parties named in the headline or lede."""
    end = lede_end(text)
    return frozenset(p.key for p in parties if any(m.start < end for m in p.mentions))


def salience(
    parties: Iterable[Party], lede: frozenset[str], actors: frozenset[str], speakers: frozenset[str]
) -> dict[str, Salience]:
    """Every party's features, by key."""
    return {
        p.key: Salience(mentions=len(p.mentions), lede=p.key in lede, subject=p.key in actors, quoted=p.key in speakers)
        for p in parties
    }
