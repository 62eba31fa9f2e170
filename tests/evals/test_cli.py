"""`summarizer eval score` and `eval compare` on saved files: no model involved."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.aggregate import aggregate
from summarizer.evals.config import load_config
from summarizer.evals.gold import load_gold
from summarizer.evals.scoring import score_article
from summarizer.evals.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold"
CONFIG = ROOT / "evals" / "thresholds.yaml"
CASES = load_gold(GOLD)


def write_predictions(folder: Path, variant: str) -> Path:
    folder.mkdir()
    for case in CASES:
        summary = VARIANTS[variant](case)
        summary = summary.model_copy(update={"parties": summary.parties[:30]})  # the API's cap
        (folder / f"{case.slug}.json").write_text(summary.model_dump_json())
    return folder


def test_score_prints_a_table_and_a_final_json_line(tmp_path: Path) -> None:
    predictions = write_predictions(tmp_path / "predictions", "aliased")
    result = CliRunner().invoke(app, ["eval", "score", "--gold", str(GOLD), "--predictions", str(predictions)])
    assert result.exit_code == 0, result.output
    assert "parties" in result.stdout
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["articles"] == len(CASES) and last["errors"] == 0
    assert 0.8 < last["parties_f1"] < 1.0 and last["fabricated_rate"] == 0.0


def test_a_gold_article_without_a_prediction_is_an_error_unless_allowed(tmp_path: Path) -> None:
    # Before: scored as an empty summary with a warning, exit 0 (and no way to score a subset).
    predictions = write_predictions(tmp_path / "predictions", "perfect")
    (predictions / "wikinews-worship.json").unlink()
    args = ["eval", "score", "--gold", str(GOLD), "--predictions", str(predictions)]
    missing = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert missing.exit_code == 1, missing.output
    assert "no prediction: wikinews-worship" in missing.stderr and "1 of 13 gold articles" in missing.stderr
    assert not (tmp_path / "a" / "scores.json").exists()

    allowed = CliRunner().invoke(app, [*args, "--allow-missing", "--out", str(tmp_path / "b")])
    assert allowed.exit_code == 0, allowed.output
    last = json.loads(allowed.stdout.strip().splitlines()[-1])
    assert last["articles"] == len(CASES) and last["errors"] == 1, "scored, and marked failed"
    scores = json.loads((tmp_path / "b" / "scores.json").read_text())
    assert [a["article"] for a in scores["articles"] if a["error"]] == ["wikinews-worship"]

    subset = CliRunner().invoke(app, [*args, "--articles", "wikinews-s*,seed-*", "--out", str(tmp_path / "c")])
    assert subset.exit_code == 0, subset.output
    last = json.loads(subset.stdout.strip().splitlines()[-1])
    assert (last["articles"], last["errors"], last["quotes_f1"]) == (2, 0, 1.0)


def test_a_field_with_nothing_to_find_and_nothing_predicted_has_no_f1(tmp_path: Path) -> None:
    # Before: `"contested_claims_f1": 1.0` for articles whose gold lists no claim and whose answer has none.
    predictions = write_predictions(tmp_path / "predictions", "perfect")
    claimless = [c.slug for c in CASES if not c.gold.contested_claims]
    assert claimless, "some gold article lists no contested claim"
    args = ["eval", "score", "--gold", str(GOLD), "--predictions", str(predictions), "--out", str(tmp_path / "s")]
    result = CliRunner().invoke(app, [*args, "--articles", ",".join(claimless)])
    assert result.exit_code == 0, result.output
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["contested_claims_f1"] is None and last["locations_f1"] == 1.0
    field = json.loads((tmp_path / "s" / "scores.json").read_text())["fields"]["contested_claims"]
    assert field["micro"] == {"precision": None, "recall": None, "f1": None} and field["macro"] is None


def test_score_names_the_file_and_field_of_a_bad_prediction(tmp_path: Path) -> None:
    predictions = write_predictions(tmp_path / "predictions", "perfect")
    (predictions / "wikinews-flag.json").write_text('{"headline": "h", "summary": "s", "parties": [{"name": 3}]}')
    result = CliRunner().invoke(app, ["eval", "score", "--gold", str(GOLD), "--predictions", str(predictions)])
    assert result.exit_code == 2
    assert "wikinews-flag.json: field parties.0.name" in " ".join(result.output.split())


def scores_dir(tmp_path: Path, variant: str) -> Path:
    scoring = load_config(CONFIG).scoring
    run = aggregate([score_article(c, VARIANTS[variant](c), scoring) for c in CASES], scoring)
    folder = tmp_path / variant
    folder.mkdir()
    (folder / "scores.json").write_text(run.model_dump_json())
    return folder


def test_compare_passes_on_equal_runs_and_fails_on_a_regression(tmp_path: Path) -> None:
    perfect, dropped = scores_dir(tmp_path, "perfect"), scores_dir(tmp_path, "dropped")
    same = CliRunner().invoke(app, ["eval", "compare", str(perfect), str(perfect), "--config", str(CONFIG)])
    assert same.exit_code == 0, same.output
    worse = CliRunner().invoke(app, ["eval", "compare", str(perfect), str(dropped), "--config", str(CONFIG)])
    assert worse.exit_code == 1, worse.output
    assert "REGRESSED" in worse.output
    better = CliRunner().invoke(app, ["eval", "compare", str(dropped), str(perfect), "--config", str(CONFIG)])
    assert better.exit_code == 0, better.output
