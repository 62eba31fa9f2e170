"""One name key for every place that asks "are these two names the same thing?".

The pipeline merges entity mentions with it and the evals can match predictions to gold with it, so a
party the pass merged is a party the scorer counts once. Presentation is not identity: case,
diacritics, a possessive, a leading "the" and a title ("President", "Sen.", "Prime Minister") go;
a few well-known aliases ("the U.S.", "US", "America") share one key. A surname alone folds into the
fullest earlier form of the name ("Putin" -> "Vladimir Putin"), but two people who only share a
first name never merge ("Vladimir Putin" and "Vladimir Zelensky" stay two).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from summarizer.text import lexicon

_TITLES = lexicon.load("titles")
# Keys that name the same thing; the value is the key they all share.
_ALIASES = {
    **dict.fromkeys(("us", "usa", "united states", "united states of america", "america"), "united states"),
    **dict.fromkeys(("uk", "britain", "great britain", "united kingdom"), "united kingdom"),
    **dict.fromkeys(("un", "united nations"), "united nations"),
    **dict.fromkeys(("eu", "european union"), "european union"),
    **dict.fromkeys(("uae", "united arab emirates"), "united arab emirates"),
    **dict.fromkeys(("ussr", "soviet union"), "soviet union"),
    **dict.fromkeys(("nyc", "new york city"), "new york city"),
    **dict.fromkeys(("la", "los angeles"), "los angeles"),
    **dict.fromkeys(("dc", "washington dc", "washington d c"), "washington dc"),
    **dict.fromkeys(("gop", "republican party"), "republican party"),
}
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")
_INITIALS = re.compile(r"(?<!\w)[A-Za-z](?:\.[A-Za-z])+\.?(?!\w)")


def plain(text: str) -> str:
    """Lower case, no diacritics, no punctuation, single-spaced; "U.S." becomes "us", not "u s"."""
    text = _INITIALS.sub(lambda m: m.group(0).replace(".", ""), text)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).replace("_", " ").split())


def strip_name(text: str) -> str:
    """The name as written, without possessive, leading article or titles: the form shown to a reader."""
    words = _POSSESSIVE.sub("", text.strip().strip(",;:!?\"'“”‘’()")).split()
    if words and words[-1].endswith(".") and not _INITIALS.fullmatch(words[-1]) and len(words[-1]) > 2:
        words[-1] = words[-1].rstrip(".")
    while len(words) > 1 and words[0].casefold() == "the":
        words = words[1:]
    while len(words) > 1 and plain(words[0]) in _TITLES and plain(words[1]) != "of":
        words = words[1:]
    return " ".join(words)


def name_key(text: str) -> str:
    """The identity of a name: stripped, plain, and mapped through the alias table."""
    key = plain(strip_name(text))
    return _ALIASES.get(key, key)


@dataclass
class _Entry:
    key: str
    words: tuple[str, ...]
    person: bool


@dataclass
class NameIndex:
    """Keys handed out in reading order, so a later short form can fold into an earlier full one.

    Why an index and not a pure function: "Putin" means "Vladimir Putin" only in an article that
    named him first; the fold depends on what came before.
    """

    _entries: list[_Entry] = field(default_factory=list)
    _by_key: dict[str, _Entry] = field(default_factory=dict)

    def key(self, name: str, person: bool = True) -> str:
        """The canonical key of `name`, registering it when it is new.

        A key that is the surname (last words) of exactly the most recent earlier person with that
        surname folds into that person; a bare first name folds only when one earlier person has it.
        """
        key = name_key(name)
        if not key:
            return key
        if key in self._by_key:
            return self._by_key[key].key
        words = tuple(key.split())
        target = self._fold(words) if person else None
        if target is not None:
            self._by_key[key] = target
            return target.key
        entry = _Entry(key, words, person)
        if person:
            self._absorb_earlier(entry)
        self._entries.append(entry)
        self._by_key[key] = entry
        return key

    def _absorb_earlier(self, entry: _Entry) -> None:
        """ "Mr. Obama ... Barack Obama": a surname seen first joins the full name when it arrives."""
        for earlier in list(self._entries):
            size = len(earlier.words)
            if earlier.person and size < len(entry.words) and entry.words[-size:] == earlier.words:
                self._entries.remove(earlier)
                for alias, target in self._by_key.items():
                    if target is earlier:
                        self._by_key[alias] = entry

    def canonical(self, key: str) -> str:
        """Where a key handed out earlier points now (a surname may have joined a later full name)."""
        target = self._by_key.get(key)
        return target.key if target else key

    def _fold(self, words: tuple[str, ...]) -> _Entry | None:
        longer = [e for e in self._entries if e.person and len(e.words) > len(words)]
        by_surname = [e for e in longer if e.words[-len(words) :] == words]
        if by_surname:
            return by_surname[-1]
        if len(words) == 1:
            by_first = [e for e in longer if e.words[0] == words[0]]
            if len(by_first) == 1:
                return by_first[0]
        return None

    def alias(self, short: str, key: str) -> None:
        """Make `short` (an acronym the article defined) a name of the thing keyed `key`."""
        target = self._by_key.get(key)
        short_key = name_key(short)
        if target is not None and short_key and short_key not in self._by_key:
            self._by_key[short_key] = target

    def resolve(self, name: str) -> str | None:
        """The key of `name` if it names something already seen (folds included), without registering it."""
        key = name_key(name)
        if key in self._by_key:
            return self._by_key[key].key
        words = tuple(key.split())
        target = self._fold(words) if words else None
        return target.key if target else None

    def same(self, a: str, b: str) -> bool:
        """Whether two names already seen by the index name one thing."""
        return self.key(a) == self.key(b)
