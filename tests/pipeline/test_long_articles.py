"""Long articles: read in windows, merged into one summary, against the scripted upstream over real HTTP.

The model is played by a responder that lists the capitalised name pairs of the window it was
shown (full names in odd windows, surnames alone in even ones, as a model reading a later part of a
story would), so merging across windows is tested on what a real answer looks like.
"""

from __future__ import annotations

import re
from typing import Any, TypeAlias

from litestar import Litestar
from litestar.testing import AsyncTestClient

from summarizer.api.app import create_app
from summarizer.evals.aggregate import aggregate
from summarizer.evals.gold import join_cases, load_gold
from summarizer.evals.scoring import ScoringConfig, score_article
from summarizer.schemas import Summary
from summarizer.settings import Settings
from summarizer.text.names import name_key
from summarizer.text.windows import plan
from tests.support.fake_upstream import FakeUpstream, Reply, tool_call
from tests.support.scripts import ROOT, long_article

Client: TypeAlias = AsyncTestClient[Litestar]
NAME = re.compile(r"\b([A-Z][a-z]{2,}) ([A-Z][a-z]{3,})\b")
DIGEST = "summaries of consecutive parts"


def shown(request: dict[str, Any]) -> str:
    system: str = request["messages"][0]["content"]
    return system.rsplit("<article>", 1)[-1].rsplit("</article>", 1)[0]


def reader(fail: str | None = None, reads: int | None = None) -> Any:
    """A model that names the people of the window it reads (of its first `reads` characters only,
    if given); it answers broken JSON for the window that starts with `fail`. Calls run
    concurrently, so `window` counts calls, not windows."""
    seen: list[int] = []

    def respond(request: dict[str, Any]) -> Reply:
        if DIGEST in request["messages"][-1]["content"]:
            return tool_call({"headline": "The whole long story", "summary": "Parts one to many, digested."})
        seen.append(len(seen))
        window = seen[-1]
        if fail and shown(request).lstrip().startswith(fail):
            return tool_call('{"broken": ')
        pairs = list(dict.fromkeys(NAME.findall(shown(request)[:reads])))[:6]
        names = [f"{a} {b}" if window % 2 == 0 else b for a, b in pairs]
        return tool_call(
            {
                "headline": f"Part {window}",
                "summary": f"What part {window} says.",
                "parties": [{"name": n, "kind": "person", "role": "named"} for n in names],
            }
        )

    return respond


def hybrid(settings: Settings) -> Settings:
    return settings.model_copy(update={"default_prompt": "summarize-hybrid@2", "request_deadline_s": 60.0})


