"""`summarizer eval ...`: run prompts over gold files, score saved outputs, compare runs, import a corpus.

Every command fails loudly: a run with a failed article, a comparison with an article missing from
one side or a regression exits non-zero, so CI cannot pass on a run that did not happen.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from summarizer.cli.common import err, fail, guarded, load_settings, prepare_model
from summarizer.evals.paths import DEFAULT_PATH, GOLD_DIR

if TYPE_CHECKING:  # the evals are imported by the commands that run them: `--help` must not load scipy
    from rich.table import Table

    from summarizer.evals.aggregate import RunScores
    from summarizer.evals.compare import Comparison
    from summarizer.evals.gold import GoldCase
    from summarizer.evals.runner import CaseOutput, RunSpec
    from summarizer.settings import Settings

eval_app = typer.Typer(help="Evaluate prompts and models against hand-labelled gold files.", no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 120)


def _default_run_dir(prompt_ref: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return Path("runs") / f"{stamp}-{prompt_ref}"


def _one_run(
    settings: Settings, cases: list[GoldCase], prompt_ref: str, spec: RunSpec, run_dir: Path
) -> dict[str, CaseOutput]:
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from summarizer.evals.runner import output_cache, run_eval

    cache = output_cache(settings.cache_dir / "eval-cache")
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.fields[last]}"), console=err) as progress:
        task = progress.add_task("evaluating", total=len(cases), last="")

        def on_done(output: CaseOutput) -> None:
            how = "error" if output.error else "cached" if output.cached else f"{output.seconds:.0f}s"
            progress.update(task, advance=1, last=f"{output.article} ({how})")

        return asyncio.run(run_eval(settings, cases, prompt_ref, spec, cache, run_dir, on_done))


@eval_app.command("run")
def run(
    prompt: Annotated[str | None, typer.Option(help="Prompt as id or id@version (default: the service's).")] = None,
    model: Annotated[str | None, typer.Option(help="Model name sent upstream (default: SUMMARIZER_LLM_MODEL).")] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Articles in flight at once (keep 1 on the local model).")
    ] = 1,
    articles: Annotated[str, typer.Option(help="Globs over gold slugs, comma-separated, e.g. 'wikinews-*'.")] = "*",
    out: Annotated[Path | None, typer.Option(help="Run directory (default: runs/<timestamp>-<prompt>).")] = None,
    gold: Annotated[Path, typer.Option(help="Folder of gold files (articles in ../articles).")] = GOLD_DIR,
    config: Annotated[Path, typer.Option(help="Thresholds file.")] = DEFAULT_PATH,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Ask the model again, whatever the cache holds.")
    ] = False,
    repeat: Annotated[int, typer.Option(min=1, help="Run K times (fresh answers each) and report the spread.")] = 1,
    allow_failures: Annotated[int, typer.Option(min=0, help="Failed articles tolerated before the run exits 1.")] = 0,
) -> None:
    """Summarize every gold article (cached by the answer's fingerprint), then score and report.

    Exits 1 when more than --allow-failures articles failed (every failure is listed).
    """

    def body() -> None:
        from summarizer.evals.aggregate import variance
        from summarizer.evals.config import load_config
        from summarizer.evals.gold import load_gold
        from summarizer.evals.results import write_results
        from summarizer.evals.runner import RunSpec
        from summarizer.fingerprint import answer_spec, model_file_sha256
        from summarizer.prompts import PromptLibrary

        settings = load_settings(llm_model=model)
        scoring = load_config(config).scoring
        chosen = PromptLibrary.load(settings.prompts_dir).get(prompt or settings.default_prompt)
        cases = load_gold(gold, pattern=articles)
        run_dir = out or _default_run_dir(chosen.ref)
        prepare_model(settings, chosen)
        answer = answer_spec(settings, chosen, model_file_sha256(settings) if chosen.calls_model else None)
        runs: list[RunScores] = []
        failures: list[str] = []
        for k in range(1, repeat + 1):
            target = run_dir if k == 1 else run_dir / "repeats" / str(k)
            spec = RunSpec(answer=answer, concurrency=concurrency, use_cache=not no_cache, repeat=k)
            started = time.monotonic()
            outputs = _one_run(settings, cases, chosen.ref, spec, target)
            meta: dict[str, Any] = {
                "prompt": chosen.ref,
                "prompt_hash": chosen.hash,
                "model": settings.llm_model,
                "repeat": k,
                "wall_seconds": round(time.monotonic() - started, 1),
                "model_seconds": round(sum(o.seconds for o in outputs.values() if not o.cached), 1),
                "cached": sum(o.cached for o in outputs.values()),
                "errors": {o.article: o.error for o in outputs.values() if o.error},
            }
            runs.append(write_results(target, cases, outputs, meta, console, scoring))
            failures += [f"{slug}{'' if k == 1 else f' (repeat {k})'}: {e}" for slug, e in meta["errors"].items()]
        if repeat > 1:
            spread = variance(runs)
            (run_dir / "variance.json").write_text(
                json.dumps({k: v.model_dump() for k, v in spread.items()}, indent=2) + "\n", encoding="utf-8"
            )
            console.print(_spread_table(spread, repeat))
        if len(failures) > allow_failures:
            for line in failures:
                err.print(f"  failed: {line}", highlight=False, soft_wrap=True, markup=False)
            raise fail(f"{len(failures)} of {len(cases) * repeat} articles failed (see above; --allow-failures N)")

    guarded(body)


def _spread_table(spread: dict[str, Any], repeat: int) -> Table:
    from rich.table import Table

    grid = Table(title=f"spread over {repeat} runs")
    for column in ("metric", "mean", "stdev", "min", "max", "runs"):
        grid.add_column(column, justify="left" if column in {"metric", "runs"} else "right")
    for name, s in spread.items():
        grid.add_row(name, f"{s.mean:.3f}", f"{s.stdev:.3f}", f"{s.low:.3f}", f"{s.high:.3f}", str(s.values))
    return grid


def _scores_dir(predictions: Path) -> Path:
    """Beside a run's `predictions/` folder, its run directory; beside any other folder, `runs/scored/<name>/`."""
    if predictions.resolve().name == "predictions":
        return predictions.resolve().parent
    return Path("runs") / "scored" / predictions.resolve().name


@eval_app.command("score")
def score(
    gold: Annotated[Path, typer.Option(help="Folder of gold files.")] = GOLD_DIR,
    predictions: Annotated[
        Path, typer.Option(help="Folder of <article-id>.json files in the API's summary shape.")
    ] = Path("."),
    config: Annotated[Path, typer.Option(help="Thresholds file.")] = DEFAULT_PATH,
    out: Annotated[
        Path | None, typer.Option(help="Where scores.json goes (default: the run dir, or runs/scored/<folder>).")
    ] = None,
) -> None:
    """Score saved predictions against gold, without calling any model; writes scores.json for `eval compare`."""

    def body() -> None:
        from summarizer.evals.aggregate import headline_json, table
        from summarizer.evals.config import load_config
        from summarizer.evals.gold import load_gold
        from summarizer.evals.predictions import read_predictions
        from summarizer.evals.results import score_all, write_scores

        cases = load_gold(gold)
        found = read_predictions(predictions, [c.slug for c in cases])
        for slug in sorted({c.slug for c in cases} - set(found)):
            err.print(f"[yellow]warning:[/] no prediction for {slug}; scored as an empty summary")
        run, _ = score_all(cases, found, load_config(config).scoring, {"predictions": str(predictions)})
        target = write_scores(out or _scores_dir(predictions), run)
        console.print(table(run, title=f"scores · {predictions}"))
        err.print(f"wrote {target}", highlight=False, soft_wrap=True)
        print(headline_json(run))

    guarded(body)


def _cell(value: float | None, signed: bool = False) -> str:
    return "—" if value is None else f"{value:+.3f}" if signed else f"{value:.3f}"


def _delta_table(result: Comparison, a: str, b: str) -> Table:
    from rich.table import Table

    grid = Table(title=f"{a} → {b} (paired bootstrap over shared articles, 95% CI)")
    for column in ("metric", "A", "B", "Δ", "95% CI", ""):
        grid.add_column(column, justify="left" if column == "metric" else "right")
    for d in result.deltas:
        ci = "—" if d.low is None else f"[{d.low:+.3f}, {d.high:+.3f}]"
        grid.add_row(
            d.metric, _cell(d.a), _cell(d.b), _cell(d.delta, True), ci, "[red]REGRESSED[/]" if d.regressed else ""
        )
    return grid


@eval_app.command("compare")
def compare_runs(
    run_a: Annotated[Path, typer.Argument(help="Baseline: a run directory, its scores.json, or a predictions folder.")],
    run_b: Annotated[
        Path, typer.Argument(help="Candidate: a run directory, its scores.json, or a predictions folder.")
    ],
    config: Annotated[Path, typer.Option(help="Thresholds file (margin, resamples, seed).")] = DEFAULT_PATH,
    gold: Annotated[Path, typer.Option(help="Gold files, for a side given as a folder of predictions.")] = GOLD_DIR,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="Do not fail on articles missing from a run or failed in it.")
    ] = False,
) -> None:
    """Per-field deltas of B against A over their shared articles; exits 1 on a regression, and on articles
    present in one run only or failed in either, unless --allow-missing.

    A field regresses when its fall exceeds the margin and the interval excludes zero, or when the fall
    is at least twice the margin whatever the interval (few scoring articles make every interval wide).
    A side may be `evals/recorded/<prompt>/`: its predictions are scored now, with the current scorer.
    """

    def body() -> None:
        from summarizer.evals.compare import compare
        from summarizer.evals.config import load_config
        from summarizer.evals.gold import load_gold
        from summarizer.evals.results import run_scores

        settings = load_config(config)
        cached: list[GoldCase] = []

        def cases() -> list[GoldCase]:
            if not cached:
                cached.extend(load_gold(gold))
            return cached

        result = compare(
            run_scores(run_a, cases, settings.scoring), run_scores(run_b, cases, settings.scoring), settings.compare
        )
        console.print(_delta_table(result, run_a.name, run_b.name))
        problems = _report_coverage(result)
        print(
            json.dumps(
                {
                    "regressed": result.regressed,
                    "deltas": {d.metric: d.delta for d in result.deltas},
                    "only_a": result.only_a,
                    "only_b": result.only_b,
                    "failed_a": result.failed_a,
                    "failed_b": result.failed_b,
                }
            )
        )
        if result.regressed:
            raise fail(f"regression beyond margin {settings.compare.margin}: {', '.join(result.regressed)}")
        if problems and not allow_missing:
            raise fail(f"the runs do not cover the same answered articles ({'; '.join(problems)}); --allow-missing")

    guarded(body)


