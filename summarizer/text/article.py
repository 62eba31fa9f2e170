"""Checks model output against the article, and computes what only code gets exactly right: spans.

Quote marks and whitespace are normalised before comparing (a model that writes “ for " is not
fabricating), but offsets always point into the text exactly as the client submitted it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from summarizer.schemas import Span

_QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
    }
)
_OPENERS = {'"', "“", "„", "«"}
_CLOSERS = {'"', "”", "‟", "»"}
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Straight quote marks, single spaces: the form in which two texts are compared."""
    return " ".join(text.translate(_QUOTE_MAP).split())


def strip_quote_marks(text: str) -> str:
    """Remove whitespace and quote marks a model may wrap around a quotation."""
    return text.strip().strip("\"'“”‘’„«» ").strip()


@dataclass(frozen=True)
class QuoteCandidate:
    """A quotation found by scanning quote marks: verbatim text and its exact span."""

    text: str
    start: int
    end: int

    @property
    def partial(self) -> bool:
        """A quotation that starts in lower case is a fragment woven into the reporter's sentence."""
        first = next((c for c in self.text if c.isalpha()), "")
        return first.islower()


@lru_cache(maxsize=1024)
def _whole_word(name: str) -> re.Pattern[str]:
    """`name` as a whole word, any case; compiled once per name (answers repeat names all the time)."""
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)


class Article:
    """The submitted text plus a normalised copy that maps back to original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _normalised(self) -> tuple[str, list[int]]:
        out: list[str] = []
        origin: list[int] = []
        previous_space = True
        for index, char in enumerate(self.text.translate(_QUOTE_MAP)):
            if char.isspace():
                if previous_space:
                    continue
                char, previous_space = " ", True
            else:
                previous_space = False
            out.append(char)
            origin.append(index)
        return "".join(out), origin

    def locate(self, fragment: str) -> Span | None:
        """Span of the first verbatim occurrence of `fragment` (quote marks and spacing normalised)."""
        needle = normalise(strip_quote_marks(fragment))
        if not needle:
            return None
        haystack, origin = self._normalised
        position = haystack.find(needle)
        if position < 0:
            return None
        return Span(start=origin[position], end=origin[position + len(needle) - 1] + 1)

    def contains(self, fragment: str) -> bool:
        return self.locate(fragment) is not None

    def surroundings(self, start: int, end: int, width: int = 200, paragraphs_before: int = 0) -> str:
        """The paragraph around a span, trimmed to `width` characters each side: where attribution lives.

        `paragraphs_before` widens the left edge to earlier paragraphs, for a "he said" whose "he"
        was named a paragraph earlier.
        """
        left = self.text.rfind("\n", 0, start) + 1
        for _ in range(paragraphs_before):
            if left > 0:
                left = self.text.rfind("\n", 0, left - 1) + 1
                width += start - left
        right = self.text.find("\n", end)
        right = len(self.text) if right < 0 else right
        left, right = max(left, start - width), min(right, end + width)
        prefix = "..." if left > 0 and self.text[left - 1] != "\n" else ""
        suffix = "..." if right < len(self.text) and self.text[right] != "\n" else ""
        return prefix + " ".join(self.text[left:right].split()) + suffix

    def mentions(self, names: list[str]) -> list[Span]:
        """Every whole-word occurrence of any of `names`, longest first where they overlap."""
        found: list[Span] = []
        for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
            for match in _whole_word(name).finditer(self.text):
                if not any(s.start < match.end() and match.start() < s.end for s in found):
                    found.append(Span(start=match.start(), end=match.end()))
        return sorted(found, key=lambda s: s.start)

    def names(self, name: str) -> bool:
        """Whether the article names `name` as a whole word: `mentions([name])` is not empty, found
        by stopping at the first occurrence (the guard asks this of every name in an answer)."""
        name = name.strip()
        return bool(name) and _whole_word(name).search(self.text) is not None

    def quote_candidates(self, min_words: int = 2, max_chars: int = 2000) -> list[QuoteCandidate]:
        """Text between paired double quote marks, paragraph by paragraph, in reading order."""
        found: list[QuoteCandidate] = []
        opened: int | None = None
        for index, char in enumerate(self.text):
            if char == "\n":
                opened = None
            elif opened is None and char in _OPENERS:
                opened = index
            elif opened is not None and char in _CLOSERS:
                start, end = opened + 1, index
                inner = self.text[start:end]
                stripped = inner.strip()
                if len(_WORD.findall(stripped)) >= min_words and len(stripped) <= max_chars:
                    lead = len(inner) - len(inner.lstrip())
                    found.append(QuoteCandidate(stripped, start + lead, start + lead + len(stripped)))
                opened = None
        return found
