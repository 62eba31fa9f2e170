"""Benchmark the embedded model's levers on the seed article, as ratios to a baseline run here.

Each configuration gets a fresh llama.cpp server (so every run starts cold) and summarizes the
seed once per strategy; the first configuration is the baseline. Wall-clock numbers depend on the
machine and on what else runs on it: compare the ratios, and only within one run of this script.

    python -m bench.local_model [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path

from summarizer.llm import LLMClient
from summarizer.local_model.fetch import ensure_model
from summarizer.local_model.server import LlamaServer, LlamaServerConfig
from summarizer.prompts import PromptLibrary
from summarizer.service import ArticleIn, Summarizer
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "articles" / "seed-belarus-talks.txt"


@dataclass(frozen=True)
class Case:
    label: str
    prompt: str
    server: LlamaServerConfig


@dataclass
class Result:
    case: Case
    seconds: float
    prompt_tokens: int
    completion_tokens: int
    quotes: int
    parties: int


async def _summarize(base_url: str, prompt: str, text: str) -> tuple[int, int, int, int]:
    settings = Settings(llm_base_url=base_url, request_deadline_s=1800, llm_timeout_s=900)
    llm = LLMClient(settings, base_url)
    try:
        summarizer = Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir))
        response = await summarizer.summarize(ArticleIn(text=text), prompt)
    finally:
        await llm.close()
    usage = response.meta.usage
    return usage.prompt_tokens, usage.completion_tokens, len(response.summary.quotes), len(response.summary.parties)


def run_case(case: Case, text: str, repeat: int) -> Result:
    with LlamaServer(case.server) as server:
        started = time.perf_counter()
        for _ in range(repeat):
            counts = asyncio.run(_summarize(server.base_url, case.prompt, text))
        elapsed = (time.perf_counter() - started) / repeat
    return Result(case, elapsed, *counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=1, help="summaries per configuration (same server)")
    args = parser.parse_args(argv)
    model = ensure_model(Settings().cache_dir)
    base = LlamaServerConfig(model=model, prompt_cache=False, prompt_lookup_drafts=False)
    cases = [
        Case("grouped@4 (baseline: the defaults)", "summarize-grouped@4", base),
        Case("grouped@4, --cache true", "summarize-grouped@4", replace(base, prompt_cache=True)),
        Case("grouped@4, prompt-lookup drafts", "summarize-grouped@4", replace(base, prompt_lookup_drafts=True)),
        Case("single@1", "summarize-single@1", base),
    ]
    text = SEED.read_text(encoding="utf-8")
    results = []
    for case in cases:
        result = run_case(case, text, args.repeat)
        results.append(result)
        print(f"  done: {case.label}: {result.seconds:.1f}s", flush=True)
    baseline = results[0].seconds
    header = ("s/summary", "ratio", "prompt tok", "compl tok", "quotes", "parties")
    print(f"\n{'configuration':40} " + " ".join(f"{h:>10}" for h in header))
    for r in results:
        print(
            f"{r.case.label:40} {r.seconds:10.1f} {r.seconds / baseline:10.2f} {r.prompt_tokens:10d} "
            f"{r.completion_tokens:10d} {r.quotes:10d} {r.parties:10d}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
