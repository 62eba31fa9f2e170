"""Windows over long text: exact offsets, paragraph cuts, bounded overlap, always moving forward."""

from __future__ import annotations

import itertools

import pytest

from summarizer.text.windows import plan, sections, split
from tests.support.scripts import long_article


def check(text: str, size: int, overlap: int) -> None:
    windows = split(text, size, overlap)
    assert windows[0].start == 0 and windows[-1].end == len(text)
    for window in windows:
        assert text[window.start : window.end] == window.text
        assert len(window.text) <= size
        assert window.start <= window.fresh < window.end or window.fresh == window.start == 0
    for before, after in itertools.pairwise(windows):
        assert after.fresh == before.end  # nothing skipped, nothing new read twice
        assert before.start < after.start and after.start <= before.end
        assert before.end - after.start <= max(overlap, 0) or after.start == before.end


def test_a_short_text_is_one_window_the_text_itself() -> None:
    windows = split("One paragraph.\nAnother.", 1000, 100)
    assert len(windows) == 1 and windows[0].text == "One paragraph.\nAnother." and windows[0].fresh == 0


def test_windows_cut_at_paragraph_breaks_with_whole_paragraph_overlap() -> None:
    paragraphs = [f"Paragraph {n} says something about the talks in Minsk." for n in range(40)]
    text = "\n".join(paragraphs)
    windows = split(text, 500, 120)
    check(text, 500, 120)
    assert len(windows) > 4
    for window in windows[1:]:
        assert window.start == 0 or text[window.start - 1] == "\n"  # starts at a paragraph
        assert window.text.startswith("Paragraph")
        assert window.fresh > window.start  # it repeats the previous window's last paragraph(s)


def test_a_paragraph_longer_than_a_window_is_cut_at_sentence_ends() -> None:
    text = " ".join(f"Sentence number {n} is here." for n in range(300))  # no line break at all
    windows = split(text, 800, 100)
    check(text, 800, 100)
    assert all(w.text.endswith(". ") or w.end == len(text) for w in windows)


@pytest.mark.parametrize("size,overlap", [(1000, 0), (1000, 900), (3000, 800), (6000, 800)])
def test_real_long_text_any_size_and_overlap(size: int, overlap: int) -> None:
    check(long_article(60_000), size, overlap)


def test_text_without_spaces_is_still_cut() -> None:
    check("x" * 5000, 1000, 200)


def test_sections_start_at_headings_and_stay_bounded() -> None:
    story = "A sentence about the vote. " * 20
    text = "\n\n".join(f"Heading number {n}\n\nMonday, May {n}, 2024\n\n{story}\n\n{story}" for n in range(1, 6))
    pieces = sections(text, 3000)
    assert [text[start:end].split("\n", 1)[0] for start, end in pieces] == [f"Heading number {n}" for n in range(1, 6)]
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    long_text = "One sentence here. " * 2000  # no headings at all: cut like windows
    assert all(end - start <= 3000 for start, end in sections(long_text, 3000))


def test_a_text_of_headed_stories_is_read_one_story_per_window() -> None:
    """Each story that fits is exactly one window (a small model reads one story at a time); a short
    headed part stays with the story before it; a story longer than a window is split with overlap."""
    body = ("The council voted on the budget after a long debate. " * 40).strip()  # ~2,100 characters
    stories = [f"Story number {n} of the day\n\nMonday, May {n}, 2024\n\n{body}" for n in range(1, 5)]
    stories.insert(2, "Short aside\n\nA small boxed note.")  # under STORY_CHARS: joins story 2
    stories.append("The long read\n\n" + " ".join([body] * 4))  # ~8,400 characters: split
    text = "\n\n".join(stories)
    windows = plan(text, 6000, 800)
    assert [w.text for w in windows[:2]] == [stories[0], stories[1] + "\n\n" + stories[2]]
    assert [w.text for w in windows[2:4]] == [stories[3], stories[4]]
    assert windows[4].text.startswith("The long read") and len(windows) >= 6
    assert "".join(text[w.fresh : w.end] for w in windows[4:]) == stories[5]  # all of it, nothing twice
    for window in windows:
        assert text[window.start : window.end] == window.text and len(window.text) <= 6000
    assert plan("One short story.", 6000, 800)[0].text == "One short story."
