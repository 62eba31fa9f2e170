"""The lab's numbers are `summarizer eval run`'s and `eval compare`'s on the same runs, to the last digit.

The lab runs a prompt and a draft over all committed gold files; the draft is saved as the next version;
then the CLI runs both released prompts (from the cache the lab filled: no model call) and compares them.
Per-field micro F1, speaker accuracy, fabricated rate, every article's counts, the deltas and the
bootstrap intervals must match, and `eval compare` on the lab's own run directories must say the same.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from tests.lab.conftest import ServedLab, serve_lab
from tests.lab.model import GOLD, ROOT, draft_of

BASE, NEXT = "summarize-grouped@4", "summarize-grouped@5"


@pytest.fixture
def lab(tmp_path: Path, prompts_copy: Path) -> Iterator[ServedLab]:
    yield from serve_lab(tmp_path, GOLD)


def wait_complete(client: httpx.Client, gold: str, variants: str) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        board: dict[str, Any] = client.get("/lab/api/board", params={"gold": gold, "variants": variants}).json()
        if all(v["totals"]["complete"] and not v["totals"]["running"] for v in board["variants"]):
            return board
        time.sleep(0.2)
    raise AssertionError("the lab did not finish")


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output  # 1: compare found a regression (the draft's, on purpose)
    return result.stdout


def last_json(output: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))
    return data


def intervals(output: str) -> dict[str, tuple[str, str]]:
    """`eval compare`'s printed table: metric -> its 95% CI as printed."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^[│|]?\s*([a-z_ ]+?(?: F1)?)\s*[│|].*\[([+-]\d\.\d{3}), ([+-]\d\.\d{3})\]", line)
        if match:
            found[match.group(1).strip()] = (match.group(2), match.group(3))
    return found


def test_the_labs_numbers_equal_eval_run_and_compare(
    lab: ServedLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = httpx.Client(base_url=lab.url, timeout=60)
    gold = str(lab.gold)
    draft = client.post(
        "/lab/api/drafts", json={"text": draft_of((ROOT / "prompts/summarize-grouped/v4.md").read_text())}
    )
    assert draft.status_code == 201, draft.text
    key = draft.json()["key"]
    variants = f"{BASE},{key}"
    started = client.post("/lab/api/run", json={"gold": gold, "variants": [BASE, key]})
    assert started.status_code == 202 and started.json()["queued"] == 26, started.text
    board = wait_complete(client, gold, variants)
    totals = {v["key"]: v["totals"] for v in board["variants"]}
    run_dirs = {v["key"]: Path(v["run_dir"]) for v in board["variants"]}
    lab_compare = client.get("/lab/api/compare", params={"gold": gold, "a": BASE, "b": key}).json()
    saved = client.post(f"/lab/api/drafts/{key}/save")
    assert saved.status_code == 201, saved.text
    calls = lab.upstream.calls

    for name, value in {
        "LLM_BASE_URL": lab.settings.llm_base_url,
        "LLM_MODEL": "fake-model",
        "LLM_TRANSPORT_RETRIES": "0",
        "CACHE_DIR": str(lab.settings.cache_dir),
        "PROMPTS_DIR": str(lab.prompts),
    }.items():
        monkeypatch.setenv(f"SUMMARIZER_{name}", str(value))
    cli_dirs = {BASE: tmp_path / "cli-a", key: tmp_path / "cli-b"}
    cli("eval", "run", "--prompt", BASE, "--gold", gold, "--out", str(cli_dirs[BASE]))
    cli("eval", "run", "--prompt", NEXT, "--gold", gold, "--out", str(cli_dirs[key]))
    assert lab.upstream.calls == calls, "the CLI found every answer in the cache the lab filled"

    for variant, folder in cli_dirs.items():
        cli_scores = json.loads((folder / "scores.json").read_text())
        lab_scores = json.loads((run_dirs[variant] / "scores.json").read_text())
        for field, summary in cli_scores["fields"].items():
            assert totals[variant]["f1"][field] == summary["micro"]["f1"], (variant, field)
        assert totals[variant]["speaker_accuracy"] == cli_scores["speaker_accuracy"]
        assert totals[variant]["fabricated_rate"] == cli_scores["fabricated_rate"]
        assert lab_scores["articles"] == cli_scores["articles"], "every article scored the same"
        assert lab_scores["fields"] == cli_scores["fields"]
    assert totals[key]["f1"]["parties"] < totals[BASE]["f1"]["parties"], "the draft is worse: the test can fail"

    printed = cli("eval", "compare", str(cli_dirs[BASE]), str(cli_dirs[key]))
    on_lab_dirs = cli("eval", "compare", str(run_dirs[BASE]), str(run_dirs[key]))
    assert last_json(on_lab_dirs) == last_json(printed), "eval compare reads the lab's run directories"
    deltas = last_json(printed)["deltas"]
    assert {d["metric"]: d["delta"] for d in lab_compare["deltas"]} == deltas
    assert lab_compare["regressed"] == last_json(printed)["regressed"]
    shown = intervals(printed)
    assert set(shown) >= {"parties F1", "quotes F1", "speaker accuracy"}, printed
    for d in lab_compare["deltas"]:
        if d["metric"] in shown:
            assert shown[d["metric"]] == (f"{d['low']:+.3f}", f"{d['high']:+.3f}"), d["metric"]
