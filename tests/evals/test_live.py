"""Live eval: the real local model on a few short gold articles, gated by the measured baseline.

Slow (about 1-2 minutes per article on two cores); outputs go to a fresh cache so the model really
runs. The floors in evals/thresholds.yaml (`live`) sit a little below what the model scored when
they were set: a drop below them is a real regression, not noise at temperature 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.runner import RunSpec, output_cache, run_eval
from summarizer.fingerprint import answer_spec
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings
from tests.evals.gates import CONFIG, gold_cases, scored

pytestmark = pytest.mark.slow


async def test_local_model_meets_the_live_thresholds(local_llm_url: str, tmp_path: Path) -> None:
    gate = CONFIG.live
    assert gate.prompt and len(gate.articles) >= 3 and gate.min_f1
    settings = Settings(llm_base_url=local_llm_url, request_deadline_s=600, llm_timeout_s=300)
    prompt = PromptLibrary.load(settings.prompts_dir).get(gate.prompt)
    cases = gold_cases(gate.articles)
    spec = RunSpec(answer=answer_spec(settings, prompt, None))
    outputs = await run_eval(settings, cases, prompt.ref, spec, output_cache(tmp_path / "cache"), tmp_path / "run")
    assert not [o.error for o in outputs.values() if o.error]
    summaries = {slug: o.response.summary if o.response else None for slug, o in outputs.items()}
    run = scored(cases, summaries, gate, f"live · {gate.prompt}")
    assert not gate.failures(run)
