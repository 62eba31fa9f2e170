"""`summarizer eval ...`: run prompts over the gold set, score saved outputs, compare two runs."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from summarizer.evals.aggregate import headline_json, table
from summarizer.evals.cache import OutputCache
from summarizer.evals.compare import Delta, compare
from summarizer.evals.config import DEFAULT_PATH, load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.predictions import read_predictions
from summarizer.evals.results import load_scores, score_all, write_results
from summarizer.evals.runner import CaseOutput, RunSpec, generate, pending
from summarizer.llm import LLMClient
from summarizer.prompts import PromptLibrary
from summarizer.service import ArticleIn, Summarizer, SummaryResponse
from summarizer.settings import Settings

eval_app = typer.Typer(help="Evaluate prompts and models against hand-labelled gold files.", no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True)

GOLD_DIR = Path("evals/gold")
UNUSED_URL = "http://127.0.0.1:9/v1"  # every case is cached; a call here would fail loudly


def _default_run_dir(prompt_ref: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return Path("runs") / f"{stamp}-{prompt_ref}"


async def _generate(
    settings: Settings,
    base_url: str,
    cases: list[GoldCase],
    prompt_ref: str,
    spec: RunSpec,
    run_dir: Path,
    cache: OutputCache,
) -> dict[str, CaseOutput]:
    llm = LLMClient(settings, base_url)
    summarizer = Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir))

    async def summarize(case: GoldCase) -> SummaryResponse:
        return await summarizer.summarize(ArticleIn(text=case.text), prompt_ref)

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, TextColumn("{task.fields[last]}"), console=err) as progress:
            task = progress.add_task("evaluating", total=len(cases), last="")

            def on_done(output: CaseOutput) -> None:
                how = "error" if output.error else "cached" if output.cached else f"{output.seconds:.0f}s"
                progress.update(task, advance=1, last=f"{output.article} ({how})")

            return await generate(cases, spec, summarize, cache, run_dir, on_done)
    finally:
        await llm.close()


@eval_app.command("run")
def run(
    prompt: Annotated[str | None, typer.Option(help="Prompt as id or id@version (default: the service's).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name sent upstream (default: SUMMARIZER_LLM_MODEL).")] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Articles in flight at once (keep 1 on the local model).")
    ] = 1,
    articles: Annotated[str, typer.Option(help="Globs over gold slugs, comma-separated, e.g. 'wikinews-*'.")] = "*",
    out: Annotated[Path | None, typer.Option(help="Run directory (default: runs/<timestamp>-<prompt>).")] = None,
    gold: Annotated[Path, typer.Option(help="Folder of gold files.")] = GOLD_DIR,
    config: Annotated[Path, typer.Option(help="Thresholds file.")] = DEFAULT_PATH,
) -> None:
    """Summarize every gold article (cached by article, prompt, model and schema), then score and report."""
    from summarizer.cli import guarded, llm_for, load_settings

    def body() -> None:
        settings = load_settings(llm_model=model)
        scoring = load_config(config).scoring
        library = PromptLibrary.load(settings.prompts_dir)
        chosen = library.get(prompt or settings.default_prompt)
        cases = load_gold(gold, pattern=articles)
        run_dir = out or _default_run_dir(chosen.ref)
        spec = RunSpec(prompt_hash=chosen.hash, model=settings.llm_model, concurrency=concurrency)
        started = time.monotonic()
        cache = OutputCache(settings.cache_dir / "eval-cache")
        if pending(cases, spec, cache, run_dir):
            with llm_for(settings) as base_url:
                outputs = asyncio.run(_generate(settings, base_url, cases, chosen.ref, spec, run_dir, cache))
        else:  # everything is cached: no model server to start
            outputs = asyncio.run(_generate(settings, UNUSED_URL, cases, chosen.ref, spec, run_dir, cache))
        meta = {
            "prompt": chosen.ref,
            "prompt_hash": chosen.hash,
            "model": settings.llm_model,
            "wall_seconds": round(time.monotonic() - started, 1),
            "model_seconds": round(sum(o.seconds for o in outputs.values() if not o.cached), 1),
            "cached": sum(o.cached for o in outputs.values()),
            "errors": {o.article: o.error for o in outputs.values() if o.error},
        }
        write_results(run_dir, cases, outputs, meta, console, scoring)

    guarded(body)


@eval_app.command("score")
def score(
    gold: Annotated[Path, typer.Option(help="Folder of gold files.")] = GOLD_DIR,
    predictions: Annotated[
        Path, typer.Option(help="Folder of <article-id>.json files in the API's summary shape.")
    ] = Path("."),
    config: Annotated[Path, typer.Option(help="Thresholds file.")] = DEFAULT_PATH,
) -> None:
    """Score saved predictions against gold, without calling any model."""
    from summarizer.cli import guarded

    def body() -> None:
        cases = load_gold(gold)
        found = read_predictions(predictions, [c.slug for c in cases])
        for slug in sorted({c.slug for c in cases} - set(found)):
            err.print(f"[yellow]warning:[/] no prediction for {slug}; scored as an empty summary")
        run, _ = score_all(cases, found, load_config(config).scoring, {"predictions": str(predictions)})
        console.print(table(run, title=f"scores · {predictions}"))
        print(headline_json(run))

    guarded(body)


def _cell(value: float | None, signed: bool = False) -> str:
    return "—" if value is None else f"{value:+.3f}" if signed else f"{value:.3f}"


def _delta_table(deltas: list[Delta], a: str, b: str) -> Table:
    grid = Table(title=f"{a} → {b} (paired bootstrap, 95% CI)")
    for column in ("metric", "A", "B", "Δ", "95% CI", ""):
        grid.add_column(column, justify="left" if column == "metric" else "right")
    for d in deltas:
        ci = "—" if d.low is None else f"[{d.low:+.3f}, {d.high:+.3f}]"
        grid.add_row(
            d.metric, _cell(d.a), _cell(d.b), _cell(d.delta, True), ci, "[red]REGRESSED[/]" if d.regressed else ""
        )
    return grid


@eval_app.command("compare")
def compare_runs(
    run_a: Annotated[Path, typer.Argument(help="Baseline run directory (or its scores.json).")],
    run_b: Annotated[Path, typer.Argument(help="Candidate run directory (or its scores.json).")],
    config: Annotated[Path, typer.Option(help="Thresholds file (margin, resamples, seed).")] = DEFAULT_PATH,
) -> None:
    """Per-field deltas of B against A; exits 1 when B regresses beyond the configured margin."""
    from summarizer.cli import fail, guarded

    def body() -> None:
        settings = load_config(config).compare
        deltas = compare(load_scores(run_a), load_scores(run_b), settings)
        console.print(_delta_table(deltas, run_a.name, run_b.name))
        regressed = [d.metric for d in deltas if d.regressed]
        print(json.dumps({"regressed": regressed, "deltas": {d.metric: d.delta for d in deltas}}))
        if regressed:
            raise fail(f"regression beyond margin {settings.margin}: {', '.join(regressed)}")

    guarded(body)
