"""The NLP pass of each distinct article once, run on every core, never on the event loop.

The pass (spaCy parse plus the candidate finders) costs ~0.1-0.3 s of CPU for a news article, far
more than everything else a summary does outside the model, and its result depends only on the
text, the pipeline and the sections (`find_candidates` is deterministic). So:

- **Once per article.** Passes are kept by `(sha256 of the text, pipeline, sections)` in a bounded
  LRU. Requests that repeat an article get the kept pass; requests for an article whose pass is
  running now join it (one pass, every caller awaits it). The kept `Candidates` are frozen
  dataclasses of tuples: sharing one between summaries is safe.
- **On every core.** With a process pool the parse and the finders run in worker processes, each of
  which loads the spaCy pipeline once (when it starts) and sends back only the `Candidates`. The
  serving process's event loop stays free for HTTP, and two articles parse at once on two cores.
  Without one (the CLI, evals, a pool of 0 workers), and while the workers are still starting or
  being replaced after one died, the pass runs in a worker thread, as before.

The pool is opened by `open_nlp_passes` (the app lifespan, `SUMMARIZER_NLP_WORKERS`) and shut down
with it. Workers come from a `forkserver`: forking the serving process itself (threads, sockets, an
event loop) is unsafe, and a fresh `spawn` per worker would import spaCy again each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass

from summarizer.text.article import Article
from summarizer.text.candidates import Candidates, Sections, candidates
from summarizer.text.nlp import DEFAULT_PIPELINE, PipelineMissing, load_pipeline

DEFAULT_MAX_ENTRIES = 64  # a pass of a news article is a few tens of KB; long articles make it more
_PassKey = tuple[str, str, tuple[tuple[int, int], ...]]


@dataclass
class PassCounts:
    """What the passes did: `run` passes computed, `reused` answered from the kept ones, `joined` a pass
    in flight; `threaded`, of the passes run, those run in a thread of this process (no pool yet, or none)."""

    run: int = 0
    reused: int = 0
    joined: int = 0
    threaded: int = 0


class NlpPasses:
    """The NLP pass (`Candidates`) of each distinct article, computed once and kept while it is recent.

    `pools` makes the process pool passes run on (see `open_nlp_passes`); it is called in a thread
    (starting workers waits for the fork server), once, and again for a new pool when a worker died
    (killed, out of memory) and broke the old one. None runs passes in a thread of this process.
    """

    def __init__(self, pools: Callable[[], Executor] | None = None, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.counts = PassCounts()
        self._pools = pools
        self._pool: asyncio.Future[Executor] | None = None
        self._kept: OrderedDict[_PassKey, Candidates] = OrderedDict()
        self._running: dict[_PassKey, asyncio.Future[Candidates]] = {}

    def start(self) -> None:
        """Start the workers now, in the background (the first pass would otherwise)."""
        if self._pools is not None and self._pool is None:
            self._pool = asyncio.ensure_future(asyncio.to_thread(self._pools))

    @property
    def pool(self) -> Executor | None:
        """The process pool once it has started; None before that, and when passes run in a thread."""
        starting = self._pool
        if starting is None or not starting.done() or starting.cancelled() or starting.exception() is not None:
            return None
        return starting.result()

    async def executor(self) -> Executor | None:
        """The process pool passes run on, once started; None when they run in a thread."""
        self.start()
        return None if self._pool is None else await asyncio.shield(self._pool)

    async def close(self) -> None:
        """Cancel the passes not started yet and join the workers (nothing to do without a pool)."""
        self._pools, starting, self._pool = None, self._pool, None
        if starting is not None:
            with contextlib.suppress(Exception):  # a pool that never started has nothing to shut down
                pool = await starting
                await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def candidates(
        self, article: Article, pipeline: str = DEFAULT_PIPELINE, sections: Sections = ()
    ) -> Candidates:
        """The pass over `article`: kept, joined while it runs, or run now off the event loop.

        A pass that fails (a missing pipeline) is not kept: every caller that joined it gets the error.
        """
        key: _PassKey = (hashlib.sha256(article.text.encode()).hexdigest(), pipeline, tuple(sections))
        if (found := self._kept.get(key)) is not None:
            self._kept.move_to_end(key)
            self.counts.reused += 1
            return found
        if (running := self._running.get(key)) is not None:
            self.counts.joined += 1
            return await asyncio.shield(running)  # one caller giving up never cancels the others' pass
        self.counts.run += 1
        future = asyncio.ensure_future(self._run(article.text, pipeline, key[2]))
        self._running[key] = future
        future.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(future)

    async def _run(self, text: str, pipeline: str, sections: Sections) -> Candidates:
        """In a worker process once the pool is up; until then (and without one) in a thread, as before.

        Workers take seconds to start (more on a busy machine): a request that comes first is not
        made to wait for them, nor to spend its deadline on it.
        """
        self.start()
        pool = self.pool
        if pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(pool, _pass, text, pipeline, sections)
            except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, this pass here
                if self.pool is pool:
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.start()
        self.counts.threaded += 1
        return await asyncio.to_thread(_pass, text, pipeline, sections)

    def _finished(self, key: _PassKey, done: asyncio.Future[Candidates]) -> None:
        self._running.pop(key, None)
        if done.cancelled() or done.exception() is not None:  # retrieved: every caller may have gone
            return
        self._kept[key] = done.result()
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)


def _pass(text: str, pipeline: str, sections: Sections) -> Candidates:
    """The whole pass where it runs (a worker process or thread); only the `Candidates` travel back."""
    return candidates(Article(text), pipeline, sections)


def _load_in_worker(pipeline: str) -> None:
    """Each worker process loads the pipeline once, when it starts, not on its first article.

    A pipeline that is not installed is not this function's to report: a failed initializer breaks
    the whole pool, while the pass itself raises `PipelineMissing` for the request that needs it.
    """
    with contextlib.suppress(PipelineMissing):
        load_pipeline(pipeline)


def _ready() -> int:
    return os.getpid()


def worker_count(configured: int | None) -> int:
    """Worker processes for the pass: as configured, else one per core this process may run on."""
    if configured is not None:
        return configured
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@asynccontextmanager
async def open_nlp_passes(
    workers: int | None,
    pipeline: str = DEFAULT_PIPELINE,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    *,
    warm: bool = True,
) -> AsyncIterator[NlpPasses]:
    """`NlpPasses` on a pool of `worker_count(workers)` processes (0: a thread), shut down on exit.

    With `warm`, the workers are started now and load the pipeline, without waiting for them:
    start-up is not held up by spaCy, and the first article waits only for what is not loaded yet.
    Without it (a service whose default prompt needs no NLP pass) they start with the first pass.
    On exit queued passes are cancelled and the workers are joined.
    """
    count = worker_count(workers)
    passes = NlpPasses(None if count <= 0 else functools.partial(_start_pool, count, pipeline), max_entries)
    if warm:
        passes.start()
    try:
        yield passes
    finally:
        await passes.close()


def _start_pool(count: int, pipeline: str) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["summarizer.text.passes"])  # spaCy imported once, in the fork server
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=_load_in_worker, initargs=(pipeline,))
    for _ in range(count):  # one at a time would start one worker; `count` at once start them all
        pool.submit(_ready)
    return pool
