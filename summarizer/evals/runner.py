"""Generate model outputs for gold articles: cached, resumable, written the moment each arrives.

A run directory holds `outputs.jsonl` (one line per article, appended as answers come in) and
`predictions/<slug>.json` (the bare `summary`, the shape `eval score` reads). Restarting with the same
`--out` skips what the file already holds; a new directory still costs nothing for cached cases.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from summarizer.errors import SummarizerError
from summarizer.evals.cache import OutputCache, cache_key
from summarizer.evals.gold import GoldCase
from summarizer.schemas import SCHEMA_VERSION
from summarizer.service import SummaryResponse

OUTPUTS = "outputs.jsonl"
PREDICTIONS = "predictions"


class CaseOutput(BaseModel):
    """What one article produced: a response, or the error that stopped it."""

    article: str
    cached: bool
    seconds: float
    response: SummaryResponse | None = None
    error: str | None = None


@dataclass(frozen=True)
class RunSpec:
    prompt_hash: str
    model: str
    concurrency: int = 1


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
    with (run_dir / OUTPUTS).open("a", encoding="utf-8") as file:
        file.write(output.model_dump_json() + "\n")
    if output.response is not None:
        folder = run_dir / PREDICTIONS
        folder.mkdir(exist_ok=True)
        summary = output.response.summary.model_dump(mode="json")
        (folder / f"{output.article}.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


def pending(cases: list[GoldCase], spec: RunSpec, cache: OutputCache, run_dir: Path) -> list[GoldCase]:
    """The cases that would need a model call: neither in the run directory nor in the cache."""
    done = {slug for slug, out in read_outputs(run_dir).items() if out.response is not None}
    return [
        c for c in cases
        if c.slug not in done and cache.get(cache_key(c.text, spec.prompt_hash, spec.model, SCHEMA_VERSION)) is None
    ]  # fmt: skip


async def generate(
    cases: list[GoldCase],
    spec: RunSpec,
    summarize: Summarize,
    cache: OutputCache,
    run_dir: Path,
    on_done: OnDone = lambda _: None,
) -> dict[str, CaseOutput]:
    """An output per case, calling `summarize` only for articles neither the run nor the cache holds."""
    done = {slug: out for slug, out in read_outputs(run_dir).items() if out.response is not None}
    gate = asyncio.Semaphore(spec.concurrency)

    async def one(case: GoldCase) -> CaseOutput:
        if case.slug in done:
            output = done[case.slug]
            on_done(output)
            return output
        key = cache_key(case.text, spec.prompt_hash, spec.model, SCHEMA_VERSION)
        started = time.monotonic()
        cached = cache.get(key)
        if cached is not None:
            output = CaseOutput(article=case.slug, cached=True, seconds=0.0, response=cached)
        else:
            async with gate:
                started = time.monotonic()
                try:
                    response = await summarize(case)
                except SummarizerError as exc:
                    output = CaseOutput(
                        article=case.slug, cached=False, seconds=time.monotonic() - started, error=exc.detail
                    )
                else:
                    cache.put(key, response)
                    output = CaseOutput(
                        article=case.slug, cached=False, seconds=time.monotonic() - started, response=response
                    )
        _record(run_dir, output)
        on_done(output)
        return output

    results = await asyncio.gather(*(one(case) for case in cases))
    return {output.article: output for output in results}
