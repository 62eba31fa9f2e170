"""The quotation scan: exact spans, the NYT's '' marks, paragraph-continued quotations, no cap."""

from __future__ import annotations

from summarizer.text.quotes import scan_quotes


def test_spans_are_exact_and_marks_excluded() -> None:
    text = "He said “We will win this time.” Then he left."
    [quote] = scan_quotes(text)
    assert text[quote.start : quote.end] == quote.text == "We will win this time."


def test_two_apostrophes_are_a_double_quote_mark() -> None:
    text = "''We must not overreact,'' he told me."
    [quote] = scan_quotes(text)
    assert quote.text == "We must not overreact,"


def test_a_quotation_continued_in_the_next_paragraph_is_found_in_both() -> None:
    text = '"The first paragraph of a long statement\n\n"and the second one, closed," she said.'
    quotes = scan_quotes(text)
    assert [q.text for q in quotes] == ["The first paragraph of a long statement", "and the second one, closed,"]


def test_an_unclosed_mark_without_a_continuation_is_not_a_quotation() -> None:
    assert scan_quotes('He said "this never ends\n\nThe next paragraph.') == []


def test_no_cap_on_the_number_of_quotations() -> None:
    text = " ".join(f'"Quote number {i} here," she said.' for i in range(95))
    assert len(scan_quotes(text)) == 95
