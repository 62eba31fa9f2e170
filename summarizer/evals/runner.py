"""Generate model outputs for gold articles: cached, resumable, written the moment each arrives.

A run directory holds `outputs.jsonl` (one line per article, appended as answers come in) and
`predictions/<slug>.json` (the bare `summary`, the shape `eval score` reads). Restarting with the same
`--out` skips what the file already holds (unless the cache is not to be read: `--no-cache` asks the
model for every article); a new directory still costs nothing for cached cases. Answers are cached by
their fingerprint (summarizer.fingerprint): a change of prompt, draft schema, strategy code, model,
sampling setting or upstream is a new key.

An answer with `meta.incomplete` (the rules' fallback after the model timed out or answered badly, a
window that failed, a passed deadline) is not the prompt's answer: it is never cached, never resumed
from, gets no `predictions/<slug>.json`, and the CLI counts it as an error. A cache written before
this rule may still hold one; it is read as a miss.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from summarizer.cache.files import AnswerCache
from summarizer.errors import SummarizerError
from summarizer.evals.gold import GoldCase
from summarizer.fingerprint import AnswerSpec
from summarizer.local_model.fetch import Progress
from summarizer.runtime import open_upstream
from summarizer.service import ArticleIn, SummaryResponse, build_summarizer
from summarizer.settings import Settings

OutputCache = AnswerCache[SummaryResponse]


def output_cache(folder: Path) -> OutputCache:
    """The eval runs' answer cache in `folder` (`<cache_dir>/eval-cache` by default)."""
    return AnswerCache(folder, SummaryResponse)


OUTPUTS = "outputs.jsonl"
PREDICTIONS = "predictions"


class CaseOutput(BaseModel):
    """What one article produced: a response, or the error that stopped it."""

    article: str
    cached: bool
    seconds: float
    response: SummaryResponse | None = None
    error: str | None = None
    problem: str | None = None  # the error's problem slug, e.g. `deadline-exceeded`
    fingerprint: str | None = None

    @property
    def incomplete(self) -> str | None:
        """What the answer left to a fallback (`meta.incomplete`), as one line; None for a complete answer."""
        if self.response is None or not self.response.meta.incomplete:
            return None
        return incomplete_detail(self.response)

    @property
    def complete(self) -> bool:
        """An answer the model gave in full: the only kind that is cached, resumed from and scored."""
        return self.response is not None and not self.response.meta.incomplete


def incomplete_detail(response: SummaryResponse) -> str:
    """`meta.incomplete` as one line: `incomplete answer: parties, summary (timeout: ...)`."""
    groups: dict[str, list[str]] = {}
    for item in response.meta.incomplete:
        groups.setdefault(item.reason, []).append(item.field)
    parts = [f"{', '.join(fields)} ({reason})" if reason else ", ".join(fields) for reason, fields in groups.items()]
    return "incomplete answer: " + "; ".join(parts)


@dataclass(frozen=True)
class RunSpec:
    """How a run answers: the fingerprint parts it shares, and how it uses the cache."""

    answer: AnswerSpec
    concurrency: int = 1
    use_cache: bool = True  # False (--no-cache): never read the cache; fresh answers are still stored
    repeat: int = 1  # repeat k > 1 of `--repeat K` has cache entries of its own, or it would only re-read the first

    def key(self, case: GoldCase) -> str:
        key = self.answer.fingerprint(case.text).key
        return key if self.repeat == 1 else hashlib.sha256(f"{key}#repeat{self.repeat}".encode()).hexdigest()

    def cached(self, cache: OutputCache, case: GoldCase) -> SummaryResponse | None:
        """The cached answer, if the cache may be read and holds a complete one (an incomplete one is a miss)."""
        found = cache.get(self.key(case)) if self.use_cache else None
        return found if found is not None and not found.meta.incomplete else None

    def resumed(self, run_dir: Path) -> dict[str, CaseOutput]:
        """The complete answers a run directory already holds, unless the cache is not to be read (--no-cache)."""
        if not self.use_cache:
            return {}
        return {slug: out for slug, out in read_outputs(run_dir).items() if out.complete}


