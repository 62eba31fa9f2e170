"""Who said each quotation: the rule-based attribution sieve, most precise rule first.

The order follows the published quote-attribution systems (Gender Gap Tracker, CoreNLP's sieves,
bbc/citron): a speech verb right beside the quotation with a name or pronoun beside it; the subject
of the speech verb that governs the quotation in the parse; "according to X"; a paragraph that is
only a quotation continues the previous speaker (or, in a dialogue, alternates between the last two);
otherwise the nearest person. A paragraph opening "Name, Outlet:" before its quotation (a round-up, a
transcript) is labelled by the person, not the outlet; an outlet that "reported" what someone said is
not the speaker. Pronouns go to the
nearest preceding person of matching gender and surnames to the fullest earlier form, through the
same NameIndex that merged the parties. Every answer says which rule fired and how sure it is, so
the model is only asked about the unsure ones, choosing from numbered names (`options`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Doc, Span, Token

from summarizer.text import lexicon
from summarizer.text.article import QuoteCandidate
from summarizer.text.entities import EntityFinder, Mention, PartyCandidate, trim_mention
from summarizer.text.names import name_key, strip_name

Rule = Literal["label", "adjacent", "governing", "according-to", "continuation", "alternation", "nearest", "none"]
Resolution = Literal["name", "surname", "appositive", "pronoun", "description", "previous", "nearest", "none"]
# Below this the rules are guessing: the model confirms or corrects, choosing from `options`.
UNSURE_BELOW = 0.7
MAX_OPTIONS = 6

SPEECH_VERBS = lexicon.load("speech_verbs")
_MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
_FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their", "we", "us", "our"})
_MALE_TITLES = frozenset({"mr", "sir", "king", "prince", "lord", "father", "brother", "pope", "sheikh", "rabbi"})
_FEMALE_TITLES = frozenset({"mrs", "ms", "miss", "madam", "dame", "lady", "queen", "princess", "sister"})
# A gender cue for pronoun resolution only; a name not listed leaves the person's gender unknown.
_MALE_NAMES = lexicon.load("first_names_male")
_FEMALE_NAMES = lexicon.load("first_names_female")
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_FORWARD_CHARS = 1_500  # how far after "an aide to X" the aide may be named ("presidential aide Y told ...")
# Verbs by which a news outlet passes on what someone else said: "X said '...', the Gazette reported".
_RELAY_VERBS = lexicon.load("relay_verbs")
# A turn of an exchange: a question asked, a reply given. After one, quote-only paragraphs alternate.
_TURN_VERBS = lexicon.load("turn_verbs")
_LABEL = re.compile(r"^\s*(?P<first>[^,:\n\"“]{2,60}?)(?:\s*,\s*(?P<second>[^:\n\"“]{2,80}?))?\s*:\s*$")
_DOCUMENTS = frozenset(
    {
        *("report", "statement", "ruling", "ad", "letter", "memo", "study", "clip", "campaign", "release"),
        *("analysis", "survey", "poll", "review", "investigation", "article", "editorial", "post", "tweet", "blog"),
    }
)
# A description names the title a person carried earlier under another spelling ("the senator" / "Sen.").
_TITLE_FORMS = {"senator": ("senator", "sen."), "governor": ("governor", "gov."), "congressman": ("rep.",)}


@dataclass(frozen=True)
class QuoteAttribution:
    """A speaker for one quotation, with the evidence the rules used and how far to trust it."""

    quote: QuoteCandidate
    speaker: str | None
    speaker_key: str | None
    rule: Rule
    resolution: Resolution
    confidence: float
    cue: Mention | None
    """The name, pronoun or description the rule pointed at, as written (None for continuation/nearest)."""
    options: tuple[str, ...]
    """Numbered names for the model to choose from when unsure: the rules' choice first, then the nearest."""

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE_BELOW


@dataclass(frozen=True)
class _Found:
    key: str | None
    name: str | None
    resolution: Resolution
    weight: float
    cue: Mention | None