def _report_coverage(result: Comparison) -> list[str]:
    problems = []
    for label, items in (
        ("only in A", result.only_a),
        ("only in B", result.only_b),
        ("failed in A", result.failed_a),
        ("failed in B", result.failed_b),
    ):
        if items:
            problems.append(f"{len(items)} {label}")
            err.print(f"[yellow]{label}:[/] {', '.join(items)}", highlight=False, soft_wrap=True)
    return problems


@eval_app.command("import-corpus")
def import_corpus_command(
    source: Annotated[Path, typer.Argument(help="The corpus folder, e.g. ../shared/corpus-dev.")],
    out: Annotated[Path, typer.Option(help="Where gold/ and articles/ are written (keep it outside git).")] = Path(
        "runs/corpus-dev"
    ),
) -> None:
    """Turn PolNeAR quotes and FNC-1 claims into gold files (fields: [quotes] / [contested_claims]).

    Writes OUT/gold/<slug>.yaml and OUT/articles/<slug>.txt; then `eval run --gold OUT/gold`.
    Nothing is written inside the repository unless OUT is (runs/ is git-ignored).
    """

    def body() -> None:
        from summarizer.evals.corpus import import_corpus
        from summarizer.evals.gold import load_gold

        report = import_corpus(source, out)
        console.print(report.table())
        print(json.dumps(report.counts()))
        load_gold(out / "gold")  # every file written must load like a committed one

    guarded(body)
