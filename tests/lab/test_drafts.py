"""Drafts are checked as prompt files are, claim the next version, and are saved byte for byte, never over a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.lab.drafts import Drafts
from tests.lab.model import DRAFT_RULE, draft_of

BASE = "summarize-grouped@4"


@pytest.fixture
def drafts(tmp_path: Path, prompts_copy: Path) -> Drafts:
    return Drafts(tmp_path / "drafts", prompts_copy)


def test_a_draft_starts_as_the_next_version_and_checks_clean(drafts: Drafts) -> None:
    text = drafts.next_text(BASE)
    assert (
        "version: 5\n" in text
        and text.replace("version: 5\n", "version: 4\n") == drafts.library.get(BASE).path.read_text()
    )
    check = drafts.summary(text)
    assert check.ok and check.ref == "summarize-grouped@5" and check.problems == []


@pytest.mark.parametrize(
    ("version", "message"),
    [("4", "summarize-grouped@4 is the latest; a draft is the next version, 5"), ("7", "the next version, 5")],
)
def test_a_draft_may_not_take_a_released_or_skipped_version(drafts: Drafts, version: str, message: str) -> None:
    changed = draft_of(drafts.library.get(BASE).path.read_text())  # a released version's number, other bytes
    text = changed.replace("version: 5\n", f"version: {version}\n")
    prompt, problems = drafts.check(text)
    assert prompt is None and len(problems) == 1
    assert message in problems[0].message
    assert text.splitlines()[problems[0].line - 1] == f"version: {version}"


def test_a_new_prompt_id_starts_at_version_one(drafts: Drafts) -> None:
    text = (
        drafts.next_text(BASE)
        .replace("id: summarize-grouped\n", "id: summarize-terse\n")
        .replace("version: 5\n", "version: 1\n")
    )
    assert drafts.summary(text).ref == "summarize-terse@1"


def test_an_invalid_draft_is_not_kept(drafts: Drafts) -> None:
    with pytest.raises(InputError, match=r"draft line 8: .*unknown strategy"):
        drafts.add(drafts.next_text(BASE).replace("strategy: grouped", "strategy: fancy"))
    assert not drafts.folder.exists() or not list(drafts.folder.iterdir())


def test_saving_writes_the_drafts_bytes_once_and_never_overwrites(drafts: Drafts, prompts_copy: Path) -> None:
    text = draft_of(drafts.library.get(BASE).path.read_text())
    key, prompt = drafts.add(text)
    plan = drafts.plan(key)
    assert plan.base == BASE and f"+{DRAFT_RULE}\n" in plan.diff and not plan.exists
    assert not prompt.path.exists(), "planning writes nothing"
    saved = drafts.save(key)
    assert prompt.path.read_bytes() == text.encode() and saved.exists
    assert drafts.library.get("summarize-grouped@5").sha256 == prompt.sha256, "same bytes, same hash: same cache"
    assert drafts.summary(text).ok, "a saved draft still loads (as its released version)"
    with pytest.raises(InputError, match="never overwritten"):
        drafts.save(key)
    other = drafts.next_text(BASE)  # now v6
    assert "version: 6\n" in other


def test_a_file_that_appeared_meanwhile_is_not_overwritten(drafts: Drafts, prompts_copy: Path) -> None:
    key, prompt = drafts.add(draft_of(drafts.library.get(BASE).path.read_text()))
    prompt.path.write_text("someone else's v5", encoding="utf-8")
    with pytest.raises(InputError, match="never overwritten"):
        drafts.save(key)
    assert prompt.path.read_text() == "someone else's v5"


def test_a_draft_key_is_not_a_path(drafts: Drafts) -> None:
    for key in ("draft-../../etc/passwd", "../x", "draft-nothing"):
        with pytest.raises(Exception, match="no draft"):
            drafts.text(key)
