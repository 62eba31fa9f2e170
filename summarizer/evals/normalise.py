"""The forms in which names and sentences are compared: what a reader would not call a difference.

Case, diacritics, curly versus straight quote marks, punctuation, a leading "the" and honorifics
("Mr", "Dr", "President") are presentation; the words that remain are the identity.
"""

from __future__ import annotations

import re
import unicodedata

from summarizer.text.article import normalise as normalise_marks

HONORIFICS = frozenset(
    {
        *("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "rev", "reverend"),
        *("president", "vice", "prime", "minister", "premier", "chancellor", "sen", "senator"),
        *("rep", "gov", "governor"),
    }
)
STOPWORDS = frozenset(
    {
        *("a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or", "but"),
        *("is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "this", "it", "its", "as"),
        *("into", "over", "after", "before", "than", "their", "his", "her", "they", "he", "she", "which", "who"),
        *("will", "would", "shall", "should", "can", "could", "might", "do", "does", "did"),
    }
)
_SUFFIXES = ("ing", "ed", "es", "s")
_NON_WORD = re.compile(r"[^\w]+")


def plain(text: str) -> str:
    """Lower case, no diacritics, straight quote marks, punctuation as spaces, single-spaced."""
    decomposed = unicodedata.normalize("NFKD", normalise_marks(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).replace("_", " ").split())


def name_key(name: str) -> str:
    """A name without its leading article and honorifics; the name itself if nothing would remain."""
    words = plain(name).split()
    while len(words) > 1 and words[1] != "of" and (words[0] in HONORIFICS or words[0] == "the"):
        words = words[1:]
    return " ".join(words)


def content_words(text: str) -> str:
    """A sentence reduced to the words that carry its meaning, for fuzzy comparison of paraphrases."""
    words = [w for w in plain(text).split() if w not in STOPWORDS]
    return " ".join(words) or plain(text)


def stem(word: str) -> str:
    """A crude English stem ("reopens", "reopened", "reopening" -> "reopen"), enough for paraphrase overlap."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    """The stemmed content words of a sentence, in order."""
    return [stem(w) for w in plain(text).split() if w not in STOPWORDS]
