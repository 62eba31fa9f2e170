"""Everything the model is asked to judge, found by code with exact spans into the submitted text.

A 1.5B model writes lists badly and slowly but chooses well from short numbered lists, so this pass
proposes every party, place, quotation speaker, outcome sentence and claim/denial pair, and the model
only keeps, drops, classifies or picks by number. Nothing here calls a network or a model; the same
article and pipeline always give the same candidates.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from summarizer.text import lexicon
from summarizer.text.article import Article, QuoteCandidate
from summarizer.text.entities import EntityFinder, PartyCandidate, PlaceCandidate
from summarizer.text.names import NameIndex, name_key
from summarizer.text.nlp import DEFAULT_PIPELINE, parse, parse_async, pipeline_id
from summarizer.text.quotes import scan_quotes
from summarizer.text.salience import named_first, subjects
from summarizer.text.speakers import MAX_OPTIONS, SPEECH_VERBS, QuoteAttribution, SpeakerFinder

MAX_OUTCOMES = 12
MAX_CLAIM_PAIRS = 8
CONTRAST_LINK = 1.5
"""Added to a claim sentence that names what a contrast answers ("Despite the address": the sentence about it)."""
_OUTCOME_VERBS = lexicon.load("outcome_verbs")
_OUTCOME_NUMBERS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_DENIAL_LEMMAS = lexicon.load("denial_verbs")
_DENIAL_NOUNS = frozenset({"denial", "dispute", "rebuttal", "refutation", "retraction"})
_WEAK_DENIAL_LEMMAS = frozenset({"clarify", "correct", "insist", "caution", "warn"})
_DENIAL_PHRASES = re.compile(
    r"\b(?:false(?:ly|hood)?|no evidence|hoax|not true|untrue|fake|baseless|unfounded|bogus|myth|"
    r"fabricat\w*|misleading|inaccurate|not the case|never happened|no truth|without evidence|no basis|"
    r"rumou?rs?|satir\w*|skeptic\w*|sceptic\w*|not (?:a|an) \w+ (?:at all)?|doctored|photoshopped|"
    r"not (?:real|genuine|authentic|accurate)|cast(?:s|ing)? (?:\w+ )?doubts? (?:on|over)|debunk\w*)\b|"
    r"n['’]t (?:real|genuine|authentic|accurate)\b",
    re.IGNORECASE,
)
# "Despite the address, satellite images show ...": evidence that contradicts a claim without a denial word.
_CONTRAST = lexicon.load("contrast_words")
_EVIDENCE_VERBS = lexicon.load("evidence_verbs")
_EVIDENCE_NOUNS = lexicon.load("evidence_nouns")
_CLAIM_NOUNS = lexicon.load("claim_nouns")
_CLAIM_VERBS = lexicon.load("claim_verbs")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the article; `text == article_text[start:end]`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class OutcomeCandidate:
    """A sentence that may report a result, with the cues that ranked it (for the model and for debugging)."""

    sentence: Sentence
    score: float
    cues: tuple[str, ...]


@dataclass(frozen=True)
class ClaimPair:
    """A sentence that may state a claim and a later (or the same) sentence that may dispute it.

    Only pairs whose disputer is not the claimant and that share an entity or key noun are proposed;
    the model says yes or no and picks claimant and disputer from the numbered options.
    """

    claim: Sentence
    evidence: Sentence
    cue: str
    claimant: str | None
    disputer: str | None
    shared: tuple[str, ...]
    options: tuple[str, ...]
    clause: Sentence | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Candidates:
    """The whole deterministic pass over one article; `pipeline` is `name@version` for the fingerprint."""

    pipeline: str
    parties: tuple[PartyCandidate, ...]
    places: tuple[PlaceCandidate, ...]
    quotes: tuple[QuoteCandidate, ...]
    attributions: tuple[QuoteAttribution, ...]
    outcomes: tuple[OutcomeCandidate, ...]
    claims: tuple[ClaimPair, ...]
    actors: frozenset[str] = frozenset()
    """Keys of the parties named as the subject of a verb (`text.salience`)."""
    lede: frozenset[str] = frozenset()
    """Keys of the parties named in the headline or lede (`text.salience`)."""


def _sentence(sent: SpacySpan) -> Sentence | None:
    text = sent.text
    stripped = text.strip()
    if not stripped:
        return None
    start = sent.start_char + len(text) - len(text.lstrip())
    return Sentence(start, start + len(stripped), stripped)


_Sentences = list[tuple[SpacySpan, list[SpacySpan]]]


def _sentences_with_entities(doc: Doc) -> _Sentences:
    """Each sentence with a word in it, and its entities, in one pass: `Span.ents` scans the whole Doc
    on every call, which made a 100,000-character article take half a minute."""
    sentences = [s for s in doc.sents if any(t.is_alpha for t in s)]
    starts = [s.start for s in sentences]
    table: _Sentences = [(s, []) for s in sentences]
    for ent in doc.ents:
        index = bisect.bisect_right(starts, ent.start) - 1
        if index >= 0 and ent.end <= sentences[index].end:
            table[index][1].append(ent)
    return table


_MODALS = frozenset({"may", "might", "could", "would", "should", "must", "can"})
_FIRST_PERSON = frozenset({"i", "we", "you"})
_STATIVE = frozenset({"be", "have", "seem", "appear", "remain", "include", "consist", "represent", "mean"})


def _title(sentence: Sentence, text: str) -> bool:
    """A headline, a dateline or a section heading: a line of its own without a sentence's end mark."""
    line_end = text.find("\n", sentence.end)
    rest = text[sentence.end : line_end if line_end >= 0 else len(text)]
    return not rest.strip() and sentence.text[-1:] not in ".!?\"'”’)"