Summarize = Callable[[GoldCase], Awaitable[SummaryResponse]]
OnDone = Callable[[CaseOutput], None]


def read_outputs(run_dir: Path) -> dict[str, CaseOutput]:
    """The latest output per article in a run directory (created if new); the last line for an article wins."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / OUTPUTS
    found: dict[str, CaseOutput] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                output = CaseOutput.model_validate_json(line)
                found[output.article] = output
    return found


def _record(run_dir: Path, output: CaseOutput) -> None:
    """Append the output; a complete answer becomes the article's prediction, anything else removes it.

    An older prediction left in place would be scored by `eval score` as this run's answer.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    with (run_dir / OUTPUTS).open("a", encoding="utf-8") as file:
        file.write(output.model_dump_json() + "\n")
    path = run_dir / PREDICTIONS / f"{output.article}.json"
    if output.response is not None and output.complete:
        path.parent.mkdir(exist_ok=True)
        summary = output.response.summary.model_dump(mode="json")
        path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def pending(cases: list[GoldCase], spec: RunSpec, cache: OutputCache, run_dir: Path) -> list[GoldCase]:
    """The cases that would need a model call: neither in the run directory nor in the cache."""
    done = spec.resumed(run_dir)
    return [c for c in cases if c.slug not in done and spec.cached(cache, c) is None]


async def generate(
    cases: list[GoldCase],
    spec: RunSpec,
    summarize: Summarize,
    cache: OutputCache,
    run_dir: Path,
    on_done: OnDone = lambda _: None,
    redo: Collection[str] = (),
) -> dict[str, CaseOutput]:
    """An output per case, calling `summarize` only for articles neither the run nor the cache holds complete.

    `redo`: articles answered again even though the run directory holds an answer (the lab's re-run of
    one article; with `spec.use_cache` the cache still answers them).
    """
    done = {slug: out for slug, out in spec.resumed(run_dir).items() if slug not in redo}
    gate = asyncio.Semaphore(spec.concurrency)

    async def one(case: GoldCase) -> CaseOutput:
        if case.slug in done:
            output = done[case.slug]
            on_done(output)
            return output
        key = spec.key(case)
        started = time.monotonic()
        cached = spec.cached(cache, case)
        if cached is not None:
            output = CaseOutput(article=case.slug, cached=True, seconds=0.0, response=cached, fingerprint=key)
        else:
            async with gate:
                started = time.monotonic()
                try:
                    response = await summarize(case)
                except SummarizerError as exc:
                    output = CaseOutput(
                        article=case.slug, cached=False, seconds=time.monotonic() - started, error=exc.detail,
                        problem=exc.slug, fingerprint=key,
                    )  # fmt: skip
                else:
                    if not response.meta.incomplete:  # a fallback is not the prompt's answer: ask again next time
                        cache.put(key, response)
                    output = CaseOutput(
                        article=case.slug, cached=False, seconds=time.monotonic() - started, response=response,
                        fingerprint=key,
                    )  # fmt: skip
        _record(run_dir, output)
        on_done(output)
        return output

    results = await asyncio.gather(*(one(case) for case in cases))
    return {output.article: output for output in results}


async def _no_call(case: GoldCase) -> SummaryResponse:
    raise AssertionError(f"{case.slug} was cached, yet a model call was attempted")


async def run_eval(
    settings: Settings,
    cases: list[GoldCase],
    prompt_ref: str,
    spec: RunSpec,
    cache: OutputCache,
    run_dir: Path,
    on_done: OnDone = lambda _: None,
    *,
    progress: Progress | None = None,
    announce: Callable[[str], None] = lambda _message: None,
) -> dict[str, CaseOutput]:
    """Answer every case, opening the upstream (or starting the local model) only when one needs a call."""
    if not pending(cases, spec, cache, run_dir):
        return await generate(cases, spec, _no_call, cache, run_dir, on_done)
    async with open_upstream(settings, progress=progress, announce=announce) as upstream:
        summarizer = build_summarizer(settings, upstream.llm)

        async def summarize(case: GoldCase) -> SummaryResponse:
            return await summarizer.summarize(ArticleIn(text=case.text), prompt_ref)

        return await generate(cases, spec, summarize, cache, run_dir, on_done)
