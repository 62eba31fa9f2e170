"""Live eval: the real local model on a few short gold articles, gated by the measured baseline.

Slow (about 1-2 minutes per article on two cores); outputs go to a fresh cache so the model really
runs. The floors in evals/thresholds.yaml (`live`) sit a little below what the model scored when
they were set: a drop below them is a real regression, not noise at temperature 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.cache import OutputCache
from summarizer.evals.gold import GoldCase
from summarizer.evals.runner import RunSpec, generate
from summarizer.llm import LLMClient
from summarizer.prompts import PromptLibrary
from summarizer.service import ArticleIn, Summarizer, SummaryResponse
from summarizer.settings import Settings
from tests.evals.gates import CONFIG, gold_cases, scored

pytestmark = pytest.mark.slow


async def test_local_model_meets_the_live_thresholds(local_llm_url: str, tmp_path: Path) -> None:
    gate = CONFIG.live
    assert gate.prompt and len(gate.articles) >= 3 and gate.min_f1
    settings = Settings(llm_base_url=local_llm_url, request_deadline_s=600, llm_timeout_s=300)
    llm = LLMClient(settings, local_llm_url)
    library = PromptLibrary.load(settings.prompts_dir)
    summarizer = Summarizer(settings, llm, library)

    async def summarize(case: GoldCase) -> SummaryResponse:
        return await summarizer.summarize(ArticleIn(text=case.text), gate.prompt)

    cases = gold_cases(gate.articles)
    spec = RunSpec(prompt_hash=library.get(gate.prompt).hash, model=settings.llm_model)
    try:
        outputs = await generate(cases, spec, summarize, OutputCache(tmp_path / "cache"), tmp_path / "run")
    finally:
        await llm.close()
    assert not [o.error for o in outputs.values() if o.error]
    summaries = {slug: o.response.summary if o.response else None for slug, o in outputs.items()}
    run = scored(cases, summaries, gate, f"live · {gate.prompt}")
    assert not gate.failures(run)
