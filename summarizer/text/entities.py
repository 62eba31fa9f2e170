"""Parties and places: spaCy's entity mentions merged into one candidate per real-world thing.

The small pipeline over-proposes (about a third of its parties are ones a reader would list), and
that is the point: the model only keeps or drops numbered candidates, so a missed entity costs more
than an extra one. Spans are trimmed of a leading "the" and a possessive so that a mention's text is
the name and `text[start:end] == mention.text` always holds.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from summarizer.schemas import LocationKind, PartyKind
from summarizer.text import lexicon
from summarizer.text.names import NameIndex, name_key, strip_name

PARTY_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_KIND_OF_LABEL: dict[str, PartyKind] = {"PERSON": "person", "ORG": "organization", "NORP": "group", "GPE": "state"}
# Enough countries to tell "Nigeria" (a country) from "Lagos" (a city) in most news; the model corrects the rest.
_COUNTRIES = frozenset(name_key(word) for word in lexicon.load("countries"))
_US_STATES = frozenset(name_key(word) for word in lexicon.load("us_states"))
# Prepositions that put a thing somewhere: "in Kyiv", "from Herat", "toward the border".
_LOCATIVE_PREPS = frozenset(
    {
        *("in", "at", "near", "from", "to", "into", "onto", "across", "throughout", "outside", "inside", "within"),
        *("around", "toward", "towards", "through", "via", "between", "along", "off", "beyond", "over", "en"),
    }
)
# Common nouns that name a part of a place: "the coast of Aceh", "the Gomel region", "the capital, Wellington".
_PLACE_NOUNS = frozenset(
    {
        *("region", "province", "state", "city", "town", "village", "capital", "coast", "border", "area", "district"),
        *("county", "island", "islands", "country", "nation", "territory", "part", "parts", "north", "south", "east"),
        *("west", "outskirts", "centre", "center", "suburb", "suburbs", "street", "streets", "port", "shore", "valley"),
        *("station", "airport", "neighbourhood", "neighborhood", "constituency", "municipality", "streets", "heart"),
    }
)
# A name that ends in one of these is an event or a product, not a place ("Google Science Fair").
_EVENT_HEADS = frozenset(
    {
        *("festival", "fair", "expo", "exhibition", "conference", "summit", "championship", "championships", "cup"),
        *("games", "olympics", "awards", "forum", "congress", "convention", "show", "tour", "week", "day", "challenge"),
    }
)
# An organisation-tagged name that ends in one of these, named after a locative preposition, is a site.
_SITE_HEADS = frozenset(
    {
        *("centre", "center", "hall", "stadium", "airport", "station", "bridge", "hotel", "hospital", "square"),
        *("park", "arena", "palace", "mosque", "church", "cathedral", "temple", "museum", "building", "tower"),
        *("towers", "base", "prison", "camp", "port", "harbour", "harbor", "memorial", "embassy", "plaza"),
    }
)
_DIGIT = re.compile(r"\d")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z.&]{1,9})\s*\)")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_TRAILING_POSSESSIVE = re.compile(r"\s*(?:['’]s|(?<=s)['’])$")


@dataclass(frozen=True)
class Mention:
    """One place the article names a thing: `text == article_text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PartyCandidate:
    """A person, organisation, state or group, with every mention the pass tied to it.

    `name` is the fullest form the article uses, titles and possessives removed; `labels` are the
    spaCy labels of its mentions, most frequent first (the model may overrule the kind guess).
    """

    name: str
    key: str
    kind: PartyKind
    labels: tuple[str, ...]
    mentions: tuple[Mention, ...]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other forms the article writes, for matching and for the model's numbered list."""
        seen = {self.name}
        out: list[str] = []
        for mention in self.mentions:
            form = strip_name(mention.text)
            if form not in seen:
                seen.add(form)
                out.append(form)
        return tuple(out)


@dataclass(frozen=True)
class PlaceCandidate:
    """A country, region, city or site, with every mention."""

    name: str
    key: str
    kind: LocationKind
    labels: tuple[str, ...]
    mentions: tuple[Mention, ...]
    located: bool = True
    """At least one mention puts something there ("in Kyiv", "Irving, Texas"), or a known country is
    named often: a name only ever used as an actor or a modifier ("the Dallas chapter", "the United
    States criticised") is a party or an adjective in this story, not one of its places."""


def trim_mention(text: str, start: int, end: int) -> Mention | None:
    """The span without a leading "the" or trailing possessive; None if nothing is left."""
    piece = text[start:end]
    lead = _LEADING_THE.match(piece)
    if lead and len(piece) > lead.end():
        start += lead.end()
        piece = text[start:end]
    tail = _TRAILING_POSSESSIVE.search(piece)
    if tail and tail.start() > 0:
        end = start + tail.start()
        piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not any(c.isalnum() for c in stripped):
        return None
    start += len(piece) - len(piece.lstrip())
    return Mention(start, start + len(stripped), stripped)


@dataclass
class _Group:
    key: str
    mentions: list[Mention]
    labels: list[str]
    forms: list[str]


def _fullest(forms: list[str]) -> str:
    """The longest form the article wrote, first written on ties: "Vladimir Putin" over "Putin"."""
    return max(forms, key=lambda f: (len(f.split()), len(f), -forms.index(f)))


def _place_kind(key: str, label: str, next_text: str) -> LocationKind:
    if label == "FAC":
        return "site"
    if label == "LOC":
        return "region"
    if key in _COUNTRIES:
        return "country"
    if key in _US_STATES:
        return "region"
    if next_text.startswith(","):
        return "city"  # "Huntsville, Alabama": the first of a comma pair is the smaller place
    return "other"


def _ents(doc: Doc, labels: frozenset[str]) -> list[Span]:
    return [ent for ent in doc.ents if ent.label_ in labels]


class EntityFinder:
    """Builds parties and places from one Doc, sharing one NameIndex so speakers resolve to the same keys."""

    def __init__(self, doc: Doc, index: NameIndex | None = None) -> None:
        self.doc = doc
        self.text = doc.text
        self.index = index or NameIndex()
        self._party_groups: dict[str, _Group] = {}
        self._place_groups: dict[str, _Group] = {}
        self._mention_party: dict[tuple[int, int], str] = {}
        self._person_keys: set[str] = set()
        self._sorted: list[tuple[int, int, str]] | None = None
        self._sorted_starts: list[int] = []
        self._labels: dict[str, Counter[str]] = {}
        self._collect()

    def _add(self, groups: dict[str, _Group], key: str, mention: Mention, label: str) -> None:
        group = groups.setdefault(key, _Group(key, [], [], []))
        if mention not in group.mentions:
            group.mentions.append(mention)
            group.labels.append(label)
            group.forms.append(strip_name(mention.text))

    def _collect(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ not in PARTY_LABELS | PLACE_LABELS:
                continue
            mention = trim_mention(self.text, ent.start_char, ent.end_char)
            if mention is None or not name_key(mention.text):
                continue
            if ent.label_ in PARTY_LABELS:
                key = self._party_key(mention, ent.label_)
                self._add(self._party_groups, key, mention, ent.label_)
                self._mention_party[(mention.start, mention.end)] = key
                self._acronym(ent, key)
            if ent.label_ in PLACE_LABELS:
                self._add(self._place_groups, name_key(mention.text), mention, ent.label_)
            elif ent.label_ == "ORG" and _site(mention.text) and _locative(ent.root):
                self._add(self._place_groups, name_key(mention.text), mention, "FAC")  # "at the X Centre"
            self._labels.setdefault(name_key(mention.text), Counter())[ent.label_] += 1

    def _party_key(self, mention: Mention, label: str) -> str:
        """spaCy often labels a lone surname ORG or GPE; one that names an earlier person is that person."""
        if label != "PERSON" and len(mention.text.split()) == 1:
            folded = self.index.resolve(mention.text)
            if folded is not None and folded in self._person_keys:
                return folded
        key = self.index.key(mention.text, person=label == "PERSON")
        if label == "PERSON":
            self._person_keys.add(key)
        return key

    def _acronym(self, ent: Span, key: str) -> None:
        """ "Federal Bureau of Investigation (FBI)": later "FBI" mentions join the full name."""
        match = _ACRONYM_AFTER.match(self.text, ent.end_char)
        if match and ent.label_ != "PERSON":
            self.index.alias(match.group(1), key)

    def party_key_at(self, start: int, end: int) -> str | None:
        """The party whose mention overlaps [start, end), if any."""
        if self._sorted is None or len(self._sorted) != len(self._mention_party):
            self._sorted = sorted((s, e, k) for (s, e), k in self._mention_party.items())
            self._sorted_starts = [s for s, _, _ in self._sorted]
        # Mentions do not overlap, so walking left from the last one starting before `end` finds it.
        index = bisect.bisect_left(self._sorted_starts, end) - 1
        while index >= 0:
            s, e, key = self._sorted[index]
            if s < end and start < e:
                return self.index.canonical(key)
            if e <= start:
                return None
            index -= 1
        return None

    def _merged_party_groups(self) -> list[_Group]:
        """Groups re-keyed through the index: a surname seen before its full name joins it here."""
        merged: dict[str, _Group] = {}
        for group in self._party_groups.values():
            key = self.index.canonical(group.key)
            target = merged.setdefault(key, _Group(key, [], [], []))
            target.mentions += group.mentions
            target.labels += group.labels
            target.forms += group.forms
        return list(merged.values())

    def _complete(self, groups: list[_Group]) -> None:
        """Add the mentions spaCy did not tag: every whole-word, same-case occurrence of a form already
        tied to one party ("Rathbun wrote" after "Mark Rathbun"), where no other party shares the form."""
        owners: dict[str, set[str]] = {}
        for group in groups:
            for form in set(group.forms):
                if len(form) >= 3 and form[:1].isupper():
                    owners.setdefault(form, set()).add(group.key)
        taken = bytearray(len(self.text) + 1)
        for g in groups:
            for m in g.mentions:
                taken[m.start : m.end] = b"\x01" * (m.end - m.start)
        for group in groups:
            for form in sorted({f for f in group.forms if owners.get(f) == {group.key}}, key=len, reverse=True):
                for match in re.finditer(rf"(?<![\w.]){re.escape(form)}(?!\w)", self.text):
                    start, end = match.span()
                    if any(taken[start:end]):
                        continue
                    taken[start:end] = b"\x01" * (end - start)
                    group.mentions.append(Mention(start, end, form))
                    group.labels.append("MATCH")
                    self._mention_party[(start, end)] = group.key

    def parties(self) -> list[PartyCandidate]:
        out = []
        groups = self._merged_party_groups()
        self._complete(groups)
        for group in groups:
            labels = tuple(label for label, _ in Counter(group.labels).most_common() if label != "MATCH")
            # A name spaCy ever tagged PERSON with a person key is a person; the other tags are its slips.
            top = "PERSON" if "PERSON" in labels and self.index.canonical(group.key) in self._persons() else labels[0]
            kind = _KIND_OF_LABEL.get(top, "other")
            mentions = tuple(sorted(group.mentions, key=lambda m: m.start))
            out.append(PartyCandidate(_fullest(group.forms), group.key, kind, labels, mentions))
        return sorted(out, key=lambda p: p.mentions[0].start)

    def _persons(self) -> set[str]:
        return {self.index.canonical(k) for k in self._person_keys}

    def places(self) -> list[PlaceCandidate]:
        """Places, without names the pass already knows as people ("Montalvo" tagged GPE) unless a
        mention is plainly a place ("toward Kyiv"), each marked `located` or not (see `PlaceCandidate`)."""
        out = []
        persons = self._persons()
        for group in self._place_groups.values():
            mentions = tuple(sorted(group.mentions, key=lambda m: m.start))
            where = any(self._locative_mention(m) for m in mentions)
            folded = self.index.resolve(group.key)
            if folded is not None and self.index.canonical(folded) in persons and not where:
                continue
            labels = tuple(label for label, _ in Counter(group.labels).most_common())
            first = mentions[0]
            kind = _place_kind(group.key, labels[0], self.text[first.end : first.end + 2])
            name = _fullest(group.forms)
            located = self._located(group.key, name, labels, len(mentions), where)
            out.append(PlaceCandidate(name, group.key, kind, labels, mentions, located))
        return sorted(out, key=lambda p: p.mentions[0].start)

    def _located(self, key: str, name: str, labels: tuple[str, ...], count: int, where: bool) -> bool:
        if _DIGIT.search(name) or _last_word(name) in _EVENT_HEADS:
            return False  # "IE6", "the Taipei City Lantern Festival": a product, an event
        if "GPE" not in labels and self._labels.get(key, Counter())["ORG"] > 0 and "FAC" not in labels:
            return False  # "Scientology" tagged LOC here and ORG there: an organisation
        return where or (count >= 3 and key in _COUNTRIES | _US_STATES)

    def _locative_mention(self, mention: Mention) -> bool:
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return False
        return _locative(span.root) or self._dateline(mention)

    def _dateline(self, mention: Mention) -> bool:
        """ "TAIPEI, Taiwan — The festival ...": a line that opens with the place the story is filed from."""
        line_start = self.text.rfind("\n", 0, mention.start) + 1
        if self.text[line_start : mention.start].strip(" ,"):
            # only the first places of the line, separated by commas, form the dateline
            before = self.text[line_start : mention.start]
            if not re.fullmatch(r"[\w .'-]+,\s*", before):
                return False
        after = self.text[mention.end : mention.end + 40]
        return re.match(r"\s*(?:,[\w .'-]{1,30})?\s*(?:\(\w+\)\s*)?[—–-]{1,2}\s", after) is not None


def _last_word(name: str) -> str:
    words = name.split()
    return words[-1].casefold() if words else ""


def _site(name: str) -> bool:
    return len(name.split()) >= 2 and _last_word(name) in _SITE_HEADS


def _locative(token: Token, depth: int = 0) -> bool:
    """Whether the parse puts this word in a place role: the object of "in/at/from/toward ...", of "the
    coast of ...", a modifier of a place noun ("the Gomel region"), or in a list or apposition with one
    ("from Sudan, Iran and Libya", "Irving, Texas")."""
    head = token.head
    if depth > 8 or head is token:
        return False
    dep = token.dep_
    if dep == "pobj":
        preposition = head.lower_
        if preposition in _LOCATIVE_PREPS:
            return True
        return preposition == "of" and head.head.lemma_.casefold() in _PLACE_NOUNS
    if dep in ("compound", "nmod", "amod", "npadvmod") and head.lemma_.casefold() in _PLACE_NOUNS:
        return True
    if dep in ("conj", "appos", "compound", "nmod", "npadvmod"):
        return _locative(head, depth + 1)
    return False
