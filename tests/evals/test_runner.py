"""The runner: each output written as it arrives, cached by article+prompt+model, and resumable."""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import InvalidModelOutput
from summarizer.evals.cache import OutputCache
from summarizer.evals.gold import GoldCase
from summarizer.evals.runner import RunSpec, generate, pending, read_outputs
from summarizer.evals.variants import perfect
from summarizer.schemas import PromptInfo, SummaryMeta, SummaryResponse, UsageInfo
from tests.evals.toys import ALVAREZ, TEXT, case


def response(gold: GoldCase) -> SummaryResponse:
    meta = SummaryMeta(
        model="m", prompt=PromptInfo(id="p", version=1, hash="h"), schema_version="1.0",
        usage=UsageInfo(prompt_tokens=1, completion_tokens=1), attempts=1, reasks=0, latency_ms=1,
    )  # fmt: skip
    return SummaryResponse(summary=perfect(gold), meta=meta)


class Model:
    def __init__(self, fail: set[str] | None = None) -> None:
        self.calls: list[str] = []
        self.fail = fail or set()

    async def __call__(self, gold: GoldCase) -> SummaryResponse:
        self.calls.append(gold.slug)
        if gold.slug in self.fail:
            raise InvalidModelOutput("model output still invalid")
        return response(gold)


def cases() -> list[GoldCase]:
    first = case(parties=[ALVAREZ])
    second = GoldCase(gold=first.gold.model_copy(update={"article": "toy-two"}), text=TEXT + "More.\n")
    return [first, second]


async def test_second_run_makes_no_model_call(tmp_path: Path) -> None:
    cache, model = OutputCache(tmp_path / "cache"), Model()
    spec = RunSpec(prompt_hash="abc", model="m")
    first = await generate(cases(), spec, model, cache, tmp_path / "run1")
    assert sorted(model.calls) == ["toy", "toy-two"] and not any(o.cached for o in first.values())
    assert (tmp_path / "run1" / "predictions" / "toy.json").is_file()

    assert pending(cases(), spec, cache, tmp_path / "fresh") == []
    second = await generate(cases(), spec, model, cache, tmp_path / "run2")
    assert len(model.calls) == 2 and all(o.cached for o in second.values())

    await generate(cases(), RunSpec(prompt_hash="changed", model="m"), model, cache, tmp_path / "run3")
    assert len(model.calls) == 4, "a new prompt hash is a new cache key"


async def test_an_interrupted_run_resumes_and_retries_failures(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    flaky = Model(fail={"toy-two"})
    spec = RunSpec(prompt_hash="abc", model="m")
    outputs = await generate(cases(), spec, flaky, OutputCache(tmp_path / "c1"), run_dir)
    assert outputs["toy-two"].error == "model output still invalid"
    assert set(read_outputs(run_dir)) == {"toy", "toy-two"}

    healed = Model()
    outputs = await generate(cases(), spec, healed, OutputCache(tmp_path / "c2"), run_dir)
    assert healed.calls == ["toy-two"], "the run directory already holds toy"
    assert all(o.response is not None for o in outputs.values())
