"""Gold files: all valid and current, the schema published as generated, bad files named precisely."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from summarizer.evals.gold import GoldError, json_schema, load_case, load_gold

ROOT = Path(__file__).resolve().parents[2]
GOLD, ARTICLES = ROOT / "evals" / "gold", ROOT / "evals" / "articles"


def test_every_gold_file_loads_and_starts_with_the_schema_line() -> None:
    cases = load_gold(GOLD, ARTICLES)
    assert len(cases) == len(list(ARTICLES.glob("*.txt"))) >= 13
    for path in GOLD.glob("*.yaml"):
        assert path.read_text().splitlines()[0] == "# yaml-language-server: $schema=../gold.schema.json"


def test_committed_schema_is_the_generated_one() -> None:
    assert (ROOT / "evals" / "gold.schema.json").read_text() == json_schema(), (
        "regenerate: python -c 'from summarizer.evals.gold import json_schema; print(json_schema(), end=\"\")'"
        " > evals/gold.schema.json"
    )


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    gold, articles = tmp_path / "gold", tmp_path / "articles"
    gold.mkdir()
    articles.mkdir()
    shutil.copy(GOLD / "wikinews-stampede.yaml", gold)
    shutil.copy(ARTICLES / "wikinews-stampede.txt", articles)
    return gold / "wikinews-stampede.yaml", articles


def test_stale_article_hash_fails_naming_file_and_field(workspace: tuple[Path, Path]) -> None:
    path, articles = workspace
    with (articles / "wikinews-stampede.txt").open("a") as f:
        f.write("An edit after labelling.\n")
    with pytest.raises(GoldError, match=r"wikinews-stampede\.yaml: field article_sha256: stale"):
        load_case(path, articles)


def test_unknown_key_fails_naming_the_field(workspace: tuple[Path, Path]) -> None:
    path, articles = workspace
    path.write_text(path.read_text().replace("  - name:", "  - nmae:", 1))
    with pytest.raises(GoldError, match=r"wikinews-stampede\.yaml: field parties\[0\]\."):
        load_case(path, articles)


def test_gold_quote_must_be_verbatim(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    text = 'The mayor said "we will rebuild the bridge" on Monday.\n'
    (articles / "toy.txt").write_text(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    path = tmp_path / "toy.yaml"
    path.write_text(
        f"article: toy\narticle_sha256: {digest}\n"
        "quotes:\n  - {text: we will rebuild the tunnel, speaker: mayor, partial: true}\n"
    )
    with pytest.raises(GoldError, match=r"toy\.yaml: field quotes\[0\]\.text: not found verbatim"):
        load_case(path, articles)
    path.write_text(path.read_text().replace("tunnel", "bridge"))
    assert load_case(path, articles).gold.quotes[0].speaker == "mayor"


def test_articles_can_be_picked_by_several_globs() -> None:
    cases = load_gold(GOLD, ARTICLES, pattern="wikinews-worship, wikinews-s*")
    assert [c.slug for c in cases] == ["wikinews-stampede", "wikinews-worship"]
