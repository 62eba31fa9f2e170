"""Hundreds of articles: the matrix draws only the rows in view, and keys, sorting and filters still reach all.

A synthetic board (numbers only, no article text) is written as an exported file and opened from disk.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from summarizer.lab.export import export_html
from summarizer.lab.routes import ASSETS
from tests.support.browser import headless_chromium

ARTICLES, VARIANTS = 400, ("p@1", "p@2", "p@3")
FIELDS = ("parties", "locations", "outcomes", "quotes", "contested_claims")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


def synthetic_board() -> tuple[dict[str, Any], set[str]]:
    rng = random.Random(20)
    slugs = [f"article-{i:03d}" for i in range(ARTICLES)]
    cells: dict[str, dict[str, Any]] = {}
    for v in VARIANTS:
        cells[v] = {}
        for slug in slugs:
            f1 = {f: round(rng.choice([0.5, 0.75, 1.0]), 2) for f in FIELDS}
            cells[v][slug] = {
                "state": "done", "cached": True, "error": None, "f1": f1, "counts": {f: [1, 0, 0] for f in FIELDS},
                "speaker": [1, 1], "fabricated": [0, 1], "tokens": 1000, "calls": 1, "seconds": 1.0, "digest": str(f1),
            }  # fmt: skip
    worse = {s for s in slugs if any(cells[v][s]["f1"][f] < cells["p@1"][s]["f1"][f] for v in VARIANTS for f in FIELDS)}
    totals = {
        "cases": ARTICLES, "answered": ARTICLES, "failed": 0, "running": False, "complete": True,
        "f1": dict.fromkeys(FIELDS, 0.8), "speaker_accuracy": 1.0, "fabricated_rate": 0.0,
        "tokens": 1000 * ARTICLES, "calls": ARTICLES, "seconds": float(ARTICLES),
    }  # fmt: skip
    board = {
        "gold": "synthetic",
        "seq": 0,
        "articles": [{"slug": s, "chars": 1000} for s in slugs],
        "variants": [
            {
                "key": v,
                "ref": v,
                "draft": False,
                "hash": "0" * 16,
                "column": v,
                "run_dir": "-",
                "to_ask": 0,
                "totals": totals,
            }
            for v in VARIANTS
        ],
        "cells": cells,
    }
    return board, worse


def test_only_the_rows_in_view_are_drawn(browser: Browser, tmp_path: Path) -> None:
    board, worse = synthetic_board()
    page_html = (ASSETS / "lab.html").read_text(encoding="utf-8")
    path = tmp_path / "big.html"
    path.write_text(export_html({"board": board, "compare": {}, "articles": {}, "state": ""}, page_html))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    expect(page.locator("#matrix-count")).to_have_text(f"{ARTICLES} articles")
    drawn = page.locator("#matrix-body tr[data-slug]").count()
    assert 0 < drawn < 100, drawn

    page.locator("#matrix-body tr[data-slug]").first.focus()
    page.keyboard.press("End")
    last = page.locator(f'#matrix-body tr[data-slug="article-{ARTICLES - 1:03d}"]')
    expect(last).to_be_focused()
    assert page.locator("#matrix-body tr[data-slug]").count() < 100
    page.keyboard.press("Home")
    expect(page.locator('#matrix-body tr[data-slug="article-000"]')).to_be_focused()

    page.click('#matrix-head button[data-sort="p@2~parties~f1"]')  # descending first
    first = page.locator("#matrix-body tr[data-slug]").first.get_attribute("data-slug")
    assert first is not None and board["cells"]["p@2"][first]["f1"]["parties"] == 1.0
    page.check("#only-regressions")
    expect(page.locator("#matrix-count")).to_have_text(f"{len(worse)} of {ARTICLES} articles (only regressions)")
    assert page.locator("#matrix-body tr[data-slug]").count() < 100
    assert errors == []
