"""The guard's last check: an answer that repeats our instructions is a leak, unless the article says it too."""

from __future__ import annotations

from summarizer.pipeline.guard import drop_ungrounded, leaked_instructions
from summarizer.schemas import Party, Summary
from summarizer.text.article import Article

INSTRUCTIONS = "List every party the article names and never invent a quotation that is not in the text."


def _summary(headline: str, summary: str = "Talks went on.", role: str = "") -> Summary:
    return Summary(headline=headline, summary=summary, parties=[Party(name="Ana Silva", kind="person", role=role)])


def test_a_field_that_repeats_the_instructions_is_a_leak() -> None:
    article = Article("Ana Silva opened the talks in Lyon on Monday.")
    leaked = _summary("Talks", role="never invent a quotation that is not in the text")
    assert leaked_instructions(leaked, INSTRUCTIONS, article) == ["parties[0].role"]
    both = _summary("List every party the article names and never", summary="party the article names and never invent")
    assert leaked_instructions(both, INSTRUCTIONS, article) == ["headline", "summary"]
    assert leaked_instructions(_summary("Talks in Lyon"), INSTRUCTIONS, article) == []


def test_words_the_article_itself_says_are_not_a_leak() -> None:
    article = Article("Ana Silva said: never invent a quotation that is not in the text, reporters.")
    quoted = _summary("Talks", role="never invent a quotation that is not in the text")
    assert leaked_instructions(quoted, INSTRUCTIONS, article) == []


def test_parties_the_article_never_names_are_dropped() -> None:
    article = Article("Ana Silva opened the talks in Lyon on Monday.")
    summary = Summary(
        headline="Talks",
        summary="Talks.",
        parties=[
            Party(name="ana silva", kind="person"),
            Party(name="Ana Silvan", kind="person"),
            Party(name=" ", kind="person"),
        ],
    )
    kept = drop_ungrounded(summary, article)
    assert [p.name for p in kept.parties] == ["ana silva"]
