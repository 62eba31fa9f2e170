"""`eval compare` and `eval score`: regressions, missing and failed articles, and recorded baselines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.aggregate import aggregate
from summarizer.evals.compare import compare
from summarizer.evals.config import CompareConfig, load_config
from summarizer.evals.gold import load_gold
from summarizer.evals.metrics import Counts
from summarizer.evals.predictions import read_prediction
from summarizer.evals.runner import OUTPUTS, CaseOutput
from summarizer.evals.scoring import ArticleScore, FieldResult, Incomplete, ScoringConfig, score_article
from summarizer.evals.variants import VARIANTS
from summarizer.schemas import IncompleteField, PromptInfo, SummaryMeta, SummaryResponse, UsageInfo

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold"
CONFIG = ROOT / "evals" / "thresholds.yaml"
RECORDED = ROOT / "evals" / "recorded" / "summarize-grouped@4"  # any recording: the scorer is what is tested
CASES = load_gold(GOLD)


def article(slug: str, quotes: Counts, error: str | None = None) -> ArticleScore:
    return ArticleScore(article=slug, fields={"quotes": FieldResult(counts=quotes)}, error=error)


def test_a_fall_of_twice_the_margin_regresses_even_when_the_interval_touches_zero() -> None:
    # Before: B's one changed article fell from quotes F1 0.47 to 0 (CI [-0.81, 0.00]) and `regressed: []`.
    a = aggregate([article("one", Counts(tp=4, fp=5, fn=4)), article("two", Counts(tp=1))], ScoringConfig())
    b = aggregate([article("one", Counts(fp=3, fn=8)), article("two", Counts(tp=1))], ScoringConfig())
    result = compare(a, b, CompareConfig(fields=["quotes"]))
    quotes = next(d for d in result.deltas if d.metric == "quotes F1")
    assert quotes.high is not None and quotes.high >= 0.0, "the interval touches zero"
    assert quotes.regressed


def test_missing_and_failed_articles_are_reported_per_run() -> None:
    a = aggregate([article(s, Counts(tp=1)) for s in ("x", "y", "z")], ScoringConfig())
    b = aggregate([article("x", Counts(tp=1)), article("y", Counts(), error="model output invalid")], ScoringConfig())
    result = compare(a, b, CompareConfig(fields=["quotes"]))
    assert (result.only_a, result.only_b, result.failed_a, result.failed_b) == (["z"], [], [], ["y"])


def scores_dir(tmp_path: Path, name: str, variant: str, drop: int = 0) -> Path:
    scoring = load_config(CONFIG).scoring
    run = aggregate([score_article(c, VARIANTS[variant](c), scoring) for c in CASES[drop:]], scoring)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "scores.json").write_text(run.model_dump_json())
    return folder


def test_compare_fails_on_articles_in_one_run_only_unless_allowed(tmp_path: Path) -> None:
    # Before: it silently compared the shared articles (13 vs 2) and exited 0.
    full, short = scores_dir(tmp_path, "full", "perfect"), scores_dir(tmp_path, "short", "perfect", drop=11)
    result = CliRunner().invoke(app, ["eval", "compare", str(full), str(short), "--config", str(CONFIG)])
    assert result.exit_code == 3, result.output
    assert "only in A" in result.stderr and CASES[0].slug in result.stderr
    assert len(json.loads(result.stdout.strip().splitlines()[-1])["only_a"]) == 11
    allowed = CliRunner().invoke(
        app, ["eval", "compare", str(full), str(short), "--allow-missing", "--config", str(CONFIG)]
    )
    assert allowed.exit_code == 0, allowed.output


def test_score_writes_scores_json_and_compare_reads_a_recorded_folder(tmp_path: Path) -> None:
    out = tmp_path / "scored"
    scored = CliRunner().invoke(
        app, ["eval", "score", "--gold", str(GOLD), "--predictions", str(RECORDED), "--out", str(out)]
    )
    assert scored.exit_code == 0, scored.output
    assert json.loads((out / "scores.json").read_text())["articles"]
    same = CliRunner().invoke(
        app, ["eval", "compare", str(RECORDED), str(out), "--gold", str(GOLD), "--config", str(CONFIG)]
    )
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout.strip().splitlines()[-1])["regressed"] == []


def test_an_incomplete_answer_is_never_a_delta(tmp_path: Path) -> None:
    # Before: B's fallback answer for "one" was compared as B's answer: quotes "regressed" (exit 1), and
    # nothing said that side B was not the prompt's answer at all.
    fallback = [Incomplete(field="quotes", reason="deadline-exceeded: the request's deadline passed")]
    a = aggregate([article(s, Counts(tp=4)) for s in ("one", "two", "three")], ScoringConfig())
    b_scores = [article("one", Counts(fn=4)), article("two", Counts(tp=4)), article("three", Counts(tp=4))]
    b_scores[0] = b_scores[0].model_copy(update={"incomplete": fallback})
    b = aggregate(b_scores, ScoringConfig())
    result = compare(a, b, CompareConfig(fields=["quotes"]))
    assert result.compared == ["three", "two"] and result.incomplete_b == ["one"] and result.failed_b == []
    assert result.regressed == []
    assert next(d for d in result.deltas if d.metric == "quotes F1").delta == 0.0

    folders = {}
    for name, run in (("a", a), ("b", b)):
        folders[name] = tmp_path / name
        folders[name].mkdir()
        (folders[name] / "scores.json").write_text(run.model_dump_json())
    args = ["eval", "compare", str(folders["a"]), str(folders["b"]), "--config", str(CONFIG)]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "incomplete in B (not compared): one" in " ".join(shown.stderr.split())
    assert "[1/3] one: not compared (A ok, B incomplete)" in shown.stderr, "one progress line per article"
    assert json.loads(shown.stdout.strip().splitlines()[-1])["incomplete_b"] == ["one"]

    strict = CliRunner().invoke(app, [*args, "--fail-on-incomplete", "--json"])
    assert strict.exit_code == 4, strict.output
    document = json.loads(strict.stdout)
    assert document["exit_code"] == 4 and document["incomplete_b"] == ["one"] and document["regressed"] == []
    assert {row["article"]: (row["a"], row["b"], row["compared"]) for row in document["articles"]} == {
        "one": ("ok", "incomplete", False),
        "two": ("ok", "ok", True),
        "three": ("ok", "ok", True),
    }
    assert document["articles"][2]["f1"] == {"quotes": [1.0, 1.0]}


def test_compare_exit_codes_rank_a_regression_first(tmp_path: Path) -> None:
    full, dropped = scores_dir(tmp_path, "full", "perfect"), scores_dir(tmp_path, "dropped", "dropped", drop=1)
    result = CliRunner().invoke(app, ["eval", "compare", str(full), str(dropped), "--config", str(CONFIG), "--json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["regressed"] and document["only_a"] == [CASES[0].slug]
    assert [reason.split(" ")[0] for reason in document["reasons"]] == ["regression", "the"]


def test_a_recording_with_an_outputs_file_marks_its_incomplete_answers(tmp_path: Path) -> None:
    # A folder of predictions with the run's outputs.jsonl beside it (as evals/recorded/<prompt>/ is kept):
    # an incomplete answer there is not scored as the prompt's, even if its prediction file is present.
    folder = tmp_path / "recorded"
    shutil.copytree(RECORDED, folder)
    summary = read_prediction(folder / "wikinews-clock.json")
    meta = SummaryMeta(
        model="m", prompt=PromptInfo(id="p", version=1, hash="h"), schema_version="1.2",
        usage=UsageInfo(prompt_tokens=1, completion_tokens=1), attempts=2, reasks=0, latency_ms=1,
        incomplete=[IncompleteField(field="parties", reason="deadline-exceeded: the deadline passed")],
    )  # fmt: skip
    output = CaseOutput(
        article="wikinews-clock", cached=False, seconds=1, response=SummaryResponse(summary=summary, meta=meta)
    )
    (folder / OUTPUTS).write_text(output.model_dump_json() + "\n")
    args = ["eval", "compare", str(RECORDED), str(folder), "--gold", str(GOLD), "--config", str(CONFIG), "--json"]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["incomplete_b"] == ["wikinews-clock"] and "wikinews-clock" not in document["compared"]
    assert len(document["compared"]) == len(CASES) - 1 and document["deltas"]["quotes F1"] == 0.0
    assert CliRunner().invoke(app, [*args, "--fail-on-incomplete"]).exit_code == 4