async def summarize(settings: Settings, text: str) -> dict[str, Any]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/v1/summaries", json={"article": {"text": text}})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_a_100k_article_is_read_in_windows_and_merged(settings: Settings, upstream: FakeUpstream) -> None:
    text = long_article(100_000)
    upstream._responder = reader()
    data = await summarize(hybrid(settings), text)
    summary, meta = data["summary"], data["meta"]
    windows = [r for r in upstream.requests if DIGEST not in r["messages"][-1]["content"]]
    assert len(windows) >= 100_000 // 6_000  # windows of at most window_chars
    assert len(upstream.requests) == len(windows) + 1  # and one digest
    assert meta["attempts"] == len(upstream.requests) and not meta["incomplete"]
    assert summary["headline"] == "The whole long story"  # from the digest, not the first window
    digest = shown(upstream.requests[-1])
    assert [int(n) for n in re.findall(r"^Part (\d+): Part \d+$", digest, re.MULTILINE)] == list(
        range(1, len(windows) + 1)
    )
    # Every quotation's span is exact, including those in overlaps and repeated passages.
    assert len(summary["quotes"]) > 100
    spans = [(q["start"], q["end"]) for q in summary["quotes"]]
    assert len(spans) == len(set(spans))
    for quote in summary["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
    # One party per name across windows, its mentions from every part of the article.
    keys = [name_key(p["name"]) for p in summary["parties"]]
    assert len(keys) == len(set(keys))
    for party in summary["parties"]:
        for span in party["mentions"]:
            assert text[span["start"] : span["end"]].casefold() in {
                n.casefold() for n in [party["name"], *party["aliases"]]
            } | {party["name"].split()[-1].casefold()}
    wide = [p for p in summary["parties"] if p["mentions"][-1]["start"] - p["mentions"][0]["start"] > 50_000]
    assert wide, "a party named in several windows keeps the mentions of all of them"
    surnames_alone = {p["name"] for p in summary["parties"] if " " not in p["name"]}
    full_names = {p["name"].split()[-1] for p in summary["parties"] if " " in p["name"]}
    both = surnames_alone & full_names
    assert not both, [(p["name"], p["role"], p["aliases"]) for p in summary["parties"] if p["name"].split()[-1] in both]


async def test_a_window_that_stays_invalid_loses_only_its_part(settings: Settings, upstream: FakeUpstream) -> None:
    text = long_article(30_000)
    second = plan(text, 6_000, 800)[1]
    upstream._responder = reader(fail=second.text.lstrip()[:200])  # window 2's call and its re-ask
    data = await summarize(hybrid(settings), text)
    incomplete = {i["field"]: i["reason"] for i in data["meta"]["incomplete"]}
    assert set(incomplete) == {"summary", "parties"}
    assert incomplete["parties"].startswith("window 2 of ")
    assert data["summary"]["headline"] == "The whole long story"
    assert data["summary"]["parties"] and data["summary"]["quotes"]


async def test_a_one_call_prompt_names_its_limit_and_the_prompts_that_window(
    settings: Settings, upstream: FakeUpstream
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:  # summarize-grouped@4 reads in one call
        response = await client.post("/v1/summaries", json={"article": {"text": long_article(30_000)}})
    assert response.status_code == 413
    body = response.json()
    assert body["type"].endswith("/article-too-large") and "hybrid" in body["detail"] and body["limit"] < 30_000
    assert upstream.calls == 0


async def test_the_article_limit_is_a_size_not_the_context(settings: Settings, upstream: FakeUpstream) -> None:
    upstream._responder = reader()
    small = hybrid(settings).model_copy(update={"max_article_chars": 20_000})
    async with AsyncTestClient(app=create_app(small)) as client:
        too_big = await client.post("/v1/summaries", json={"article": {"text": long_article(20_001)[:20_001]}})
        fits = await client.post("/v1/summaries", json={"article": {"text": long_article(20_000)[:20_000]}})
    assert too_big.status_code == 413 and too_big.json()["limit"] == 20_000
    assert fits.status_code == 200, fits.text


async def test_the_context_comes_from_the_server_when_it_reports_it(settings: Settings, upstream: FakeUpstream) -> None:
    upstream.model_info = {"max_model_len": 4096}  # like vLLM's model list
    upstream._responder = reader()
    text = long_article(12_000)
    await summarize(hybrid(settings).model_copy(update={"window_chars": 100_000}), text)
    windows = [shown(r) for r in upstream.requests if DIGEST not in r["messages"][-1]["content"]]
    fits = (4096 - settings.llm_max_tokens - 1024) * 4
    assert len(windows) > 1 and all(len(w) <= fits + 200 for w in windows)


async def test_joined_gold_articles_score_like_their_parts(settings: Settings, upstream: FakeUpstream) -> None:
    """The rules over 13 gold articles joined (~40,000 characters, 7 windows) score within 0.05 F1 per
    field of the same articles summarized one by one: windowing loses nothing the rules find."""
    cases = load_gold(ROOT / "evals" / "gold")
    joined = join_cases(cases)
    rules = settings.model_copy(update={"default_prompt": "summarize-rules@1"})
    async with AsyncTestClient(app=create_app(rules)) as client:

        async def summary(text: str) -> Summary:
            response = await client.post("/v1/summaries", json={"article": {"text": text}})
            assert response.status_code == 200, response.text
            return Summary.model_validate(response.json()["summary"])

        one_by_one = aggregate([score_article(case, await summary(case.text)) for case in cases], ScoringConfig())
        together = aggregate([score_article(joined, await summary(joined.text))], ScoringConfig())
    assert upstream.calls == 0
    for name, parts in one_by_one.fields.items():
        mine, theirs = together.fields[name].micro.f1, parts.micro.f1  # None: nothing to find, nothing found
        assert (mine is None) == (theirs is None), (name, together.fields[name], parts)
        assert mine is None or theirs is None or mine >= theirs - 0.05, (name, together.fields[name], parts)


async def test_a_story_the_model_skips_keeps_the_rules_parties(settings: Settings, upstream: FakeUpstream) -> None:
    """Short stories share a window with the story before them, and a small model lists the first
    story's people only: a story none of the listed parties is named in gets the rules' parties."""
    cases = {c.slug: c for c in load_gold(ROOT / "evals" / "gold")}
    slugs = ["seed-belarus-talks", "wikinews-worship", "wikinews-stampede", "wikinews-asylum", "wikinews-flag"]
    text = join_cases([cases[s] for s in slugs]).text
    first = plan(text, 6_000, 800)[0]
    assert cases["wikinews-stampede"].text.strip() in first.text  # the two short stories joined the seed's window
    upstream._responder = reader(reads=1_500)
    parties = (await summarize(hybrid(settings), text))["summary"]["parties"]
    for slug in slugs:
        start = text.index(cases[slug].text)
        end = start + len(cases[slug].text)
        assert any(start <= m["start"] < end for p in parties for m in p["mentions"]), slug
    listed = {name_key(p["name"]) for p in parties}
    assert len(listed) == len(parties)


async def test_a_window_is_reasked_on_its_own_while_others_run(settings: Settings, upstream: FakeUpstream) -> None:
    """Four windows in flight: one window's bad first answer is re-asked once and then used (its attempt
    count is its own, not the request's), so nothing is incomplete."""
    text = long_article(30_000)
    second = plan(text, 6_000, 800)[1].text.lstrip()[:200]
    honest = reader()
    failed: list[int] = []

    def respond(request: dict[str, Any]) -> Reply:
        if shown(request).lstrip().startswith(second) and not failed:
            failed.append(1)
            return tool_call('{"broken": ')
        reply: Reply = honest(request)
        return reply

    upstream._responder = respond
    data = await summarize(hybrid(settings).model_copy(update={"window_concurrency": 4}), text)
    assert failed and data["meta"]["reasks"] == 1 and not data["meta"]["incomplete"]


async def test_a_pinned_prompt_without_a_digest_keeps_its_one_call(settings: Settings, upstream: FakeUpstream) -> None:
    upstream._responder = reader()
    pinned = settings.model_copy(update={"default_prompt": "summarize-hybrid@1"})
    data = await summarize(pinned, long_article(12_000)[:12_000])
    assert upstream.calls == 1 and not data["meta"]["incomplete"]
