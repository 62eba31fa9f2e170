"""The HTML report in a real headless browser (Debian chromium, driven by playwright): what prompt engineers asked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from rich.console import Console

from summarizer.evals.aggregate import headline
from summarizer.evals.config import load_config
from summarizer.evals.gold import load_gold
from summarizer.evals.results import write_results
from summarizer.evals.runner import CaseOutput
from summarizer.evals.variants import perfect
from summarizer.schemas import PromptInfo, SummaryMeta, SummaryResponse, UsageInfo
from tests.support.browser import headless_chromium

ROOT = Path(__file__).resolve().parents[2]


def meta(**extra: Any) -> SummaryMeta:
    return SummaryMeta.model_validate(dict(
        model="m", prompt=PromptInfo(id="p", version=1, hash="h"), schema_version="1.2",
        usage=UsageInfo(prompt_tokens=1, completion_tokens=1), attempts=1, reasks=0, latency_ms=1, **extra,
    ))  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cases = load_gold(ROOT / "evals" / "gold", pattern="seed-belarus-talks,wikinews-stampede,wikinews-worship")
    seed, stampede, worship = cases
    answer = perfect(seed).model_copy(update={"headline": "Talks end without a deal", "summary": "They talked."})
    quotes = list(answer.quotes)
    missed = quotes.pop(1)  # "Another round of talks was agreed to." is left out
    quotes[0] = quotes[0].model_copy(update={"speaker": "Dmitry Peskov"})  # gold: Vladimir Medinsky
    answer = answer.model_copy(update={"quotes": quotes})
    flags = meta(
        dropped=[{"field": "parties", "count": 2, "values": ["Atlantis"]}],
        coerced=[{"field": "parties.kind", "count": 1, "values": ["nation"]}],
    )
    fallback = meta(incomplete=[{"field": "outcomes", "reason": "still invalid after 2 re-asks"}])
    complete, incomplete = (
        SummaryResponse(summary=answer, meta=flags),
        SummaryResponse(summary=perfect(worship), meta=fallback),
    )
    outputs = {
        seed.slug: CaseOutput(article=seed.slug, cached=False, seconds=1, response=complete),
        stampede.slug: CaseOutput(article=stampede.slug, cached=False, seconds=1, error="model output still invalid"),
        worship.slug: CaseOutput(article=worship.slug, cached=False, seconds=1, response=incomplete),
    }  # fmt: skip
    run_dir = tmp_path_factory.mktemp("run")
    run = write_results(run_dir, cases, outputs, {"prompt": "p@1"}, Console(file=None), load_config().scoring)
    assert [a.error for a in run.articles] == [None, "model output still invalid", None]
    assert missed.text in run.articles[0].fields["quotes"].misses
    assert run.articles[2].fields["parties"].counts.tp == 0, "an incomplete answer is scored as no answer"
    line = headline(run)
    assert (line["errors"], line["incomplete"], line["dropped"]) == (2, {"outcomes": 1}, {"parties": 2})
    return run_dir / "report.html"


@pytest.fixture
def page(browser: Browser, report: Path) -> Iterator[Page]:
    page = browser.new_page()
    page.goto(report.as_uri())
    yield page
    page.close()


def test_the_index_has_per_article_f1_and_na_for_nothing_to_find(page: Page) -> None:
    rows = page.locator("#index tr")
    assert rows.count() == 4
    stampede = rows.filter(has_text="wikinews-stampede").inner_text()
    assert "n/a" in stampede and "1.00" not in stampede, "no gold quotes and none predicted is not F1 1.00"
    assert "error" in stampede
    assert rows.filter(has_text="seed-belarus-talks").locator("td").nth(4).inner_text() != "n/a"


def test_every_quote_shows_its_speaker_and_wrong_ones_are_marked(page: Page) -> None:
    seed = page.locator("#seed-belarus-talks")
    wrong = seed.locator("ul.quotes li.wrong")
    assert wrong.count() == 1
    assert "speaker: Dmitry Peskov ✗ (gold: Vladimir Medinsky)" in " ".join(wrong.inner_text().split())
    assert seed.locator("ul.quotes li.said").count() >= 8, "each matched quote lists its speaker in the text"


def test_missed_gold_quotes_are_marked_in_the_article_text(page: Page) -> None:
    marked = page.locator("#seed-belarus-talks .text mark.missed")
    assert marked.count() == 1 and marked.inner_text() == "Another round of talks was agreed to."


def test_headline_and_summary_sit_beside_the_gold_summary(page: Page) -> None:
    gist = page.locator("#seed-belarus-talks .gist")
    assert gist.locator(".headline").inner_text() == "Talks end without a deal"
    assert gist.locator(".summary").inner_text() == "They talked."
    assert gist.locator(".gold-summary").inner_text().strip(), "the gold side shows its summary (or its outcomes)"


def test_incomplete_groups_and_dropped_counts_are_shown(page: Page) -> None:
    worship = page.locator("#wikinews-worship").inner_text()
    assert "incomplete: outcomes (still invalid after 2 re-asks)" in " ".join(worship.split())
    assert "incomplete" in page.locator("#index tr").filter(has_text="wikinews-worship").inner_text()
    seed = page.locator("#seed-belarus-talks").inner_text()
    assert "incomplete" not in seed
    assert "dropped: parties 2" in " ".join(seed.split()) and "coerced: parties.kind 1" in " ".join(seed.split())
    assert "error: model output still invalid" in page.locator("#wikinews-stampede").inner_text()