def _gender_of(party: PartyCandidate, text: str) -> str | None:
    first = name_key(party.name).split()[:1]
    if first and first[0] in _MALE_NAMES:
        return "m"
    if first and first[0] in _FEMALE_NAMES:
        return "f"
    for mention in party.mentions:
        before = text[max(0, mention.start - 6) : mention.start].strip().rstrip(".").split()
        title = before[-1].casefold() if before else ""
        if title in _MALE_TITLES:
            return "m"
        if title in _FEMALE_TITLES:
            return "f"
    return None


class SpeakerFinder:
    """Runs the sieve over every quotation of one article."""

    def __init__(
        self, doc: Doc, quotes: list[QuoteCandidate], entities: EntityFinder, parties: list[PartyCandidate]
    ) -> None:
        self.doc = doc
        self.text = doc.text
        self.quotes = quotes
        self.entities = entities
        self.parties = parties
        self.by_key = {p.key: p for p in parties}
        self.gender = {p.key: _gender_of(p, self.text) for p in parties if p.kind == "person"}
        self.bounds = [self._outer(q) for q in quotes]
        self._starts = [token.idx for token in doc]
        self._sents = list(doc.sents)
        self._sent_starts = [sentence.start_char for sentence in self._sents]
        self._ent_of = {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}
        self._last: QuoteAttribution | None = None
        self._person_mentions = [(m, p) for p in parties if p.kind == "person" for m in p.mentions]
        self._learn_gender()
        self._quoted = [False] * len(doc)
        for start, end in self.bounds:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    self._quoted[token.i] = True

    def _learn_gender(self) -> None:
        """A name the cue lists do not know takes the pronouns of the sentences where it is the only
        person named: "Ham ... He told the host" makes Ham male for the quotes that follow."""
        votes: dict[str, list[int]] = {}
        sentences = self._sents
        named_in: list[set[str]] = [set() for _ in sentences]
        for mention, person in self._person_mentions:
            named_in[max(0, bisect.bisect_right(self._sent_starts, mention.start) - 1)].add(person.key)
        for index, named in enumerate(named_in):
            if len(named) != 1:
                continue
            key = next(iter(named))
            if self.gender.get(key) is not None:
                continue
            window = [t for s in sentences[index : index + 2] for t in s]
            tally = votes.setdefault(key, [0, 0])
            tally[0] += sum(t.lower_ in _MALE_PRONOUNS for t in window)
            tally[1] += sum(t.lower_ in _FEMALE_PRONOUNS for t in window)
        for key, (male, female) in votes.items():
            if male != female:
                self.gender[key] = "m" if male > female else "f"

    # --- geometry -----------------------------------------------------------------------------
    def _outer(self, quote: QuoteCandidate) -> tuple[int, int]:
        """The quotation with its marks: where "said X" is looked for on either side."""
        start = quote.start
        while start > 0 and self.text[start - 1].isspace() and self.text[start - 1] != "\n":
            start -= 1
        if start > 1 and self.text[start - 2 : start] == "''":
            start -= 2
        elif start > 0 and self.text[start - 1] in "\"“„«'‘":
            start -= 1
        end = quote.end
        while end < len(self.text) and self.text[end] in " ,;:":
            end += 1
        if self.text[end : end + 2] == "''":
            end += 2
        elif end < len(self.text) and self.text[end] in "\"”‟»'’":
            end += 1
        return start, end

    def _paragraph(self, position: int) -> tuple[int, int]:
        left = self.text.rfind("\n", 0, position) + 1
        right = self.text.find("\n", position)
        return left, len(self.text) if right < 0 else right

    # --- rules --------------------------------------------------------------------------------
    def _window(self, start: int, end: int, after: bool, size: int = 7) -> list[Token]:
        """Tokens beside the quotation in its sentence, outside every quotation, nearest first."""
        out: list[Token] = []
        if after:
            index, step = bisect.bisect_left(self._starts, end), 1
        else:
            index, step = bisect.bisect_left(self._starts, start) - 1, -1
        while 0 <= index < len(self.doc) and len(out) < size:
            token = self.doc[index]
            if "\n" in token.text or self._quoted[token.i]:
                break
            if token.is_punct and token.text in ".!?" and ((after and out) or not after):
                break
            if not token.is_punct and not token.is_space:
                out.append(token)
            index += step
        return out

    def _adjacent(self, start: int, end: int) -> tuple[Token, _Found] | None:
        """A speech verb beside the quotation and its subject; an outlet relaying the words ("..., the Gazette
        reported") only when no other speech verb is beside it."""
        relayed: tuple[Token, _Found] | None = None
        for after in (True, False):
            window = self._window(start, end, after)
            for position, token in enumerate(window[:4]):
                if token.lemma_.casefold() in SPEECH_VERBS and token.pos_ in ("VERB", "AUX"):
                    found = self._subject(token, window[position + 1 :] if after else [])
                    if found is None:
                        continue
                    if not self._relay(token, found):
                        return token, found
                    relayed = relayed or (token, found)
        return relayed

    def _relay(self, verb: Token, found: _Found) -> bool:
        """ "the Gazette reported", "Tass wrote": a reporting verb whose subject is not a person."""
        if verb.lemma_.casefold() not in _RELAY_VERBS or found.key is None:
            return False
        party = self.by_key.get(found.key)
        return party is None or party.kind != "person"

    def _governing(self, start: int, end: int) -> tuple[Token, _Found] | None:
        """The speech verb the quotation hangs from in the parse, possibly through a clause between
        ("Palmieri said Trump is reduced to '...'"), and that verb's subject."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return None
        for token in span:
            head, steps, outside = token, 0, 0
            while head.head.i != head.i and steps < 10:
                head, steps = head.head, steps + 1
                if self._quoted[head.i]:
                    continue
                outside += 1
                if head.lemma_.casefold() in SPEECH_VERBS and head.pos_ in ("VERB", "AUX"):
                    found = self._subject(head, [])
                    if found is not None:
                        weight = 1.0 if outside == 1 else 0.9
                        return head, _Found(found.key, found.name, found.resolution, found.weight * weight, found.cue)
            if token.dep_ != "punct":
                break  # the quotation's first word decides: its head chain is the quotation's
        return None

    def _previous_sentence(self, start: int) -> _Found | None:
        """A quotation that opens its sentence continues the speaker named in the sentence before it,
        in the same paragraph ("..., said Caddell. '...'")."""
        left, _ = self._paragraph(start)
        before = self.text[left:start].rstrip()
        if not before or before[-1] not in ".!?:\"”'’":
            return None
        last = bisect.bisect_right(self._sent_starts, start)
        sentences = [
            s for s in self._sents[max(0, last - 3) : last] if left <= s.start_char and s.end_char <= start + 1
        ]
        for sentence in reversed(sentences[-2:]):
            for token in sentence:
                if self._quoted[token.i] or token.pos_ not in ("VERB", "AUX"):
                    continue
                if token.lemma_.casefold() in SPEECH_VERBS:
                    found = self._subject(token, [t for t in sentence if t.i > token.i and not t.is_punct][:3])
                    if found is not None:
                        return found
        return None

    def _according(self, start: int, end: int) -> _Found | None:
        left, right = self._paragraph(start)
        span = self.doc.char_span(left, right, alignment_mode="expand")
        if span is None:
            return None
        best: _Found | None = None
        for token in span:
            if token.lower_ == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
                objects = [c for c in self.doc[token.i + 1].children if c.dep_ == "pobj"]
                target = objects[0] if objects else (self.doc[token.i + 2] if token.i + 2 < len(self.doc) else None)
                if target is not None and not self._quoted[target.i]:
                    found = self._resolve(target)
                    if found is not None and found.key is not None:
                        best = found
                        if token.idx < end + 200:
                            return best
        return best

    def _subject(self, verb: Token, following: list[Token]) -> _Found | None:
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS and not self._quoted[c.i]]
        if not subjects and verb.dep_ in ("conj", "advcl", "xcomp", "pcomp") and verb.head.i != verb.i:
            subjects = [c for c in verb.head.children if c.dep_ in _SUBJECTS and not self._quoted[c.i]]
        inverted = following[0] if following else None
        if not subjects and inverted is not None and inverted.ent_type_ in ("", "PERSON", "ORG", "NORP", "GPE"):
            subjects = [inverted]  # "…," said the minister: the parse sometimes misses inversion
        for subject in subjects:
            if subject.lower_ in ("it", "this", "that", "which", "what"):
                continue
            found = self._resolve(subject)
            if found is not None:
                return found
        return None

    def subject_of(self, verb: Token) -> str | None:
        """The resolved subject of any verb, for callers outside the quotation sieve (claim sources)."""
        following = [t for t in self.doc[verb.i + 1 : verb.i + 4] if not t.is_punct]
        found = self._subject(verb, following)
        return found.name if found is not None and found.resolution != "description" else None

    # --- resolution ---------------------------------------------------------------------------
    def _resolve(self, token: Token) -> _Found | None:
        """A subject token as a speaker: a name, a pronoun's antecedent or a description's referent."""
        lower = token.lower_
        if token.pos_ == "PRON" or lower in _MALE_PRONOUNS | _FEMALE_PRONOUNS | _PLURAL_PRONOUNS:
            return self._pronoun(token)
        name = self._name_at(token)
        if name is not None:
            return name
        for child in token.children:
            if child.dep_ == "appos":
                appositive = self._name_at(child)
                if appositive is not None:
                    return _Found(appositive.key, appositive.name, "appositive", 0.95, appositive.cue)
        if token.lemma_.casefold() in _DOCUMENTS:
            for child in token.children:
                if child.dep_ in ("compound", "poss") and child.ent_type_ in ("ORG", "PERSON", "NORP", "GPE"):
                    owner = self._name_at(child)
                    if owner is not None:
                        return owner  # "the IMF report stated": the report speaks for the IMF
        if token.pos_ == "NOUN":
            named = self._named_within(token)
            if named is not None:
                return named
        if token.pos_ in ("NOUN", "PROPN"):
            return self._description(token)
        return None

    def _named_within(self, token: Token) -> _Found | None:
        """ "American academic and professor Marc Lamont Hill commented": the parse may make the title
        the subject; a person named inside the subject's own phrase (not a clause in it) is the speaker."""
        for child in token.children:
            if child.dep_ == "prep":
                continue  # "an aide to President X": X is whom the person serves, not the person
            if child.dep_ in ("compound", "appos", "conj", "npadvmod") or child.i == token.i + 1:
                for inner in child.subtree:
                    if inner.ent_type_ == "PERSON":
                        found = self._name_at(inner)
                        if found is not None:
                            return _Found(found.key, found.name, "appositive", 0.9, found.cue)
        following = self.doc[token.i + 1] if token.i + 1 < len(self.doc) else None
        if following is not None and following.ent_type_ == "PERSON" and following.ent_iob_ == "B":
            found = self._name_at(following)
            if found is not None:
                return _Found(found.key, found.name, "appositive", 0.9, found.cue)
        return None

    def _name_at(self, token: Token) -> _Found | None:
        if token.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
            ent = self._ent_of.get(token.i)
            if ent is not None:
                return self._named(ent.start_char, ent.end_char)
        if token.pos_ == "PROPN":
            parts = [c for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
            first = min([token, *parts], key=lambda t: t.i)
            return self._named(first.idx, token.idx + len(token.text))
        return None

    def _named(self, start: int, end: int) -> _Found | None:
        mention = trim_mention(self.text, start, end)
        if mention is None:
            return None
        key = self.entities.party_key_at(mention.start, mention.end) or self.entities.index.resolve(mention.text)
        if key is not None and key in self.by_key:
            party = self.by_key[key]
            resolution: Resolution = "name" if name_key(mention.text) == key else "surname"
            return _Found(key, party.name, resolution, 1.0, mention)
        return _Found(name_key(mention.text), strip_name(mention.text), "name", 0.9, mention)

    def _pronoun(self, token: Token) -> _Found | None:
        """Salience, not mere recency: the speaker of the quotes just before, else the first person
        (usually the subject) of the nearest earlier sentence that names a person of matching gender."""
        lower = token.lower_
        cue = Mention(token.idx, token.idx + len(token.text), token.text)
        if lower in _PLURAL_PRONOUNS:
            groups = self._preceding(token.idx, kinds=("organization", "group", "state"))
            if groups:
                return _Found(groups[0].key, groups[0].name, "pronoun", 0.6, cue)
            return None
        if lower in ("i", "me", "you", "it", "one"):
            return None
        want = "m" if lower in _MALE_PRONOUNS else "f" if lower in _FEMALE_PRONOUNS else None
        last = self._last
        if (
            last is not None
            and last.speaker_key in self.gender
            and last.confidence >= UNSURE_BELOW
            and self.gender[last.speaker_key] in (want, None)
            and self.text.count("\n", last.quote.end, token.idx) <= 4
        ):
            matched = self.gender[last.speaker_key] == want
            return _Found(last.speaker_key, last.speaker, "pronoun", 0.9 if matched else 0.8, cue)
        upto = bisect.bisect_right(self._sent_starts, token.idx)
        sentences = self._sents[max(0, upto - 10) : upto]
        for sentence in reversed(sentences):
            people = [
                (m.start, p)
                for m, p in self._person_mentions
                if sentence.start_char <= m.start < min(sentence.end_char, token.idx)
                and not self._quoted_char(m.start)
                and self.text[m.end : m.end + 2] not in ("'s", "’s")
            ]
            for _, person in sorted(people, key=lambda item: (self._role(item[0]), item[0])):
                gender = self.gender.get(person.key)
                if want is not None and gender == want:
                    return _Found(person.key, person.name, "pronoun", 0.85, cue)
                if gender is None:
                    return _Found(person.key, person.name, "pronoun", 0.7, cue)
        return None

    def _role(self, start: int) -> int:
        """How salient a mention is as an antecedent: the speaker of a speech verb (0), another
        subject (1), anything else (2). "..., noted NBC's Dante Chinni." makes Chinni the "he" that follows."""
        index = bisect.bisect_right(self._starts, start) - 1
        if index < 0:
            return 2
        token = self.doc[index]
        while token.dep_ == "compound" and token.head.i != token.i:
            token = token.head
        if token.dep_ in _SUBJECTS:
            return 0 if token.head.lemma_.casefold() in SPEECH_VERBS else 1
        return 2

    def _quoted_char(self, char: int) -> bool:
        index = bisect.bisect_right(self._starts, char) - 1
        return index >= 0 and self._quoted[index]

    def _description(self, token: Token) -> _Found | None:
        """ "the spokesman said": the person last named in a sentence that used the same noun.

        Whoever the description is relative to ("an aide to President X", "a lawyer for X") is never the
        referent: the aide is the person the article titles "aide" elsewhere, before or after."""
        cue = Mention(token.idx, token.idx + len(token.text), token.text)
        lemma = token.lemma_.casefold()
        forms = _TITLE_FORMS.get(lemma, (lemma,))
        owners = self._owners(token)
        titled = [
            (m.start, p)
            for m, p in self._person_mentions
            if m.end <= token.idx and p.key not in owners and self._titled(m.start, forms)
        ]
        if titled:
            person = max(titled, key=lambda item: item[0])[1]
            return _Found(person.key, person.name, "description", 0.8, cue)
        if owners:
            phrase_end = max(t.idx + len(t.text) for t in token.subtree)
            later = [
                (m.start, p)
                for m, p in self._person_mentions
                if phrase_end <= m.start < phrase_end + _FORWARD_CHARS
                and p.key not in owners
                and self._titled(m.start, forms)
            ]
            if later:
                person = min(later, key=lambda item: item[0])[1]
                return _Found(person.key, person.name, "description", 0.75, cue)
        before = bisect.bisect_right(self._sent_starts, token.idx)
        for sentence in reversed(self._sents[max(0, before - 30) : before]):
            if any(t.lemma_.casefold() == lemma for t in sentence if t.i < token.i):
                people = [
                    p
                    for p in self._preceding(sentence.end_char, kinds=("person", "organization"))
                    if p.key not in owners
                    and any(sentence.start_char <= m.start < sentence.end_char for m in p.mentions)
                ]
                if people:
                    return _Found(people[0].key, people[0].name, "description", 0.7, cue)
        people = [p for p in self._preceding(token.idx, kinds=("person",)) if p.key not in owners]
        if people:
            return _Found(people[0].key, people[0].name, "description", 0.45, cue)
        return None

    def _owners(self, token: Token) -> set[str]:
        """Keys of the names in a description's prepositional phrase: X in "an aide to X", "a lawyer for X"."""
        keys: set[str] = set()
        for child in token.children:
            if child.dep_ != "prep":
                continue
            for inner in child.subtree:
                if inner.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or inner.pos_ == "PROPN":
                    found = self._name_at(inner)
                    if found is not None and found.key is not None:
                        keys.add(found.key)
        return keys

    def _titled(self, start: int, forms: tuple[str, ...]) -> bool:
        """Whether one of `forms` is among the three words before a mention, and not as "Vice President"."""
        words = self.text[max(0, start - 40) : start].casefold().split()[-3:]
        return any(
            word == form and (index == 0 or words[index - 1] not in ("vice", "former", "deputy"))
            for index, word in enumerate(words)
            for form in forms
        )

    def _preceding(self, position: int, kinds: tuple[str, ...]) -> list[PartyCandidate]:
        """Parties of `kinds` mentioned before `position`, the most recently mentioned first."""
        last: list[tuple[int, PartyCandidate]] = []
        for party in self.parties:
            if party.kind not in kinds:
                continue
            before = [m.start for m in party.mentions if m.end <= position]
            if before:
                last.append((max(before), party))
        return [p for _, p in sorted(last, key=lambda item: -item[0])]

    def _nearby(self, start: int, end: int) -> list[PartyCandidate]:
        """People and organisations around a quotation, nearest first: the model's numbered choices."""
        left, _ = self._paragraph(start)
        for _ in range(2):
            if left > 1:
                left = self.text.rfind("\n", 0, left - 1) + 1
        _, right = self._paragraph(end)
        scored: list[tuple[int, PartyCandidate]] = []
        for party in self.parties:
            if party.kind not in ("person", "organization", "group"):
                continue
            distances = [
                min(abs(m.start - end), abs(m.end - start))
                for m in party.mentions
                if left <= m.start < right and not (start <= m.start < end)
            ]
            if distances:
                scored.append((min(distances), party))
        return [p for _, p in sorted(scored, key=lambda item: item[0])]

    # --- the sieve ----------------------------------------------------------------------------
    def _only_quotation(self, start: int, end: int) -> bool:
        """True when the paragraph holds nothing but quotation (and punctuation) around this quote."""
        left, right = self._paragraph(start)
        outside = self.text[left:start] + self.text[end:right]
        for other_start, other_end in self.bounds:
            if left <= other_start and other_end <= right:
                outside = outside.replace(self.text[other_start:other_end], "")
        return not any(c.isalnum() for c in outside)

    def attribute(self) -> list[QuoteAttribution]:
        out: list[QuoteAttribution] = []
        for quote, (start, end) in zip(self.quotes, self.bounds, strict=True):
            rule: Rule
            found: _Found | None = None
            label = self._label(start)
            adjacent = self._adjacent(start, end) if label is None else None
            if label is not None:
                rule, found, base = "label", label, 0.9
            elif adjacent is not None and not self._relay(*adjacent):
                rule, found, base = "adjacent", adjacent[1], 0.95
            else:
                governing = self._governing(start, end)
                relayed = adjacent is not None and governing is not None and governing[1].key != adjacent[1].key
                if adjacent is not None and not relayed:
                    rule, found, base = "adjacent", adjacent[1], 0.95
                elif governing is not None:  # "X said '...', the Gazette reported": X, not the outlet
                    rule, found, base = "governing", governing[1], 0.85
                    if self._relay(*governing):  # "'...', according to an aide, the Gazette reported"
                        according = self._according(start, end)
                        if according is not None and according.key != governing[1].key:
                            rule, found = "according-to", according
            if found is None:
                according = self._according(start, end)
                if according is not None:
                    rule, found, base = "according-to", according, 0.85
            if found is None:
                previous_sentence = self._previous_sentence(start)
                if previous_sentence is not None:
                    rule, found, base = "continuation", previous_sentence, 0.85
            if found is None and out and self._only_quotation(start, end):
                previous = out[-1]
                same_or_next = self.text.count("\n\n", previous.quote.end, quote.start) <= 1
                other = self._other_turn(out, start)
                if other is not None:
                    found = _Found(other.speaker_key, other.speaker, "previous", 1.0, None)
                    rule, base = "alternation", min(other.confidence, 0.7)
                elif previous.speaker is not None:
                    found = _Found(previous.speaker_key, previous.speaker, "previous", 1.0, None)
                    rule, base = "continuation", min(previous.confidence, 0.85 if same_or_next else 0.6)
            if found is None:
                near = self._nearby(start, end)
                if near:
                    found = _Found(near[0].key, near[0].name, "nearest", 1.0, None)
                    rule, base = "nearest", 0.3
            if found is None:
                out.append(
                    QuoteAttribution(quote, None, None, "none", "none", 0.0, None, self._options(None, start, end))
                )
                continue
            confidence = round(base * found.weight, 3)
            options = self._options(found.name, start, end)
            out.append(
                QuoteAttribution(quote, found.name, found.key, rule, found.resolution, confidence, found.cue, options)
            )
            self._last = out[-1]
        return out

    def _label(self, start: int) -> _Found | None:
        """ "Jane Porter, The Weekly Ledger: '...'", "Smith: '...'": a paragraph that opens with a name (and
        perhaps, after a comma, an outlet or a title) and a colon right before the quotation. The person
        is the speaker, not the outlet; a label that names no party the article knows is no label."""
        left, _ = self._paragraph(start)
        match = _LABEL.match(self.text[left:start])
        span = self.doc.char_span(left, start, alignment_mode="expand") if match else None
        if match is None or span is None or any(t.pos_ in ("VERB", "AUX") for t in span):
            return None  # "Smith told reporters:" is a sentence; the sieve's verb rules read it
        named: list[_Found] = []
        for group in ("first", "second"):
            if match.group(group) is not None:
                found = self._named(left + match.start(group), left + match.end(group))
                whole = len(match.group(group).strip()) - 4  # the name itself ("the" aside), not a clause
                if found is not None and found.key in self.by_key and found.cue and len(found.cue.text) >= whole:
                    named.append(found)
        people = [f for f in named if f.key is not None and self.by_key[f.key].kind == "person"]
        return (people or named)[0] if named else None

    def _paragraph_after(self, first: int, second: int) -> bool:
        """Whether the paragraph holding `second` comes right after the one holding `first`."""
        _, end = self._paragraph(first)
        left, _ = self._paragraph(second)
        return end < left and not self.text[end:left].strip()

    def _other_turn(self, out: list[QuoteAttribution], start: int) -> QuoteAttribution | None:
        """In a dialogue (an email or message thread, an interview), a paragraph that is only a quotation
        is the other person's turn: the speaker before last, when the last two turns were two people in
        consecutive paragraphs and the exchange shows itself (a question, a reply verb, labels, or turns
        already alternating). Without those signs news continues the last speaker, as the sieve does."""
        if len(out) < 2:
            return None
        before, last = out[-2], out[-1]
        if before.speaker is None or last.speaker is None or before.speaker_key == last.speaker_key:
            return None
        if not (
            self._paragraph_after(before.quote.start, last.quote.start)
            and self._paragraph_after(last.quote.start, start)
        ):
            return None
        left, right = self._paragraph(last.quote.start)
        span = self.doc.char_span(left, right, alignment_mode="expand")
        replied = span is not None and any(t.lemma_.casefold() in _TURN_VERBS and not self._quoted[t.i] for t in span)
        asked = before.quote.text.rstrip(" \"'”’").endswith("?")
        labelled = before.rule == last.rule == "label"
        return before if replied or asked or labelled or last.rule == "alternation" else None

    def _options(self, chosen: str | None, start: int, end: int) -> tuple[str, ...]:
        names = [chosen] if chosen else []
        for party in self._nearby(start, end):
            if party.name not in names:
                names.append(party.name)
        return tuple(names[:MAX_OPTIONS])


def quote_span(doc: Doc, quote: QuoteCandidate) -> Span | None:
    """The tokens of a quotation, for callers that want its parse."""
    return doc.char_span(quote.start, quote.end, alignment_mode="expand")