def _past(verb: Token) -> bool:
    """ "Rescued", "was arrested", "has dropped": not "are required" (a present passive states a rule)."""
    if verb.tag_ == "VBD":
        return True
    auxiliaries = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    return verb.tag_ == "VBN" and any(a.tag_ in ("VBD", "VBN") or a.lemma_ == "have" for a in auxiliaries)


def _event(verb: Token) -> float:
    """How plainly a verb reports something that happened: a past-tense action ("rescued", "was
    arrested") most, a present one ("runs through March 11") less, being or having (background) not at all."""
    lemma = verb.lemma_.casefold()
    if verb.pos_ != "VERB" or lemma in _STATIVE:
        return 0.0
    if _past(verb):
        return 1.0
    return 0.3 if verb.tag_ in ("VBZ", "VBP", "VBN") else 0.0


def _hedged(verb: Token) -> bool:
    """ "May have left", "could fall": a possibility, not an outcome."""
    return any(c.dep_ == "aux" and c.lower_ in _MODALS for c in verb.children)


def _outcome_score(sent: SpacySpan, ents: list[SpacySpan], quoted: list[tuple[int, int]]) -> tuple[float, list[str]]:
    """Result cues of one sentence: a reported event as its main verb (or in the clause a speech verb
    reports: "the department said Kerry contacted ..."), result verbs, numbers; hedges, first-person
    asides, questions and what a quotation says count against it."""

    def in_quote(token: Token) -> bool:
        return any(s <= token.idx < e for s, e in quoted)

    cues: list[str] = []
    score = 0.0
    verbs = 0
    for token in sent:
        lemma = token.lemma_.casefold()
        if token.pos_ == "VERB" and lemma in _OUTCOME_VERBS and verbs < 2 and not in_quote(token):
            verbs += 1
            cues.append(lemma)
            weight = 1.0 if _past(token) or token.tag_ in ("VB", "VBG") else 0.5  # "agreed", "to hold"
            score += weight + (0.5 if token.dep_ == "ROOT" else 0.0)
    root = sent.root
    event = 0.0
    if root.lemma_.casefold() in SPEECH_VERBS - _OUTCOME_VERBS:
        reported = [c for c in root.children if c.dep_ == "ccomp" and c.pos_ == "VERB" and not in_quote(c)]
        event = 0.7 * max((_event(c) for c in reported if not _hedged(c)), default=0.0)
    elif not _hedged(root):
        event = _event(root)
    if event:
        cues.append(f"event:{root.lemma_.casefold()}")
        score += event
    numbers = [e.label_ for e in ents if e.label_ in _OUTCOME_NUMBERS]
    score += 0.5 * min(len(numbers), 2)
    cues += numbers[:2]
    if _hedged(root):
        score -= 0.7
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is not None and subject.lower_ in _FIRST_PERSON:
        score -= 1.0  # the reporter's or a speaker's aside: "I visited the festival"
    if sent.text.rstrip().endswith("?") or sent.text.lstrip()[:1] in '"“':
        score -= 1.0
    return score, cues


