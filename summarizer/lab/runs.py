"""The lab's runs: one eval run directory per (gold set, variant), filled by the evals' own runner.

A *column* is one prompt variant over one gold set. Its answers come from `summarizer.evals.runner.generate`
(the fingerprint cache, the resumable `outputs.jsonl`, `predictions/`), its scores from
`summarizer.evals.results.score_all` and `aggregate`, and its comparison with another column from
`summarizer.evals.compare.compare`: the numbers are the ones `summarizer eval run` and `eval compare` print
for the same run directories (which the lab writes where `eval compare` can read them).

Nothing here blocks the event loop: model calls are awaited, gold loading, fingerprints, scoring and the
bootstrap run in a thread. Every change of a cell is published on an `EventLog` the page streams.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from summarizer.errors import InputError, PromptNotFound, SummarizerError
from summarizer.evals import report
from summarizer.evals.aggregate import RunScores, aggregate
from summarizer.evals.compare import Comparison, compare
from summarizer.evals.config import DEFAULT_PATH, EvalConfig, load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.results import score_all, write_scores
from summarizer.evals.runner import (
    CaseOutput,
    OutputCache,
    RunSpec,
    generate,
    output_cache,
    pending,
    read_outputs,
)
from summarizer.evals.scoring import FIELDS, ArticleScore
from summarizer.fingerprint import answer_spec, model_file_sha256
from summarizer.lab.drafts import DRAFT_PREFIX, Drafts
from summarizer.prompts import Prompt
from summarizer.schemas import ArticleIn, Summary, SummaryResponse
from summarizer.service import Summarizer
from summarizer.settings import Settings

log = logging.getLogger("summarizer.lab")

SummarizerFor = Callable[[Prompt], Awaitable[Summarizer]]
"""A summarizer that knows `prompt` (on the lab's upstream, opened the first time one is needed)."""

CellState = Literal["pending", "queued", "running", "done", "error", "cancelled"]


class Cell(BaseModel):
    """One article under one variant, as the matrix shows it."""

    state: CellState = "pending"
    cached: bool = False
    error: str | None = None
    f1: dict[str, float | None] = Field(default_factory=dict, description="Per field the gold covers.")
    counts: dict[str, tuple[int, int, int]] = Field(default_factory=dict, description="tp, fp, fn per field.")
    speaker: tuple[int, int] = (0, 0)
    fabricated: tuple[int, int] = (0, 0)
    tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    digest: str = ""


class Totals(BaseModel):
    """A variant over its answered articles: micro F1 per field as `eval run` reports it, and its cost."""

    cases: int
    answered: int
    failed: int
    running: bool
    complete: bool
    f1: dict[str, float | None]
    speaker_accuracy: float | None
    fabricated_rate: float | None
    tokens: int
    calls: int
    seconds: float


class Event(BaseModel):
    seq: int
    type: str
    data: dict[str, Any]


class EventLog:
    """Everything the page must hear, numbered; a reader resumes after the last number it saw."""

    KEEP = 20_000

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.seq = 0
        self._changed = asyncio.Event()

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        self.seq += 1
        self.events.append(Event(seq=self.seq, type=kind, data=data))
        del self.events[: max(0, len(self.events) - self.KEEP)]
        self._changed.set()
        self._changed = asyncio.Event()

    def since(self, after: int) -> list[Event] | None:
        """Events after `after`; None when the reader must reload: some were forgotten, or it heard another
        server (its number is ahead of this one's, after a restart)."""
        if after > self.seq or (self.events and after < self.events[0].seq - 1):
            return None
        return [e for e in self.events if e.seq > after]

    async def follow(
        self, after: int, keepalive_s: float = 10.0, lifetime_s: float = 30.0
    ) -> AsyncIterator[Event | None]:
        """Events as they come (None: nothing for a while, a keep-alive). Ends when the reader must reload, and
        after `lifetime_s` (the reader resumes from its last number), so no stream holds a server's shutdown."""
        ends = asyncio.get_running_loop().time() + lifetime_s
        while asyncio.get_running_loop().time() < ends:
            waiting = self._changed
            fresh = self.since(after)
            if fresh is None:
                yield Event(seq=self.seq, type="reset", data={})
                return
            for event in fresh:
                after = event.seq
                yield event
            if not fresh:
                try:
                    await asyncio.wait_for(waiting.wait(), keepalive_s)
                except TimeoutError:
                    yield None


@dataclass(frozen=True)
class GoldSet:
    id: str
    path: Path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9@._-]+", "-", text.lower()).strip("-") or "gold"


