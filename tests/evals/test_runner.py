"""The runner: each output written as it arrives, cached by article+prompt+model, and resumable."""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import InvalidModelOutput
from summarizer.evals.gold import GoldCase
from summarizer.evals.runner import RunSpec, generate, output_cache, pending, read_outputs
from summarizer.evals.variants import perfect
from summarizer.fingerprint import AnswerSpec
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


def spec(prompt_hash: str = "abc", **options: object) -> RunSpec:
    parts = {
        "prompt_hash": prompt_hash, "draft_schemas": "d", "strategy": "grouped", "code_version": "c", "model": "m",
        "model_file_sha256": None, "temperature": 0.0, "max_tokens": 1024, "instructor_mode": "tools",
        "upstream": "http://upstream.test/v1",
    }  # fmt: skip
    return RunSpec(answer=AnswerSpec(parts=parts), **options)  # type: ignore[arg-type]


def cases() -> list[GoldCase]:
    first = case(parties=[ALVAREZ])
    second = GoldCase(gold=first.gold.model_copy(update={"article": "toy-two"}), text=TEXT + "More.\n")
    return [first, second]


async def test_second_run_makes_no_model_call(tmp_path: Path) -> None:
    cache, model = output_cache(tmp_path / "cache"), Model()
    first = await generate(cases(), spec(), model, cache, tmp_path / "run1")
    assert sorted(model.calls) == ["toy", "toy-two"] and not any(o.cached for o in first.values())
    assert (tmp_path / "run1" / "predictions" / "toy.json").is_file()

    assert pending(cases(), spec(), cache, tmp_path / "fresh") == []
    second = await generate(cases(), spec(), model, cache, tmp_path / "run2")
    assert len(model.calls) == 2 and all(o.cached for o in second.values())

    await generate(cases(), spec("changed"), model, cache, tmp_path / "run3")
    assert len(model.calls) == 4, "a new prompt hash is a new cache key"

    await generate(cases(), spec(use_cache=False), model, cache, tmp_path / "run4")
    assert len(model.calls) == 6, "--no-cache asks again"
    await generate(cases(), spec(repeat=2), model, cache, tmp_path / "run5")
    assert len(model.calls) == 8, "a repeat has cache entries of its own"


async def test_an_interrupted_run_resumes_and_retries_failures(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    flaky = Model(fail={"toy-two"})
    outputs = await generate(cases(), spec(), flaky, output_cache(tmp_path / "c1"), run_dir)
    assert outputs["toy-two"].error == "model output still invalid"
    assert set(read_outputs(run_dir)) == {"toy", "toy-two"}

    healed = Model()
    outputs = await generate(cases(), spec(), healed, output_cache(tmp_path / "c2"), run_dir)
    assert healed.calls == ["toy-two"], "the run directory already holds toy"
    assert all(o.response is not None for o in outputs.values())