def _outcomes(table: _Sentences, quoted: list[tuple[int, int]], text: str) -> list[OutcomeCandidate]:
    """Body sentences ranked by result cues; the lede gets a bonus (news puts the outcome first).
    Headlines and datelines are not sentences of the story."""
    scored: list[OutcomeCandidate] = []
    position = 0
    for sent, ents in table:
        sentence = _sentence(sent)
        if sentence is None or _title(sentence, text):
            continue
        position += 1
        if len(sent) < 5:
            continue
        score, cues = _outcome_score(sent, ents, quoted)
        inside = sum(min(e, sentence.end) - max(s, sentence.start) for s, e in quoted if s < sentence.end)
        if inside > 0.5 * (sentence.end - sentence.start):
            score -= 1.0  # mostly quotation: what someone said, not what happened
        score += max(0.0, 1.0 - (position - 1) * 0.1)  # the first paragraphs, not only the first sentence
        if cues and score > 0:
            scored.append(OutcomeCandidate(sentence, round(score, 2), tuple(cues)))
    ranked = sorted(scored, key=lambda o: (-o.score, o.sentence.start))[:MAX_OUTCOMES]
    return sorted(ranked, key=lambda o: o.sentence.start)


def _key_nouns(sent: SpacySpan) -> set[str]:
    return {
        t.lemma_.casefold()
        for t in sent
        if t.pos_ in ("NOUN", "PROPN") and not t.is_stop and len(t.text) > 2 and t.is_alpha
    }


def _source(
    sent: SpacySpan,
    ents: list[SpacySpan],
    speakers: SpeakerFinder,
    parties: dict[str, PartyCandidate],
    verbs: frozenset[str],
    named: bool = True,
) -> str | None:
    """Who asserts (or denies) in a sentence: the subject of its cue verb, resolved like a quotation's
    speaker (appositives, pronouns, surnames), else (when `named`) the first person or organisation it names."""
    for token in sent:
        if token.lemma_.casefold() in verbs and token.pos_ in ("VERB", "AUX"):
            if token.dep_ == "acl":
                continue  # "an article saying X is ...": the article speaks, and it has no subject of its own
            name = _group_subject(token) or speakers.subject_of(token)
            if name is not None:
                return name
    if not named:
        return None
    for ent in ents:
        key = speakers.entities.party_key_at(ent.start_char, ent.end_char)
        if key in parties and parties[key].kind in ("person", "organization", "group"):
            return parties[key].name
    return None


_GROUP_MODIFIERS = frozenset({"NORP", "GPE", "ORG"})


def _group_subject(verb: Token) -> str | None:
    """ "Nicaraguan officials say ...", "North African bloggers claimed ...": the subject is a group
    named by its nationality or organisation, and the group ("Nicaraguan officials"), not the adjective
    ("Nicaraguan"), is the source."""
    for subject in verb.children:
        if subject.dep_ not in ("nsubj", "nsubjpass") or subject.pos_ != "NOUN" or subject.tag_ != "NNS":
            continue
        modifiers = [c for c in subject.lefts if c.dep_ in ("amod", "compound") and c.ent_type_ in _GROUP_MODIFIERS]
        if modifiers:
            start = min(m.left_edge.i for m in modifiers)
            return subject.doc[start : subject.i + 1].text
    return None