def _digest(score: ArticleScore) -> str:
    """What the scorer saw in one answer; two answers with the same digest differ in nothing it scores."""
    material: dict[str, Any] = {
        name: [sorted(r.matches), sorted(r.false_positives), sorted(r.misses)] for name, r in score.fields.items()
    }
    material["speakers"] = sorted((c.text, c.predicted or "", c.right) for c in score.speakers)
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:12]


def cell_of(output: CaseOutput, score: ArticleScore) -> Cell:
    response = output.response
    meta = response.meta if response else None
    return Cell(
        state="done" if response is not None else "error",
        cached=output.cached,
        error=output.error,
        f1={name: result.counts.f1 for name, result in score.fields.items()},
        counts={name: (r.counts.tp, r.counts.fp, r.counts.fn) for name, r in score.fields.items()},
        speaker=(score.speaker.hits, score.speaker.total),
        fabricated=(score.fabricated.hits, score.fabricated.total),
        tokens=meta.usage.prompt_tokens + meta.usage.completion_tokens if meta else 0,
        calls=meta.attempts if meta else 0,
        seconds=round(meta.latency_ms / 1000 if meta else output.seconds, 3),
        digest=_digest(score) if response is not None else "",
    )


@dataclass
class Column:
    """One variant over one gold set: an `eval run` directory and what the lab knows of it."""

    id: str
    variant: str
    gold: GoldSet
    prompt: Prompt
    spec: RunSpec
    run_dir: Path
    cases: list[GoldCase]
    outputs: dict[str, CaseOutput] = field(default_factory=dict)
    scores: dict[str, ArticleScore] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _run: RunScores | None = None

    @property
    def case(self) -> dict[str, GoldCase]:
        return {c.slug: c for c in self.cases}

    def run_scores(self, config: EvalConfig) -> RunScores:
        """The scores of the articles answered so far (all of them once complete), as `scores.json` holds them."""
        if self._run is None:
            answered = [self.scores[c.slug] for c in self.cases if c.slug in self.scores]
            meta = {
                "prompt": self.prompt.ref,
                "prompt_hash": self.prompt.hash,
                "variant": self.variant,
                "errors": {s.article: s.error for s in answered if s.error},
                "lab": True,
            }
            self._run = aggregate(answered, config.scoring, meta)
        return self._run

    def totals(self, config: EvalConfig) -> Totals:
        run = self.run_scores(config)
        answered = [self.cells[c.slug] for c in self.cases if self.cells.get(c.slug, Cell()).state in ("done", "error")]
        return Totals(
            cases=len(self.cases),
            answered=sum(c.state == "done" for c in answered),
            failed=sum(c.state == "error" for c in answered),
            running=any(not t.done() for t in self.tasks),
            complete=len(self.scores) == len(self.cases),
            f1={name: run.fields[name].micro.f1 if name in run.fields else None for name in FIELDS},
            speaker_accuracy=run.speaker_accuracy,
            fabricated_rate=run.fabricated_rate,
            tokens=sum(c.tokens for c in answered),
            calls=sum(c.calls for c in answered),
            seconds=round(sum(c.seconds for c in answered), 3),
        )


