"""Grounding: verbatim checks, exact spans, quote scanning."""

from __future__ import annotations

from summarizer.text.article import Article, normalise
from tests.support.scripts import seed_text


def test_locate_normalises_quote_marks_and_spacing_but_spans_index_the_original() -> None:
    article = Article("He said:  “We  agreed\nto meet,” on Monday.")
    span = article.locate('"We agreed to meet,"')
    assert span is not None
    assert article.text[span.start : span.end] == "We  agreed\nto meet,"


def test_locate_rejects_text_not_in_the_article() -> None:
    article = Article(seed_text())
    assert article.locate("We will never negotiate again.") is None
    assert article.locate("   ") is None


def test_quote_candidates_are_the_seed_quotations_with_exact_offsets() -> None:
    article = Article(seed_text())
    candidates = article.quote_candidates()
    assert len(candidates) == 10
    for c in candidates:
        assert article.text[c.start : c.end] == c.text
        assert article.text[c.start - 1] == '"' and article.text[c.end] == '"'
    assert [c.partial for c in candidates][:3] == [True, False, False]


def test_quote_candidates_skip_single_words_and_unclosed_marks() -> None:
    article = Article('A "term" here. She said "it will\nnot close. "Two words" end.')
    assert [c.text for c in article.quote_candidates()] == ["Two words"]


def test_mentions_are_whole_words_and_prefer_the_longest_name() -> None:
    article = Article("Vladimir Putin spoke. Putin's aide, not Putinism, replied.")
    spans = article.mentions(["Putin", "Vladimir Putin"])
    assert [article.text[s.start : s.end] for s in spans] == ["Vladimir Putin", "Putin"]


def test_surroundings_stay_inside_the_paragraph() -> None:
    article = Article('First paragraph.\nPeskov said "yes indeed" to Tass.\nThird.')
    start = article.text.index("yes")
    assert article.surroundings(start, start + 11) == 'Peskov said "yes indeed" to Tass.'


def test_normalise() -> None:
    assert normalise("  ‘a’ “b”\n\tc ") == "'a' \"b\" c"


def test_quotations_longer_than_the_schema_allows_are_not_candidates() -> None:
    article = Article('He said "' + "word " * 500 + 'end" and "two words" too.')
    assert [c.text for c in article.quote_candidates()] == ["two words"]


def test_party_lists_stay_within_the_schema_bound() -> None:
    from summarizer.pipeline.assemble import MAX_PARTIES, ground_parties, speaker_party
    from summarizer.pipeline.drafts import PartyDraft

    names = [f"Person{i} Name{i}" for i in range(MAX_PARTIES + 10)]
    article = Article(". ".join(names) + ".")
    parties = ground_parties(article, [PartyDraft(name=n, kind="person") for n in names])
    assert len(parties) == MAX_PARTIES
    assert speaker_party(article, names[-1], parties) is None  # no room: not added, not a 500
    assert len(parties) == MAX_PARTIES


def test_names_answers_whether_mentions_finds_anything() -> None:
    article = Article(seed_text() + "\nC++ and the U.S. and Zoë.")
    names = ["Putin", "putin", " Medinsky ", "Putinism", "Vlad", "C++", "U.S.", "u.s.", "Zoë", "", "  ", "Atlantis"]
    assert [article.names(n) for n in names] == [bool(article.mentions([n])) for n in names]
    assert [article.names(n) for n in names[:4]] == [True, True, True, False]