_PUBLISH_VERBS = frozenset({"publish", "write", "post", "originate", "appear", "run", "carry", "start", "spread"})


def _publisher(table: _Sentences, speakers: SpeakerFinder, parties: dict[str, PartyCandidate]) -> str | None:
    """Where the story being disputed came from: "it was published on X", "the story originates from X",
    "X has carried hoax stories": the first name a publishing verb ties to a story."""
    for sent, _ in table:
        for token in sent:
            if token.pos_ != "VERB" or token.lemma_.casefold() not in _PUBLISH_VERBS:
                continue
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            objects = [c for c in token.children if c.dep_ == "dobj"]
            stories = _CLAIM_NOUNS | {"article", "post", "hoax"}
            about_story = any(c.lemma_.casefold() in stories | {"it"} for c in subjects) or any(
                t.lemma_.casefold() in stories for o in objects for t in o.subtree
            )
            if not about_story:
                continue
            for prep in token.children:
                if prep.dep_ in ("prep", "agent") and prep.lower_ in ("on", "by", "from", "in", "at"):
                    for obj in prep.children:
                        named = [obj, *(a for a in obj.children if a.dep_ == "appos")]
                        name = next((n for t in named if (n := _proper_name(t, speakers, parties))), None)
                        if name is not None:
                            return name
            for subject in subjects:
                name = _proper_name(subject, speakers, parties)
                if name is not None and objects:
                    return name  # "Racket Report has carried hoax stories"
    return None


_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|es|co|uk|info|news|io)$", re.IGNORECASE)


def _proper_name(token: Token, speakers: SpeakerFinder, parties: dict[str, PartyCandidate]) -> str | None:
    """A party's name at this token, else a proper noun with its compounds ("Daily Buzz Live") or a
    site's domain ("NationalReport.net"): small sites are seldom tagged as entities."""
    ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None) if token.ent_type_ else None
    if ent is not None and ent.label_ in ("ORG", "PERSON", "GPE", "NORP", "PRODUCT", "WORK_OF_ART"):
        key = speakers.entities.party_key_at(ent.start_char, ent.end_char)
        return parties[key].name if key in parties else _trim_name(ent.text)
    if token.pos_ == "PROPN" or _DOMAIN.match(token.text):
        start = min([token.i, *(c.i for c in token.lefts if c.dep_ == "compound" and c.pos_ == "PROPN")])
        return token.doc[start : token.i + 1].text
    return None


def _trim_name(text: str) -> str:
    return re.sub(r"^the\s+", "", text, flags=re.IGNORECASE).strip()