class Lab:
    """The lab's state: gold sets, drafts, columns and the event log; every run goes through the evals' runner."""

    def __init__(
        self,
        settings: Settings,
        summarizer_for: SummarizerFor,
        *,
        gold_dirs: Iterable[Path],
        prompts_dir: Path,
        runs_dir: Path,
        config: EvalConfig,
        cache: OutputCache,
    ) -> None:
        self.settings = settings
        self.summarizer_for = summarizer_for
        self.gold_sets = {str(path): GoldSet(str(path), path) for path in gold_dirs}
        self.drafts = Drafts(runs_dir / "drafts", prompts_dir)
        self.runs_dir = runs_dir
        self.config = config
        self.cache = cache
        self.events = EventLog()
        self.columns: dict[str, Column] = {}
        self.concurrency = settings.lab_concurrency or (1 if settings.uses_local_model else 4)
        self._gate: asyncio.Semaphore | None = None
        self._cases: dict[str, list[GoldCase]] = {}
        self._model_file: tuple[str | None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    @classmethod
    def build(
        cls,
        settings: Settings,
        summarizer_for: SummarizerFor,
        *,
        gold_dirs: Iterable[Path] | None = None,
        prompts_dir: Path | None = None,
        config_path: Path = DEFAULT_PATH,
    ) -> Lab:
        """A lab on `settings` (gold folders, runs folder), the eval thresholds and the eval answer cache."""
        return cls(
            settings,
            summarizer_for,
            gold_dirs=list(gold_dirs or settings.lab_gold_paths),
            prompts_dir=prompts_dir or settings.prompts_dir,
            runs_dir=settings.lab_runs_dir,
            config=load_config(config_path),
            cache=output_cache(settings.cache_dir / "eval-cache"),
        )

    # --- lookups --------------------------------------------------------------------------------
    def gold_set(self, gold: str) -> GoldSet:
        found = self.gold_sets.get(gold)
        if found is None:
            raise InputError(f"unknown gold set {gold!r}; known: {', '.join(self.gold_sets)}")
        return found

    async def cases(self, gold: GoldSet) -> list[GoldCase]:
        if gold.id not in self._cases:
            self._cases[gold.id] = await asyncio.to_thread(load_gold, gold.path)
        return self._cases[gold.id]

    def prompt(self, variant: str) -> Prompt:
        if variant.startswith(DRAFT_PREFIX):
            return self.drafts.get(variant)
        return self.drafts.library.get(variant) if "@" in variant else _unknown(variant)

    async def column(self, gold_id: str, variant: str) -> Column:
        """The column of `variant` over `gold_id`, read from its run directory the first time."""
        gold = self.gold_set(gold_id)
        prompt = self.prompt(variant)
        cases = await self.cases(gold)
        if self._model_file is None:
            self._model_file = (await asyncio.to_thread(model_file_sha256, self.settings),)
        spec = await asyncio.to_thread(answer_spec, self.settings, prompt, self._model_file[0])
        material = json.dumps({"gold": gold.id, "answer": spec.parts}, sort_keys=True)
        column_id = hashlib.sha256(material.encode()).hexdigest()[:16]
        if column_id not in self.columns:
            run_dir = self.runs_dir / _slug(gold.id) / f"{prompt.ref}-{column_id[:10]}"
            column = Column(
                id=column_id,
                variant=variant,
                gold=gold,
                prompt=prompt,
                spec=RunSpec(answer=spec, concurrency=self.concurrency),
                run_dir=run_dir,
                cases=cases,
            )
            outputs = await asyncio.to_thread(read_outputs, run_dir)
            scored = await asyncio.to_thread(self._score_many, column, list(outputs.values()))
            for output, score in scored:
                self._keep(column, output, score)
            self.columns[column_id] = column
        return self.columns[column_id]

    async def board(self, gold_id: str, variants: list[str]) -> list[Column]:
        if not variants:
            raise InputError("choose at least one variant")
        return [await self.column(gold_id, v) for v in dict.fromkeys(variants)]

    async def to_ask(self, column: Column) -> int:
        """How many of the column's articles would need the model (neither answered in it nor cached)."""
        return len(await asyncio.to_thread(pending, column.cases, column.spec, self.cache, column.run_dir))

    # --- scoring --------------------------------------------------------------------------------
    def _score_many(self, column: Column, outputs: list[CaseOutput]) -> list[tuple[CaseOutput, ArticleScore]]:
        """Scored exactly as `eval run` scores (`score_all`: an error is an empty summary plus its reason)."""
        by_slug = column.case
        known = [o for o in outputs if o.article in by_slug]
        if not known:
            return []
        cases = [by_slug[o.article] for o in known]
        summaries = {o.article: o.response.summary if o.response else None for o in known}
        run, _ = score_all(cases, summaries, self.config.scoring, outputs={o.article: o for o in known})
        return list(zip(known, run.articles, strict=True))

    def _keep(self, column: Column, output: CaseOutput, score: ArticleScore) -> None:
        column.outputs[output.article] = output
        column.scores[output.article] = score
        column.cells[output.article] = cell_of(output, score)
        column._run = None

    def _set(self, column: Column, slug: str, state: CellState) -> None:
        cell = column.cells.get(slug, Cell())
        column.cells[slug] = cell.model_copy(update={"state": state, "error": None if state != "error" else cell.error})
        self.events.publish("cell", {"column": column.id, "slug": slug, "cell": column.cells[slug].model_dump()})

    def _restore(self, column: Column, slug: str) -> None:
        """After a cancel: the answer the run directory holds, or `cancelled`."""
        if slug in column.outputs:
            column.cells[slug] = cell_of(column.outputs[slug], column.scores[slug])
            self.events.publish("cell", {"column": column.id, "slug": slug, "cell": column.cells[slug].model_dump()})
        else:
            self._set(column, slug, "cancelled")

    def _publish_totals(self, column: Column) -> None:
        self.events.publish("column", {"column": column.id, "totals": column.totals(self.config).model_dump()})

    # --- running --------------------------------------------------------------------------------
    def _gate_for_calls(self) -> asyncio.Semaphore:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.concurrency)  # shared by every column: one model, one budget
        return self._gate

    def start(self, columns: list[Column], slugs: list[str] | None = None, *, fresh: bool = False) -> int:
        """Answer `slugs` (all articles when None) in every column, in the background; returns the cells queued.

        A first run skips what the run directory holds (as `eval run` resumes); naming articles re-runs them.
        The cache answers unless `fresh` (then the model is asked again and its answer stored, as --no-cache).
        """
        queued = 0
        for column in columns:
            wanted = [c for c in column.cases if slugs is None or c.slug in slugs]
            if slugs is not None and not wanted:
                raise InputError(f"no article {', '.join(slugs)} in {column.gold.id}")
            redo = {c.slug for c in wanted} if slugs is not None or fresh else set()
            for case in wanted:
                if case.slug in redo or column.cells.get(case.slug, Cell()).state not in ("done",):
                    self._set(column, case.slug, "queued")
                    queued += 1
            task = asyncio.create_task(self._run(column, wanted, redo, fresh))
            column.tasks.add(task)
            task.add_done_callback(lambda done, column=column: self._ended(column, done))  # type: ignore[misc]
            self._publish_totals(column)
        return queued

    def _ended(self, column: Column, task: asyncio.Task[None]) -> None:
        column.tasks.discard(task)
        self._publish_totals(column)  # `running` is false once the last task is gone

    async def _run(self, column: Column, cases: list[GoldCase], redo: set[str], fresh: bool) -> None:
        scoring: set[asyncio.Task[None]] = set()
        try:
            async with column.lock:
                summarizer = None

                async def summarize(case: GoldCase) -> SummaryResponse:
                    nonlocal summarizer
                    async with self._gate_for_calls():
                        self._set(column, case.slug, "running")
                        if summarizer is None:
                            summarizer = await self.summarizer_for(column.prompt)
                        try:
                            return await summarizer.summarize(ArticleIn(text=case.text), column.prompt.ref)
                        except SummarizerError:
                            raise
                        except Exception as exc:  # a bug must fail one cell with its reason, not the whole run
                            log.exception("lab: %s on %s failed", column.prompt.ref, case.slug)
                            raise SummarizerError(f"internal error: {exc!r}") from exc

                def on_done(output: CaseOutput) -> None:
                    task = asyncio.create_task(self._finish(column, output))
                    scoring.add(task)

                spec = replace(column.spec, use_cache=not fresh)
                await generate(cases, spec, summarize, self.cache, column.run_dir, on_done, redo=redo)
                await asyncio.gather(*scoring)
                if len(column.scores) == len(column.cases):
                    await asyncio.to_thread(self._write_run, column)
        except asyncio.CancelledError:
            for task in scoring:
                task.cancel()
            for case in cases:
                if column.cells.get(case.slug, Cell()).state in ("queued", "running"):
                    self._restore(column, case.slug)
            raise

    async def _finish(self, column: Column, output: CaseOutput) -> None:
        if column.outputs.get(output.article) != output:  # an answer the run directory held is scored already
            [(output, score)] = await asyncio.to_thread(self._score_many, column, [output])
            self._keep(column, output, score)
        else:
            column.cells[output.article] = cell_of(output, column.scores[output.article])
        self.events.publish(
            "cell", {"column": column.id, "slug": output.article, "cell": column.cells[output.article].model_dump()}
        )
        self._publish_totals(column)

    def _write_run(self, column: Column) -> None:
        """`scores.json`, `report.md` and `report.html` beside `outputs.jsonl`, as `eval run` writes them.

        From the scores kept per article (each made by `score_all`, aggregated by the same `aggregate`), so a
        re-run of one article does not score the other hundred again.
        """
        run = column.run_scores(self.config)
        empty = Summary.model_construct(headline="", summary="")  # what `score_all` scores a failed article as
        filled = {slug: o.response.summary if o.response else empty for slug, o in column.outputs.items()}
        write_scores(column.run_dir, run)
        (column.run_dir / "report.md").write_text(report.markdown(run), encoding="utf-8")
        (column.run_dir / "report.html").write_text(report.html(run, column.cases, filled), encoding="utf-8")

    def cancel(self, columns: list[Column]) -> int:
        cancelled = 0
        for column in columns:
            for task in list(column.tasks):
                cancelled += task.cancel()
        return cancelled

    async def comparison(self, a: Column, b: Column) -> Comparison:
        """`eval compare` of two columns (the paired bootstrap over the articles both answered)."""
        run_a, run_b = a.run_scores(self.config), b.run_scores(self.config)
        if not run_a.articles or not run_b.articles:
            raise InputError("both variants need answered articles to be compared")
        return await asyncio.to_thread(compare, run_a, run_b, self.config.compare)

    async def close(self) -> None:
        tasks = [t for c in self.columns.values() for t in c.tasks]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _unknown(variant: str) -> Prompt:
    raise PromptNotFound(f"unknown variant {variant!r}: give a prompt as id@version, or a draft key")
