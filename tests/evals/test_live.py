"""Live eval: the real local model runs the default prompt on a few short gold articles.

The gate must fail only on quality. So it reads three short articles (one model call each with the
default); a speed probe (one fixed, short model call) is measured first, in this same run, and sizes
the deadline: the longest article's worst case (its prompt plus `max_tokens` decoded tokens) at the
probe's speed, times a margin, so a machine twice as slow or as busy gets twice the time; the pytest
timeout sits above every deadline the gate can set; and a run that still runs out of time fails with a
message saying it was the machine, not the answers. The floors in evals/thresholds.yaml (`live`) sit
a little below what the model scored when they were set. Outputs go to a fresh cache so the model
really runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.config import Probe
from summarizer.evals.runner import CaseOutput, RunSpec, output_cache, run_eval
from summarizer.fingerprint import answer_spec
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings
from tests.evals.gates import CONFIG, default_prompt, gold_cases, scored, speed_probe

STARTUP_S = 600  # the model's start and the probe, before the first article: generous on a busy machine
SPEED = CONFIG.live.speed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(STARTUP_S + len(CONFIG.live.articles) * SPEED.max_deadline_s)]


def ran_out_of_time(output: CaseOutput) -> bool:
    """A deadline or a read timeout: the machine was too slow for the budget, whatever the answer would be."""
    if output.problem == "deadline-exceeded" or (output.error and "timeout" in output.error.lower()):
        return True
    incomplete = output.response.meta.incomplete if output.response else []
    return any(item.reason.startswith("deadline-exceeded") or "timeout" in item.reason.lower() for item in incomplete)


def the_machine(probe: Probe, deadline: float, what: str) -> str:
    return (
        f"the machine, not the answers: {what} (speed probe: {probe.prompt_tokens} prompt + "
        f"{probe.completion_tokens} decoded tokens in {probe.seconds:.1f} s; deadline {deadline:.0f} s per article, "
        f"at most {SPEED.max_deadline_s:.0f} s). The answers were not judged: re-run on a less busy machine."
    )


async def test_local_model_meets_the_live_thresholds(local_llm_url: str, tmp_path: Path) -> None:
    gate, prompt_ref = CONFIG.live, default_prompt()
    assert gate.prompt == prompt_ref, f"live floors measured on {gate.prompt}, the default is {prompt_ref}"
    assert gate.articles and gate.min_f1
    cases = gold_cases(gate.articles)
    probe = await speed_probe(local_llm_url, timeout_s=STARTUP_S)
    max_tokens = Settings().llm_max_tokens
    deadline = max(SPEED.deadline(probe, len(case.text), max_tokens) for case in cases)
    print(f"speed probe {probe}: deadline {deadline:.0f} s per article")
    if deadline > SPEED.max_deadline_s:
        pytest.fail(the_machine(probe, deadline, "too slow to run the live gate at all"), pytrace=False)
    settings = Settings(
        llm_base_url=local_llm_url, request_deadline_s=deadline, llm_timeout_s=deadline, llm_transport_retries=0
    )
    prompt = PromptLibrary.load(settings.prompts_dir).get(prompt_ref)
    spec = RunSpec(answer=answer_spec(settings, prompt, None))
    outputs = await run_eval(settings, cases, prompt.ref, spec, output_cache(tmp_path / "cache"), tmp_path / "run")
    print({o.article: round(o.seconds, 1) for o in outputs.values()})
    late = sorted(o.article for o in outputs.values() if ran_out_of_time(o))
    if late:
        pytest.fail(the_machine(probe, deadline, f"{', '.join(late)} ran out of time"), pytrace=False)
    broken = {o.article: o.error or o.incomplete for o in outputs.values() if not o.complete}
    assert not broken, f"the model's answers failed or fell back to the rules: {broken}"
    summaries = {slug: o.response.summary if o.response else None for slug, o in outputs.items()}
    run = scored(cases, summaries, gate, f"live · {gate.prompt}")
    assert not gate.failures(run)
