"""`summarizer eval ...`: run prompts over gold files, score saved outputs, compare runs, import a corpus.

Every command fails loudly: a run with a failed article, a comparison with an article missing from
one side or a regression exits non-zero, so CI cannot pass on a run that did not happen.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from summarizer.cli.common import err, fail, guarded, load_settings, prepare_model
from summarizer.evals.aggregate import RunScores, headline_json, table, variance
from summarizer.evals.calibration import calibration_table
from summarizer.evals.compare import Comparison, compare
from summarizer.evals.config import DEFAULT_PATH, load_config
from summarizer.evals.corpus import import_corpus
from summarizer.evals.gold import GoldCase, Split, load_gold
from summarizer.evals.predictions import read_predictions
from summarizer.evals.results import run_scores, score_all, write_results, write_scores
from summarizer.evals.runner import CaseOutput, RunSpec, output_cache, run_eval
from summarizer.evals.scoring import FIELDS
from summarizer.fingerprint import answer_spec, model_file_sha256
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings

eval_app = typer.Typer(help="Evaluate prompts and models against hand-labelled gold files.", no_args_is_help=True)
console = Console(width=None if sys.stdout.isatty() else 120)

GOLD_DIR = Path("evals/gold")


def _default_run_dir(prompt_ref: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return Path("runs") / f"{stamp}-{prompt_ref}"


def _status(output: CaseOutput) -> str:
    """How one article went, in a word or a line: its seconds, `cached`, or why it is an error."""
    if output.error:
        return f"error: {output.error}"
    if output.incomplete:
        return f"error: {output.incomplete}"
    return "cached" if output.cached else f"{output.seconds:.0f}s"


def _one_run(
    settings: Settings, cases: list[GoldCase], prompt_ref: str, spec: RunSpec, run_dir: Path
) -> dict[str, CaseOutput]:
    """Answer every case, showing progress: a bar on a terminal, else one line per article on stderr (CI logs)."""
    cache = output_cache(settings.cache_dir / "eval-cache")
    if not err.is_terminal:
        seen = [0]

        def on_line(output: CaseOutput) -> None:
            seen[0] += 1
            line = f"[{seen[0]}/{len(cases)}] {output.article}: {_status(output)}"
            err.print(line, highlight=False, soft_wrap=True, markup=False)

        return asyncio.run(run_eval(settings, cases, prompt_ref, spec, cache, run_dir, on_line))
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, TextColumn("{task.fields[last]}"), console=err) as progress:
        task = progress.add_task("evaluating", total=len(cases), last="")

        def on_done(output: CaseOutput) -> None:
            how = "error" if output.error or output.incomplete else _status(output)
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
        bool,
        typer.Option(
            "--no-cache", help="Ask the model for every article, whatever the cache or an existing --out holds."
        ),
    ] = False,
    repeat: Annotated[int, typer.Option(min=1, help="Run K times (fresh answers each) and report the spread.")] = 1,
    allow_failures: Annotated[int, typer.Option(min=0, help="Failed articles tolerated before the run exits 1.")] = 0,
    allow_incomplete: Annotated[
        int,
        typer.Option(
            min=0, help="Incomplete answers (meta.incomplete: a fallback, a failed window) tolerated before exit 1."
        ),
    ] = 0,
    split: Annotated[
        Split | None,
        typer.Option(help="Only gold files of this side of an imported corpus: tune (adjust rules) or check (report)."),
    ] = None,
) -> None:
    """Summarize every gold article (cached by the answer's fingerprint), then score and report.

    An answer with meta.incomplete (the rules' fallback after a timeout or a bad answer, a failed
    window) is not the prompt's answer: it is an error (scored as an empty summary, never cached).
    Exits 1 when more than --allow-failures articles failed or more than --allow-incomplete answers
    were incomplete (every one is listed).
    """

    def body() -> None:
        settings = load_settings(llm_model=model)
        scoring = load_config(config).scoring
        chosen = PromptLibrary.load(settings.prompts_dir).get(prompt or settings.default_prompt)
        cases = load_gold(gold, pattern=articles, split=split)
        run_dir = out or _default_run_dir(chosen.ref)
        prepare_model(settings)
        answer = answer_spec(settings, chosen, model_file_sha256(settings))
        runs: list[RunScores] = []
        failures: list[str] = []
        incomplete: list[str] = []
        for k in range(1, repeat + 1):
            target = run_dir if k == 1 else run_dir / "repeats" / str(k)
            spec = RunSpec(answer=answer, concurrency=concurrency, use_cache=not no_cache, repeat=k)
            started = time.monotonic()
            outputs = _one_run(settings, cases, chosen.ref, spec, target)
            meta: dict[str, Any] = {
                "prompt": chosen.ref,
                "split": split,
                "prompt_hash": chosen.hash,
                "model": settings.llm_model,
                "repeat": k,
                "wall_seconds": round(time.monotonic() - started, 1),
                "model_seconds": round(sum(o.seconds for o in outputs.values() if not o.cached), 1),
                "cached": sum(o.cached for o in outputs.values()),
                "errors": {o.article: o.error or o.incomplete for o in outputs.values() if o.error or o.incomplete},
            }
            runs.append(write_results(target, cases, outputs, meta, console, scoring))
            where = "" if k == 1 else f" (repeat {k})"
            failures += [f"{o.article}{where}: {o.error}" for o in outputs.values() if o.error]
            incomplete += [f"{o.article}{where}: {o.incomplete}" for o in outputs.values() if o.incomplete]
        if repeat > 1:
            spread = variance(runs)
            (run_dir / "variance.json").write_text(
                json.dumps({k: v.model_dump() for k, v in spread.items()}, indent=2) + "\n", encoding="utf-8"
            )
            console.print(_spread_table(spread, repeat))
        problems = []
        if len(failures) > allow_failures:
            problems.append(f"{len(failures)} of {len(cases) * repeat} articles failed (--allow-failures N)")
        if len(incomplete) > allow_incomplete:
            problems.append(
                f"{len(incomplete)} of {len(cases) * repeat} answers were incomplete, not the prompt's own "
                "(--allow-incomplete N)"
            )
        if problems:
            for line in failures:
                err.print(f"  failed: {line}", highlight=False, soft_wrap=True, markup=False)
            for line in incomplete:
                err.print(f"  incomplete: {line}", highlight=False, soft_wrap=True, markup=False)
            raise fail("; ".join(problems) + " (listed above)")

    guarded(body)


def _spread_table(spread: dict[str, Any], repeat: int) -> Table:
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
    articles: Annotated[str, typer.Option(help="Globs over gold slugs, comma-separated, e.g. 'wikinews-*'.")] = "*",
    config: Annotated[Path, typer.Option(help="Thresholds file.")] = DEFAULT_PATH,
    out: Annotated[
        Path | None, typer.Option(help="Where scores.json goes (default: the run dir, or runs/scored/<folder>).")
    ] = None,
    allow_missing: Annotated[
        bool,
        typer.Option("--allow-missing", help="Score a gold article without a prediction as a failed (empty) answer."),
    ] = False,
    split: Annotated[
        Split | None,
        typer.Option(help="Only gold files of this side of an imported corpus: tune (adjust rules) or check (report)."),
    ] = None,
) -> None:
    """Score saved predictions against gold, without calling any model; writes scores.json for `eval compare`.

    Exits 1 when a chosen gold article has no prediction (they are listed), unless --allow-missing:
    then each is scored as an empty summary and marked failed, so `eval compare` does not pair it.
    """

    def body() -> None:
        cases = load_gold(gold, pattern=articles, split=split)
        found = read_predictions(predictions, [c.slug for c in cases])
        missing = sorted({c.slug for c in cases} - set(found))
        for slug in missing:
            err.print(f"  no prediction: {slug}", highlight=False, soft_wrap=True, markup=False)
        if missing and not allow_missing:
            raise fail(
                f"{len(missing)} of {len(cases)} gold articles have no prediction in {predictions} (listed above; "
                "--articles to score a subset, --allow-missing to score them as failed)"
            )
        errors = {slug: f"no prediction in {predictions}" for slug in missing}
        unanswered = {slug: CaseOutput(article=slug, cached=False, seconds=0.0, error=e) for slug, e in errors.items()}
        meta = {"predictions": str(predictions), "errors": errors, "split": split}
        run, _ = score_all(cases, found, load_config(config).scoring, meta, outputs=unanswered)
        target = write_scores(out or _scores_dir(predictions), run)
        console.print(table(run, title=f"scores · {predictions}" + (f" · {split}" if split else "")))
        if run.calibration:
            console.print(calibration_table(run.calibration))
        err.print(f"wrote {target}", highlight=False, soft_wrap=True)
        print(headline_json(run))

    guarded(body)


def _cell(value: float | None, signed: bool = False) -> str:
    return "—" if value is None else f"{value:+.3f}" if signed else f"{value:.3f}"


def _delta_table(result: Comparison, a: str, b: str) -> Table:
    grid = Table(title=f"{a} → {b} (paired bootstrap over shared articles, 95% CI)")
    for column in ("metric", "A", "B", "Δ", "95% CI", ""):
        grid.add_column(column, justify="left" if column == "metric" else "right")
    for d in result.deltas:
        ci = "—" if d.low is None else f"[{d.low:+.3f}, {d.high:+.3f}]"
        grid.add_row(
            d.metric, _cell(d.a), _cell(d.b), _cell(d.delta, True), ci, "[red]REGRESSED[/]" if d.regressed else ""
        )
    return grid


# `eval compare` exit codes, in order of precedence (documented in evals/README.md and the command's help).
COMPARE_REGRESSED = 1
COMPARE_NOT_COMPARABLE = 3
COMPARE_INCOMPLETE = 4


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
    fail_on_incomplete: Annotated[
        bool,
        typer.Option("--fail-on-incomplete", help="Exit 4 when either run has an incomplete answer (meta.incomplete)."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout instead of the table.")
    ] = False,
) -> None:
    """Per-field deltas of B against A over the articles both answered completely.

    A field regresses when its fall exceeds the margin and the interval excludes zero, or when the fall
    is at least twice the margin whatever the interval (few scoring articles make every interval wide).
    An incomplete answer (meta.incomplete: a fallback, a failed window) is never part of a delta: the
    article is listed as incomplete. A side may be `evals/recorded/<prompt>/`: scored now, with the
    current scorer.

    Exit codes: 0 no field regressed; 1 a field regressed; 2 bad input (unreadable run, gold or config);
    3 the runs do not cover the same answered articles (one run only, failed in either, or none shared),
    unless --allow-missing; 4 an answer in either run was incomplete, with --fail-on-incomplete. When
    several apply, the lowest non-zero code wins.
    """

    def body() -> None:
        settings = load_config(config)
        cached: list[GoldCase] = []

        def cases() -> list[GoldCase]:
            if not cached:
                cached.extend(load_gold(gold))
            return cached

        scores_a = run_scores(run_a, cases, settings.scoring)
        scores_b = run_scores(run_b, cases, settings.scoring)
        result = compare(scores_a, scores_b, settings.compare)
        rows = _article_rows(scores_a, scores_b, result)
        if not err.is_terminal:  # a CI log: what happened to each article, one line each
            for n, row in enumerate(rows, 1):
                err.print(f"[{n}/{len(rows)}] {_article_line(row)}", highlight=False, soft_wrap=True, markup=False)
        code, reasons = _compare_verdict(result, settings.compare.margin, allow_missing, fail_on_incomplete)
        document = {
            "exit_code": code,
            "reasons": reasons,
            "regressed": result.regressed,
            "deltas": {d.metric: d.delta for d in result.deltas},
            "intervals": {d.metric: d.model_dump(exclude={"metric"}) for d in result.deltas},
            "compared": result.compared,
            "only_a": result.only_a,
            "only_b": result.only_b,
            "failed_a": result.failed_a,
            "failed_b": result.failed_b,
            "incomplete_a": result.incomplete_a,
            "incomplete_b": result.incomplete_b,
            "articles": rows,
        }
        if as_json:
            print(json.dumps(document, indent=2))
        else:
            console.print(_delta_table(result, run_a.name, run_b.name))
            _report_coverage(result)
            print(json.dumps({k: v for k, v in document.items() if k not in {"intervals", "articles"}}))
        if code:
            raise fail("; ".join(reasons), code)

    guarded(body)


def _compare_verdict(
    result: Comparison, margin: float, allow_missing: bool, fail_on_incomplete: bool
) -> tuple[int, list[str]]:
    """The exit code (the lowest that applies) and every reason for a non-zero one."""
    found: list[tuple[int, str]] = []
    if result.regressed:
        found.append((COMPARE_REGRESSED, f"regression beyond margin {margin}: {', '.join(result.regressed)}"))
    if not result.compared:
        found.append((COMPARE_NOT_COMPARABLE, "no article was answered completely by both runs"))
    coverage = [
        f"{len(items)} {label}"
        for label, items in (
            ("only in A", result.only_a), ("only in B", result.only_b),
            ("failed in A", result.failed_a), ("failed in B", result.failed_b),
        )
        if items
    ]  # fmt: skip
    if coverage and not allow_missing:
        found.append(
            (COMPARE_NOT_COMPARABLE, f"the runs do not cover the same answered articles ({'; '.join(coverage)}); "
             "--allow-missing")
        )  # fmt: skip
    incomplete = len(result.incomplete_a) + len(result.incomplete_b)
    if incomplete and fail_on_incomplete:
        found.append((COMPARE_INCOMPLETE, f"{incomplete} incomplete answers, not compared (--fail-on-incomplete)"))
    return (min(code for code, _ in found) if found else 0), [reason for _, reason in found]


def _status_of(run: RunScores, slug: str, failed: list[str], incomplete: list[str]) -> str:
    if slug in incomplete:
        return "incomplete"
    if slug in failed:
        return "failed"
    return "ok" if any(a.article == slug for a in run.articles) else "missing"


def _article_rows(a: RunScores, b: RunScores, result: Comparison) -> list[dict[str, Any]]:
    """Per article: how each run answered it and, where both answered completely, its F1 per field."""
    by_a = {s.article: s for s in a.articles}
    by_b = {s.article: s for s in b.articles}
    rows = []
    for slug in sorted(set(by_a) | set(by_b)):
        row: dict[str, Any] = {
            "article": slug,
            "a": _status_of(a, slug, result.failed_a, result.incomplete_a),
            "b": _status_of(b, slug, result.failed_b, result.incomplete_b),
            "compared": slug in result.compared,
        }
        if row["compared"]:
            fields = sorted(set(by_a[slug].fields) & set(by_b[slug].fields), key=FIELDS.index)
            row["f1"] = {
                f: [by_a[slug].fields[f].counts.f1, by_b[slug].fields[f].counts.f1]
                for f in fields
                if by_a[slug].fields[f].counts.f1 is not None or by_b[slug].fields[f].counts.f1 is not None
            }
        rows.append(row)
    return rows


def _article_line(row: dict[str, Any]) -> str:
    if not row["compared"]:
        return f"{row['article']}: not compared (A {row['a']}, B {row['b']})"
    cells = [f"{f} {_cell(x)}→{_cell(y)}" for f, (x, y) in row["f1"].items()]
    return f"{row['article']}: " + (", ".join(cells) or "nothing to find")


def _report_coverage(result: Comparison) -> None:
    for label, items in (
        ("only in A", result.only_a),
        ("only in B", result.only_b),
        ("failed in A", result.failed_a),
        ("failed in B", result.failed_b),
        ("incomplete in A (not compared)", result.incomplete_a),
        ("incomplete in B (not compared)", result.incomplete_b),
    ):
        if items:
            err.print(f"[yellow]{label}:[/] {', '.join(items)}", highlight=False, soft_wrap=True)


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
        report = import_corpus(source, out)
        console.print(report.table())
        print(json.dumps(report.counts()))
        load_gold(out / "gold")  # every file written must load like a committed one

    guarded(body)