def _clause_text(sent: SpacySpan, head: SpacySpan | None = None) -> Sentence | None:
    """The span of a clause, trimmed of its `that` and of trailing punctuation; `None` if too short."""
    tokens = list(head if head is not None else sent)
    while tokens and ((tokens[0].lower_ == "that" and tokens[0].dep_ == "mark") or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens = tokens[:-1]
    if len([t for t in tokens if t.is_alpha]) < 4:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return Sentence(start, end, sent.doc.text[start:end])


_MEDIA_NOUNS = frozenset({"article", "video", "clip", "post", "image", "photo", "picture", "tweet", "footage"})
_SHOWING_VERBS = frozenset({"say", "claim", "suggest", "show", "purport", "allege", "report", "appear", "depict"})


def _said_content(verb: Token) -> Token | None:
    """What "an article saying ...", "a video that appears to show ..." says or shows: the clause or
    object of the verb (through "appears to" / "purports to")."""
    if verb.lemma_.casefold() not in _SHOWING_VERBS:
        return None
    for child in verb.children:
        if child.dep_ == "ccomp" or (child.dep_ == "dobj" and verb.lemma_.casefold() in ("show", "depict")):
            return child
        if child.dep_ == "xcomp" and child.pos_ == "VERB":
            return _said_content(child)
    return None


def _reported_clause(sent: SpacySpan) -> tuple[Sentence, Token] | None:
    """What a sentence reports as claimed: the that-clause of "a report/rumours/the claim that ..." or of
    "X claimed/reported/said that ...", with the token whose subject or owner made the claim.

    The whole sentence dilutes the claim with who-said-what and the denial around it; the clause is the claim.
    """
    for token in sent:
        lemma = token.lemma_.casefold()
        if token.pos_ in ("NOUN", "VERB") and lemma in _CLAIM_NOUNS:  # "rumours that" is often tagged a verb
            for child in token.children:
                if child.dep_ in ("acl", "relcl", "ccomp") and any(
                    g.lower_ == "that" and g.dep_ == "mark" for g in child.children
                ):
                    clause = _clause_text(sent, sent.doc[child.left_edge.i : child.right_edge.i + 1])
                    if clause is not None:
                        return clause, token
    for token in sent:
        if token.pos_ in ("NOUN", "PROPN") and token.lemma_.casefold() in _CLAIM_NOUNS | _MEDIA_NOUNS:
            for verb in token.children:
                if verb.dep_ in ("acl", "relcl") and verb.pos_ == "VERB":
                    content = _said_content(verb)
                    if content is not None:
                        clause = _clause_text(sent, sent.doc[content.left_edge.i : content.right_edge.i + 1])
                        if clause is not None:
                            return clause, token
    for token in sent:
        lemma = token.lemma_.casefold()
        if token.pos_ == "VERB" and lemma in _CLAIM_VERBS - {"say", "state", "insist"}:
            for child in token.children:
                if child.dep_ == "ccomp":
                    clause = _clause_text(sent, sent.doc[child.left_edge.i : child.right_edge.i + 1])
                    if clause is not None:
                        return clause, token
    return None


def _clause_owner(token: Token, speakers: SpeakerFinder, parties: dict[str, PartyCandidate]) -> str | None:
    """Who made the reported claim: the subject of "X claimed that", the owner of "X's report that"."""
    if token.pos_ == "VERB":
        return speakers.subject_of(token)
    for child in token.children:
        if child.dep_ in ("compound", "poss") and child.ent_type_ in ("ORG", "PERSON", "NORP", "GPE"):
            ent = next((e for e in token.doc.ents if e.start <= child.i < e.end), None)
            if ent is not None:
                key = speakers.entities.party_key_at(ent.start_char, ent.end_char)
                if key in parties:
                    return parties[key].name
    return None


def _definite_report(sent: SpacySpan) -> bool:
    """ "The report", "that story", "this claim": a claim the article introduced earlier."""
    return any(
        t.lemma_.casefold() in _CLAIM_NOUNS
        and any(c.dep_ == "det" and c.lower_ in ("the", "that", "this") for c in t.children)
        for t in sent
    )


def _report_owners(table: _Sentences, speakers: SpeakerFinder, parties: dict[str, PartyCandidate]) -> list[str | None]:
    """For each sentence, who published the last report named before it ("a report published by X",
    "X's report", "X reported that"), so that a later "the report claiming that ..." has its claimant."""
    owners: list[str | None] = []
    last: str | None = None
    for sent, _ in table:
        owners.append(last)
        for token in sent:
            lemma = token.lemma_.casefold()
            owner: str | None = None
            if lemma in _CLAIM_NOUNS and token.pos_ == "NOUN":
                owner = _clause_owner(token, speakers, parties) or _agent_of(token, speakers, parties)
            elif lemma in ("report", "claim", "allege", "publish") and token.pos_ == "VERB":
                owner = speakers.subject_of(token)
            if owner is not None:
                last = owner
    return owners


def _agent_of(noun: Token, speakers: SpeakerFinder, parties: dict[str, PartyCandidate]) -> str | None:
    """ "A report published by X" / "a story on X": the name the noun's modifier attributes it to."""
    for child in noun.children:
        if child.dep_ == "acl" and child.lemma_.casefold() in ("publish", "release", "issue", "write", "post"):
            for agent in child.children:
                if agent.dep_ in ("agent", "prep") and agent.lower_ in ("by", "on", "in"):
                    for obj in agent.children:
                        if obj.dep_ == "pobj" and obj.ent_type_:
                            ent = next((e for e in noun.doc.ents if e.start <= obj.i < e.end), None)
                            key = speakers.entities.party_key_at(ent.start_char, ent.end_char) if ent else None
                            if key in parties:
                                return parties[key].name
    return None


_ASSERTION_OBJECTS = _CLAIM_NOUNS | {
    *("charge", "statement", "finding", "figure", "number", "account", "version", "tweet", "image", "photo"),
    *("video", "picture", "existence", "involvement", "link", "responsibility", "wrongdoing", "truth", "fact"),
}


def _refusal(verb: Token) -> bool:
    """ "Denied visas", "rejected the proposal", "questioned a user": the verb's object is a thing, not an
    assertion, so nothing said is being disputed. A pronoun, a clause or no object at all stays a denial."""
    objects = [c for c in verb.children if c.dep_ in ("dobj", "dative") and c.pos_ in ("NOUN", "PROPN")]
    if not objects:
        return False
    every = [o for obj in objects for o in (obj, *obj.conjuncts)]
    return not any(o.lemma_.casefold() in _ASSERTION_OBJECTS for o in every)


def _contradicting_evidence(sent: SpacySpan) -> str | None:
    """ "Despite the address, satellite images show columns of tanks": a contrast word, then evidence (images,
    data, records) followed closely by a showing verb. It disputes what was said before without denying it.

    Read by words, not by the parse: a small parser often tags "show" after a date as a noun."""
    tokens = list(sent)
    if not any(t.lower_ in _CONTRAST for t in tokens[:8]):
        return None
    for index, token in enumerate(tokens):
        if token.lemma_.casefold() not in _EVIDENCE_NOUNS or token.pos_ not in ("NOUN", "PROPN"):
            continue
        for later in tokens[index + 1 : index + 10]:
            if later.lemma_.casefold() in _EVIDENCE_VERBS or later.lower_.rstrip("s") in _EVIDENCE_VERBS:
                return f"{token.lemma_.casefold()} {later.lower_}"
    return None


def _contrast_object(sent: SpacySpan) -> str | None:
    """What a contrast answers: "address" in "Despite the address, ...", "assurances" in "Contrary to his
    assurances, ...". A claim sentence naming it is the one the evidence disputes."""
    for token in list(sent)[:8]:
        if token.lower_ in ("despite", "contrary", "notwithstanding"):
            for inner in token.subtree:
                if inner.pos_ == "NOUN" and inner.i > token.i:
                    return inner.lemma_.casefold()
    return None


def _named_source(ents: list[SpacySpan], entities: EntityFinder, parties: dict[str, PartyCandidate]) -> str | None:
    """The first person or organisation a sentence names: whose images, data or records the evidence is."""
    for ent in ents:
        key = entities.party_key_at(ent.start_char, ent.end_char)
        if key in parties and parties[key].kind in ("person", "organization"):
            return parties[key].name
    return None


def _denial_cue(sent: SpacySpan) -> tuple[str, float] | None:
    """The word that makes a sentence a denial, and how strong a cue it is.

    Explicit cues (denied, refuted, hoax, "no evidence") are strong; a negated main verb ("has not
    banned", "isn't real") or a clarification is weak but common in news, so it is proposed and ranked lower.
    """
    for token in sent:
        lemma = token.lemma_.casefold()
        if lemma in _DENIAL_LEMMAS and token.pos_ == "VERB" and not _refusal(token):
            return lemma, 2.0
        if lemma in _DENIAL_NOUNS and token.pos_ == "NOUN":
            return lemma, 2.0
    match = _DENIAL_PHRASES.search(sent.text)
    if match:
        return match.group(0).casefold(), 2.0
    evidence = _contradicting_evidence(sent)
    if evidence is not None:
        return evidence, 2.0
    for token in sent:
        if token.lemma_.casefold() in _WEAK_DENIAL_LEMMAS and token.pos_ == "VERB":
            return token.lemma_.casefold(), 0.5
        if token.dep_ == "neg" and token.head.dep_ in ("ROOT", "ccomp") and token.head.pos_ in ("VERB", "AUX"):
            return f"{token.text.casefold()} {token.head.lemma_.casefold()}", 0.5
    return None


def _other_party(
    ents: list[SpacySpan], entities: EntityFinder, parties: dict[str, PartyCandidate], not_this: str | None
) -> str | None:
    """For a claim stated inside its own denial ("X refuted a Daily Mirror report"), the source that is not X."""
    for ent in ents:
        key = entities.party_key_at(ent.start_char, ent.end_char)
        if key in parties and parties[key].name != not_this and parties[key].kind in ("person", "organization"):
            return parties[key].name
    return None


def _claims(table: _Sentences, speakers: SpeakerFinder, parties: list[PartyCandidate]) -> list[ClaimPair]:
    """Denial sentences paired with the earlier sentences they most likely answer."""
    by_key = {p.key: p for p in parties}
    keyed = [
        (s, ents, {name_key(e.text) for e in ents if e.label_ in ("PERSON", "ORG", "GPE", "NORP")} | _key_nouns(s))
        for s, ents in table
    ]
    sources = [p.name for p in parties if p.kind in ("person", "organization", "group")]
    pairs: list[tuple[float, ClaimPair]] = []
    owners = _report_owners(table, speakers, by_key)
    publisher = _publisher(table, speakers, by_key)
    for index, (sent, ents, words) in enumerate(keyed):
        found_cue = _denial_cue(sent)
        evidence = _sentence(sent)
        if found_cue is None or evidence is None:
            continue
        cue, strength = found_cue
        by_evidence = _contradicting_evidence(sent) == cue
        contrast = _contrast_object(sent) if by_evidence else None
        if by_evidence:
            disputer = _named_source(ents, speakers.entities, by_key)
        else:
            disputer = _source(sent, ents, speakers, by_key, _DENIAL_LEMMAS | SPEECH_VERBS)
        for claim_index in range(max(0, index - 12), index + 1):
            if by_evidence and claim_index == index:
                continue  # evidence shows something else; what it disputes was said before it
            claim_sent, claim_ents, claim_words = keyed[claim_index]
            shared = tuple(sorted(words & claim_words))
            if not shared and claim_index != index:
                continue
            claimant = _source(claim_sent, claim_ents, speakers, by_key, _CLAIM_VERBS, named=False)
            if claimant is not None and claimant == disputer:
                if claim_index != index:
                    continue
                claimant = _other_party(claim_ents, speakers.entities, by_key, disputer)
            claim = _sentence(claim_sent)
            if claim is None:
                continue
            reported = _reported_clause(claim_sent)
            clause = reported[0] if reported else None
            if reported is not None:
                owner = _clause_owner(reported[1], speakers, by_key)
                if owner is not None and owner != disputer:
                    claimant = owner
            if claimant is None and _definite_report(claim_sent) and owners[claim_index] != disputer:
                claimant = owners[claim_index]
            if claimant is None and publisher != disputer:
                claimant = publisher  # "it was published on X": the story's source, named anywhere
            if claimant is None:
                claimant = _source(claim_sent, claim_ents, speakers, by_key, frozenset())
                claimant = None if claimant == disputer else claimant
            # A sentence shares every word with itself: a denial earns that only when it states the claim
            # it denies ("X denied reports that ..."); otherwise it is proposed, ranked last.
            overlap = 0 if claim_index == index and clause is None else min(len(shared), 4)
            lede = max(0.0, 1.0 - 0.35 * claim_index)  # the disputed claim is what the story opens with
            score = strength + overlap + lede + (0.5 if claimant else 0.0)
            if (
                contrast is not None
                and claim_index != index
                and any(t.lemma_.casefold() == contrast for t in claim_sent)
            ):
                score += CONTRAST_LINK  # "Despite the address, images show ...": the address is the claim
            score -= 0.05 * (index - claim_index)
            named_here = [
                n
                for e in (*claim_ents, *ents)
                if (k := speakers.entities.party_key_at(e.start_char, e.end_char)) in by_key
                and (n := by_key[k].name) in sources
            ]
            options = tuple(dict.fromkeys([*(x for x in (claimant, disputer) if x), *named_here, *sources]))
            pairs.append(
                (
                    score,
                    ClaimPair(
                        claim, evidence, cue, claimant, disputer, shared[:6], options[:MAX_OPTIONS], clause, score
                    ),
                )
            )
    best: dict[tuple[int, int], tuple[float, ClaimPair]] = {}
    for score, pair in pairs:
        key = (pair.evidence.start, pair.claim.start)
        if key not in best or best[key][0] < score:
            best[key] = (score, pair)
    per_evidence: dict[int, list[tuple[float, ClaimPair]]] = {}
    for score, pair in best.values():
        per_evidence.setdefault(pair.evidence.start, []).append((score, pair))
    chosen = [
        item for group in per_evidence.values() for item in sorted(group, key=lambda x: -x[0])[:2]
    ]  # two readings per denial at most: the model picks
    ranked = sorted(chosen, key=lambda x: -x[0])[:MAX_CLAIM_PAIRS]
    return [pair for _, pair in sorted(ranked, key=lambda x: (x[1].evidence.start, x[1].claim.start))]


Sections = Sequence[tuple[int, int]]


def find_candidates(
    article: Article, doc: Doc, pipeline: str = DEFAULT_PIPELINE, sections: Sections = ()
) -> Candidates:
    """The pass over an already parsed article (`doc = parse(article.text)`).

    Entities, quotations and speakers are found over the whole text (a name introduced early
    resolves a surname late). Outcome sentences and claim pairs are ranked per section when
    `sections` (start, end) are given — ~3,000-character pieces of a long article cut at headings
    (`text.windows.sections`): their caps and the lede's bonus are per news-article-sized piece, or
    a long article's outcomes would all be its first.
    """
    entities = EntityFinder(doc, NameIndex())
    parties = entities.parties()
    quotes = scan_quotes(article.text)
    speakers = SpeakerFinder(doc, quotes, entities, parties)
    table = _sentences_with_entities(doc)
    parts = [[row for row in table if start <= row[0].start_char < end] for start, end in sections] or [table]
    return Candidates(
        pipeline=pipeline_id(pipeline),
        parties=tuple(parties),
        places=tuple(entities.places()),
        quotes=tuple(quotes),
        attributions=tuple(speakers.attribute()),
        outcomes=tuple(o for part in parts for o in _outcomes(part, speakers.bounds, article.text)),
        claims=tuple(c for part in parts for c in _claims(part, speakers, parties)),
        actors=subjects(doc, entities),
        lede=named_first(parties, article.text),
    )


def candidates(article: Article, pipeline: str = DEFAULT_PIPELINE, sections: Sections = ()) -> Candidates:
    """Parse and find, in the calling thread (CLI, evals, benchmarks)."""
    return find_candidates(article, parse(article.text, pipeline), pipeline, sections)


async def candidates_async(article: Article, pipeline: str = DEFAULT_PIPELINE, sections: Sections = ()) -> Candidates:
    """Parse off the event loop, then find (the finders are fast next to the parse)."""
    doc = await parse_async(article.text, pipeline)
    return find_candidates(article, doc, pipeline, sections)
