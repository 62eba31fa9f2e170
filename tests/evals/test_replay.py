"""Deterministic replay eval: re-score the committed outputs of the default prompt against gold.

The outputs in evals/recorded/<default prompt>/ were produced by `summarizer eval run` on the local
model. The gates follow `SUMMARIZER_DEFAULT_PROMPT` (`Settings().default_prompt`): a change of the
default fails here until its outputs are recorded and the floors in evals/thresholds.yaml re-measured
(see evals/README.md). This test also catches scorer or gold changes that move the numbers.
"""

from __future__ import annotations

from summarizer.evals.predictions import read_predictions
from summarizer.evals.runner import OUTPUTS, read_outputs
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings
from tests.evals.gates import CONFIG, ROOT, gold_cases, scored

RECORDED = ROOT / "evals" / "recorded"


def test_the_gates_follow_the_default_prompt() -> None:
    # Before: both gates pinned summarize-grouped@4 while the default was summarize-hybrid@2, and
    # evals/recorded had no recording of the default: a change to the default passed untested.
    settings = Settings()
    default = settings.default_prompt
    for name, gate in (("replay", CONFIG.replay), ("live", CONFIG.live)):
        assert gate.prompt == default, (
            f"evals/thresholds.yaml: `{name}.prompt` is {gate.prompt}, but the default prompt is {default}; "
            "record the default and re-measure the floors (evals/README.md, 'In CI')"
        )
    folder = RECORDED / default
    assert (folder / OUTPUTS).is_file(), f"no recording of the default: {folder}/{OUTPUTS}"
    outputs = read_outputs(folder)
    slugs = {c.slug for c in gold_cases()}
    assert set(outputs) == slugs, f"{folder} lacks an output for {sorted(slugs - set(outputs))}"
    assert set(read_predictions(folder, slugs)) == slugs, f"{folder} lacks a prediction for some gold article"
    prompt = PromptLibrary.load(settings.prompts_dir).get(default)
    for slug, output in sorted(outputs.items()):
        assert output.response is not None, f"{slug}: recorded as an error: {output.error}"
        assert not output.response.meta.incomplete, f"{slug}: the recorded answer is incomplete: {output.incomplete}"
        meta = output.response.meta.prompt
        assert (meta.id, meta.version) == (prompt.meta.id, prompt.meta.version), slug
        assert meta.hash == prompt.hash, f"{slug}: recorded with another text of {default}; re-record"


def test_recorded_outputs_meet_the_replay_thresholds() -> None:
    gate = CONFIG.replay
    assert gate.prompt, "evals/thresholds.yaml names the recorded prompt under replay.prompt"
    folder = RECORDED / gate.prompt
    cases = gold_cases()
    recorded = read_predictions(folder, [c.slug for c in cases])
    assert set(recorded) == {c.slug for c in cases}, f"{folder} lacks a recorded output for some gold article"
    run = scored(cases, recorded, gate, f"replay · {gate.prompt}")
    assert gate.min_f1, "the replay gate has floors"
    assert not gate.failures(run)
