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


def test_the_live_gate_follows_the_default_prompt() -> None:
    # Before: the live gate pinned summarize-grouped@4 while the default was summarize-hybrid@2, so a
    # change to the default passed untested.
    default = Settings().default_prompt
    assert CONFIG.live.prompt == default, (
        f"evals/thresholds.yaml: `live.prompt` is {CONFIG.live.prompt}, but the default prompt is {default}"
    )


def test_a_recording_is_complete_and_of_the_current_prompt_text() -> None:
    """What the replay gate re-scores was really answered by the model, by the prompt as it reads today."""
    recorded = CONFIG.replay.prompt
    assert recorded, "evals/thresholds.yaml names the recorded prompt under replay.prompt"
    folder = RECORDED / recorded
    prompt = PromptLibrary.load(Settings().prompts_dir).get(recorded)
    slugs = {c.slug for c in gold_cases()}
    predictions = read_predictions(folder, slugs)
    assert set(predictions) == slugs, f"{folder} lacks a prediction for some gold article"
    outputs = read_outputs(folder) if (folder / OUTPUTS).is_file() else {}
    for slug, output in sorted(outputs.items()):
        assert output.response is not None, f"{slug}: recorded as an error: {output.error}"
        assert not output.response.meta.incomplete, f"{slug}: the recorded answer is incomplete: {output.incomplete}"
        assert output.response.meta.prompt.hash == prompt.hash, f"{slug}: recorded with another text; re-record"


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
