"""The NLP pass of each distinct article once: kept, joined while it runs, and run in worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from summarizer.text.article import Article
from summarizer.text.candidates import candidates
from summarizer.text.nlp import PipelineMissing
from summarizer.text.passes import NlpPasses, open_nlp_passes

ARTICLE = (Path(__file__).resolve().parents[2] / "evals" / "articles" / "seed-belarus-talks.txt").read_text()
OTHER = 'Maria Lopez, the mayor of Lyon, opened the new bridge on Monday. "It took ten years," she said.'


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_concurrent_requests_for_one_article_share_one_pass() -> None:
    passes = NlpPasses()
    found = await asyncio.gather(*(passes.candidates(Article(ARTICLE)) for _ in range(8)))
    assert (passes.counts.run, passes.counts.joined, passes.counts.reused) == (1, 7, 0)
    assert all(f is found[0] for f in found)
    assert found[0] == candidates(Article(ARTICLE))  # the same pass as parsing it here


async def test_a_repeated_article_is_answered_from_the_kept_pass() -> None:
    passes = NlpPasses()
    first = await passes.candidates(Article(ARTICLE))
    again = await passes.candidates(Article(str(ARTICLE)))  # another request: the same text, another object
    assert again is first
    assert (passes.counts.run, passes.counts.reused) == (1, 1)


async def test_pipeline_and_sections_are_part_of_what_is_kept() -> None:
    passes = NlpPasses()
    whole = await passes.candidates(Article(ARTICLE))
    pieces = await passes.candidates(Article(ARTICLE), sections=((0, 1200), (1200, len(ARTICLE))))
    assert passes.counts.run == 2
    assert pieces == candidates(Article(ARTICLE), sections=((0, 1200), (1200, len(ARTICLE))))
    assert pieces.parties == whole.parties  # entities are found over the whole text either way


async def test_the_kept_passes_are_bounded_least_recently_used_first() -> None:
    passes = NlpPasses(max_entries=2)
    texts = [OTHER, OTHER + " More.", OTHER + " Even more."]
    for text in texts:
        await passes.candidates(Article(text))
    await passes.candidates(Article(texts[2]))  # kept
    await passes.candidates(Article(texts[0]))  # dropped when the third came in: parsed again
    assert (passes.counts.run, passes.counts.reused) == (4, 1)


async def test_a_caller_that_gives_up_does_not_cancel_the_pass_for_the_others() -> None:
    passes = NlpPasses()
    quitter = asyncio.create_task(passes.candidates(Article(ARTICLE)))
    await asyncio.sleep(0)  # the pass has started
    stayer = asyncio.create_task(passes.candidates(Article(ARTICLE)))
    await asyncio.sleep(0)
    quitter.cancel()
    found = await stayer
    assert found.quotes and passes.counts.run == 1
    assert await passes.candidates(Article(ARTICLE)) is found  # and it was kept


async def test_a_failed_pass_is_not_kept_and_reaches_every_caller() -> None:
    passes = NlpPasses()
    results = await asyncio.gather(
        *(passes.candidates(Article(OTHER), "en_core_web_nonexistent") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, PipelineMissing) for r in results)
    with pytest.raises(PipelineMissing):
        await passes.candidates(Article(OTHER), "en_core_web_nonexistent")
    assert passes.counts.run == 2


async def test_the_pool_runs_passes_in_worker_processes_and_is_shut_down_on_exit() -> None:
    async with open_nlp_passes(2) as passes:
        pool = await passes.executor()
        assert isinstance(pool, ProcessPoolExecutor)
        found = await asyncio.gather(passes.candidates(Article(ARTICLE)), passes.candidates(Article(OTHER)))
        assert list(found) == [candidates(Article(ARTICLE)), candidates(Article(OTHER))]
        workers = set(pool._processes)
        assert len(workers) == 2 and os.getpid() not in workers
    assert (passes.counts.run, passes.counts.threaded) == (2, 0)
    assert not any(_alive(pid) for pid in workers)  # joined and reaped, not left behind
    assert await passes.executor() is None  # closed: nothing starts a new pool


async def test_a_worker_killed_mid_way_is_replaced_and_the_pass_still_answered() -> None:
    async with open_nlp_passes(1) as passes:
        pool = await passes.executor()
        assert isinstance(pool, ProcessPoolExecutor)
        await passes.candidates(Article(OTHER))  # the worker is up and has parsed once
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
        found = await passes.candidates(Article(ARTICLE))  # answered here while a new pool starts
        assert found == candidates(Article(ARTICLE))
        fresh = await passes.executor()
        assert isinstance(fresh, ProcessPoolExecutor) and fresh is not pool
        assert await passes.candidates(Article(OTHER + " Later.")) == candidates(Article(OTHER + " Later."))
    assert (passes.counts.run, passes.counts.threaded) == (3, 1)


async def test_a_missing_pipeline_is_reported_without_breaking_the_pool() -> None:
    async with open_nlp_passes(1, "en_core_web_nonexistent") as passes:
        with pytest.raises(PipelineMissing):
            await passes.candidates(Article(OTHER), "en_core_web_nonexistent")
        pool = await passes.executor()
        assert await passes.candidates(Article(OTHER)) == candidates(Article(OTHER))
        assert await passes.executor() is pool


async def test_zero_workers_keep_the_pass_in_a_thread() -> None:
    async with open_nlp_passes(0) as passes:
        assert await passes.executor() is None
        assert await passes.candidates(Article(OTHER)) == candidates(Article(OTHER))
    assert passes.counts.threaded == 1


async def test_a_pass_asked_before_the_workers_are_up_runs_in_a_thread() -> None:
    async with open_nlp_passes(1, warm=False) as passes:
        assert passes.pool is None
        assert await passes.candidates(Article(OTHER)) == candidates(Article(OTHER))
        assert passes.counts.threaded == 1
        assert isinstance(await passes.executor(), ProcessPoolExecutor)  # the first pass started them
        await passes.candidates(Article(ARTICLE))
    assert (passes.counts.run, passes.counts.threaded) == (2, 1)
