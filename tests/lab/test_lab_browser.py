"""The whole loop of the prompt lab, by clicks, in Debian's headless chromium against the lab on loopback.

Pick the gold set and two variants, write a draft (first with a mistake the page must point at), run,
read the matrix, filter to regressions, open an article and find a known miss and a known false positive
on their spans, retry the one failed article alone, re-run a cached one, save the draft as the next
version (diff first), export the comparison and open the file from disk with the network cut off.

The model is `tests.lab.model.GoldModel` on the scripted fake upstream: it answers from the gold files,
worse for the draft on `DRAFT_HURTS` articles, and fails the draft on one article until told otherwise.
Every request the page makes to anything but 127.0.0.1 is aborted and recorded; the list must stay empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from summarizer.evals.gold import load_gold
from tests.lab.conftest import KEY, ServedLab, gold_folder, serve_lab
from tests.lab.model import DRAFT_HURTS, DRAFT_RULE, KNOWN_FALSE_POSITIVE, KNOWN_MISS, draft_of
from tests.support.browser import headless_chromium

SLUGS = ["seed-belarus-talks", "wikinews-asylum", "wikinews-flag", "wikinews-stampede", "wikinews-worship"]
FAILING = "wikinews-flag"
BASE, OTHER, NEXT = "summarize-grouped@4", "summarize-grouped@3", "summarize-grouped@5"
WAIT = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture
def lab(tmp_path: Path, prompts_copy: Path) -> Iterator[ServedLab]:
    yield from serve_lab(tmp_path, gold_folder(tmp_path / "gold-set", SLUGS), api_keys=KEY)


def loopback_only(page: Page, blocked: list[str]) -> None:
    def route(request: Route) -> None:
        if urlsplit(request.request.url).hostname == "127.0.0.1":
            request.continue_()
        else:
            blocked.append(request.request.url)
            request.abort()

    page.route("**/*", route)


def cell(page: Page, slug: str, variant: str) -> str:
    """The text of an article's first field cell under a variant (its F1, or its state)."""
    return page.locator(f'#matrix-body tr[data-slug="{slug}"] td[data-variant="{variant}"]').first.inner_text()


def wait_idle(page: Page) -> None:
    expect(page.locator("#run-status")).to_have_attribute("data-busy", "no", timeout=WAIT)


def rows(page: Page) -> list[str]:
    return [
        str(slug)
        for slug in page.locator("#matrix-body tr[data-slug]").evaluate_all("rs => rs.map(r => r.dataset.slug)")
    ]


def marked(page: Page, side: str, verdict: str) -> list[str]:
    """The texts drawn with `verdict` (e.g. `parties:fp`) in one pane of the article view."""
    return page.locator(f'.pane[data-side="{side}"] .text [data-v~="{verdict}"]').all_inner_texts()


