"""Deterministic replay eval: re-score committed model outputs against gold, gated by thresholds.

The outputs in evals/recorded/<prompt>/ were produced by `summarizer eval run` on the local model.
This test catches scorer or gold changes that move the numbers; re-record after a prompt change
(see evals/README.md) and move the bars in evals/thresholds.yaml in the same commit.
"""

from __future__ import annotations

from summarizer.evals.predictions import read_predictions
from tests.evals.gates import CONFIG, ROOT, gold_cases, scored


def test_recorded_outputs_meet_the_replay_thresholds() -> None:
    gate = CONFIG.replay
    assert gate.prompt, "evals/thresholds.yaml names the recorded prompt under replay.prompt"
    folder = ROOT / "evals" / "recorded" / gate.prompt
    cases = gold_cases()
    recorded = read_predictions(folder, [c.slug for c in cases])
    assert set(recorded) == {c.slug for c in cases}, f"{folder} lacks a recorded output for some gold article"
    run = scored(cases, recorded, gate, f"replay · {gate.prompt}")
    assert gate.min_f1, "the replay gate has floors"
    assert not gate.failures(run)