def test_the_whole_loop_by_clicks(browser: Browser, lab: ServedLab, tmp_path: Path) -> None:
    lab.model.broken_for_drafts.add(FAILING)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    errors: list[str] = []
    loopback_only(page, blocked)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{lab.url}/lab")

    # The API wants the service's key; the page asks for it.
    page.fill("#key-input", KEY)
    page.click("#key-form button[type=submit]")

    # 1. Pick: the gold set and two variants, grouped@4 the baseline.
    page.select_option("#gold", str(lab.gold))
    page.check(f'#variant-list input[type=checkbox][value="{OTHER}"]')
    page.check(f'#variant-list input[type=radio][value="{BASE}"]')
    expect(page.locator("#matrix-body tr[data-slug]")).to_have_count(len(SLUGS))

    # A draft: copied from the baseline as the next version, first with a mistake shown at its line.
    page.click("#draft-box summary")
    page.select_option("#draft-base", BASE)
    page.click("#draft-new")
    expect(page.locator("#draft-status")).to_contain_text(f"loads as {NEXT}", timeout=WAIT)
    good = draft_of(page.input_value("#draft-text").replace("version: 5\n", "version: 4\n", 1))
    assert DRAFT_RULE in good
    page.fill("#draft-text", good.replace("strategy: grouped\n", "strategy: grouped\nsampling: hot\n"))
    page.click("#draft-check")
    problem = page.locator("#draft-problems li")
    expect(problem).to_contain_text("line 9", timeout=WAIT)
    expect(problem).to_contain_text("sampling: Extra inputs are not permitted")
    expect(page.locator('#draft-gutter .bad[data-line="9"]')).to_have_count(1)
    page.fill("#draft-text", good)
    page.click("#draft-check")
    expect(page.locator("#draft-problems li")).to_have_count(0, timeout=WAIT)
    page.click("#draft-add")
    draft = page.locator("#variant-list .variant.draft input[type=checkbox]")
    expect(draft).to_be_checked(timeout=WAIT)
    draft_key = draft.get_attribute("value")
    assert draft_key is not None and draft_key.startswith("draft-")
    assert not (lab.prompts / "summarize-grouped" / "v5.md").exists(), "a draft writes nothing to prompts/"
    expect(page).to_have_url(re.compile(f"v={re.escape(BASE)},{re.escape(OTHER)},{draft_key}"))

    # 2. Run, 3. the matrix: every cell answered but the draft's failing article, which says why.
    page.click("#run")
    expect(page.locator("#run-status")).to_contain_text(f"{3 * len(SLUGS) - 1}/{3 * len(SLUGS)} answered", timeout=WAIT)
    wait_idle(page)
    expect(page.locator("#run-status")).to_contain_text("first cell")
    expect(page.locator("#run-status")).to_contain_text("1 failed")
    failed = page.locator(f'#matrix-body tr[data-slug="{FAILING}"] td[data-variant="{draft_key}"] .state-error')
    expect(failed).to_have_text("failed")
    assert "500" in (failed.get_attribute("title") or ""), "a failed article says why"
    assert cell(page, "wikinews-worship", draft_key).startswith("1.00")
    cost = re.compile(r"^[\d.]+k? · \d+ · [\d.]+ s$")  # tokens · calls · seconds, per variant and per cell
    expect(page.locator(f'#matrix-head th.cost[data-variant="{draft_key}"]')).to_have_text(cost)
    expect(page.locator('#matrix-body tr[data-slug="wikinews-worship"] td.cost').last).to_have_text(cost)
    expect(page.locator(f'#compare table[data-compare="{draft_key}"] tr[data-metric="parties F1"]')).to_be_visible()

    # Filter to regressions: the articles the draft answers worse, and the one it failed.
    page.check("#only-regressions")
    expect(page.locator("#matrix-body tr[data-slug]")).to_have_count(len(DRAFT_HURTS) + 1)
    assert sorted(rows(page)) == sorted([*DRAFT_HURTS, FAILING])
    expect(page).to_have_url(re.compile("only=regressions"))
    worse = page.locator(f'#matrix-body tr[data-slug="{KNOWN_MISS[0]}"] td.reg[data-variant="{draft_key}"]')
    expect(worse).to_have_attribute("data-field", "parties")
    page.check("#only-differences")  # grouped@3 answers as grouped@4 does: only the draft differs
    expect(page.locator("#matrix-count")).to_have_text(
        f"{len(DRAFT_HURTS) + 1} of {len(SLUGS)} articles (only differences)"
    )
    page.check("#only-regressions")

    # 4. The article: the draft beside the baseline, a known miss and a known false positive on their spans.
    page.click(f'#matrix-body tr[data-slug="{KNOWN_MISS[0]}"] td.article')
    expect(page.locator("#article-title")).to_have_text(KNOWN_MISS[0])
    page.select_option("#right", draft_key)
    expect(page.locator('.pane[data-side="right"]')).to_have_attribute("data-variant", draft_key)
    expect(page).to_have_url(re.compile(f"article={KNOWN_MISS[0]}.*right={draft_key}"))
    text = load_gold(lab.gold, pattern=KNOWN_MISS[0])[0].text
    field, name = KNOWN_MISS[1], KNOWN_MISS[2]
    missed = marked(page, "right", f"{field}:missed")
    assert missed.count(name) == text.count(name), "the missed party is drawn at every place the article names it"
    wrong = marked(page, "right", f"{KNOWN_FALSE_POSITIVE[1]}:fp")
    assert wrong and set(wrong) == {KNOWN_FALSE_POSITIVE[2]}, wrong
    assert marked(page, "left", f"{field}:missed") == [] and marked(page, "left", f"{field}:fp") == []
    fp_span = page.locator(f'.pane[data-side="right"] .text [data-v~="{KNOWN_FALSE_POSITIVE[1]}:fp"]').first
    assert "n-fp" in (fp_span.get_attribute("class") or "") and "differs" in (fp_span.get_attribute("class") or "")
    miss_span = page.locator(f'.pane[data-side="right"] .text [data-v~="{field}:missed"]').first
    assert "n-missed" in (miss_span.get_attribute("class") or "")
    expect(page.locator("#diff-count")).to_contain_text("differ")
    for words in ("correct", "optional", "false positive", "missed", "dropped", "wrong speaker", "differs"):
        expect(page.locator("#legend")).to_contain_text(words)  # the page explains each colour

    # A link reproduces the view.
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    expect(page.locator("#article-title")).to_have_text(KNOWN_MISS[0], timeout=WAIT)
    expect(page.locator('.pane[data-side="right"]')).to_have_attribute("data-variant", draft_key)
    expect(page.locator(f'.pane[data-side="right"] .text [data-v~="{field}:missed"]').first).to_be_visible()

    # Re-run one article (cached: no model call), then retry the failed one alone (it now succeeds).
    calls = lab.upstream.calls
    page.click("#article-rerun")
    expect(page.locator("#run-status")).to_contain_text("first cell", timeout=WAIT)
    wait_idle(page)
    assert lab.upstream.calls == calls, "an unchanged case costs nothing"
    page.keyboard.press("Escape")
    expect(page.locator("#matrix-panel")).to_be_visible()
    lab.model.broken_for_drafts.clear()
    page.click(f'#matrix-body tr[data-slug="{FAILING}"] button.retry')
    expect(page.locator("#run-status")).to_contain_text("0 failed", timeout=WAIT)
    wait_idle(page)
    assert lab.upstream.calls > calls, "the failed article asked the model again"
    expect(failed).to_have_count(0)
    page.check('input[name="only"][value=""]')
    expect(page.locator("#matrix-body tr[data-slug]")).to_have_count(len(SLUGS))

    # 5. Keep: the draft as prompts/summarize-grouped/v5.md, shown as a diff first, never overwriting.
    page.click("#draft-box summary")  # closed again since the page was reloaded from the link
    page.select_option("#save-which", draft_key)
    page.click("#draft-plan")
    expect(page.locator("#draft-diff .add")).to_have_text(["+version: 5", f"+{DRAFT_RULE}"])
    expect(page.locator("#draft-diff .del")).to_have_text(["-version: 4"])
    target = lab.prompts / "summarize-grouped" / "v5.md"
    assert not target.exists(), "the diff comes before anything is written"
    page.click("#draft-save")
    expect(page.locator("#draft-saved")).to_contain_text(f"{NEXT} is released", timeout=WAIT)
    assert target.read_text(encoding="utf-8") == good
    expect(page.locator(f'#variant-list input[type=checkbox][value="{NEXT}"]')).to_be_checked()
    expect(page.locator(f'#matrix-head th[data-variant="{NEXT}"]').first).to_be_visible()
    assert cell(page, "wikinews-worship", NEXT).startswith("1.00"), "the saved version keeps the draft's answers"

    # Export one self-contained file, then open it from disk with every request refused.
    with page.expect_download() as download:
        page.click("#export")
    exported = tmp_path / "export.html"
    download.value.save_as(exported)
    context.close()

    offline = browser.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []

    def nothing(route: Route) -> None:
        if not route.request.url.startswith("file:"):
            requested.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    offline.route("**/*", nothing)
    view = offline.new_page()
    view.on("pageerror", lambda error: errors.append(str(error)))
    view.goto(exported.as_uri())
    expect(view.locator("#export-note")).to_be_visible()
    expect(view.locator("#matrix-body tr[data-slug]")).to_have_count(len(SLUGS))
    expect(view.locator(f'#compare table[data-compare="{NEXT}"]')).to_be_visible()
    expect(view.locator("#run")).to_be_hidden()
    view.click(f'#matrix-body tr[data-slug="{KNOWN_MISS[0]}"] td.article')
    view.select_option("#right", NEXT)
    wrong = view.locator(f'.pane[data-side="right"] .text [data-v~="{KNOWN_FALSE_POSITIVE[1]}:fp"]').all_inner_texts()
    assert wrong and set(wrong) == {KNOWN_FALSE_POSITIVE[2]}
    offline.close()

    assert requested == [], f"the exported file asked for {requested}"
    assert blocked == [], f"the lab asked the internet for {blocked}"
    assert errors == []
