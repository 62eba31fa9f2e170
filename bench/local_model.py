"""Benchmark strategies and the embedded model's levers on the seed article, as ratios to a baseline run here.

Each configuration gets a fresh llama.cpp server (so every run starts cold) and summarizes the
seed; the first configuration (the previous default, grouped@4) is the baseline. Wall-clock numbers
depend on the machine and on what else runs on it: compare the ratios, and only within one run.
The NLP pass is timed on its own (parse + candidates, warm pipeline) and shown as a share of the
candidates strategy's summary time.

    python -m bench.local_model [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path

from summarizer.llm.client import LLMClient
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
    calls: int


async def _summarize(base_url: str, prompt: str, text: str) -> tuple[int, int, int, int, int]:
    settings = Settings(llm_base_url=base_url, request_deadline_s=1800, llm_timeout_s=900)
    llm = LLMClient(settings, base_url)
    try:
        summarizer = Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir))
        response = await summarizer.summarize(ArticleIn(text=text), prompt)
    finally:
        await llm.close()
    usage, summary = response.meta.usage, response.summary
    return (
        usage.prompt_tokens,
        usage.completion_tokens,
        len(summary.quotes),
        len(summary.parties),
        response.meta.attempts,
    )


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
    parser.add_argument("--quick", action="store_true", help="only the baseline and the candidates strategy")
    args = parser.parse_args(argv)
    model = ensure_model(Settings().cache_dir)
    base = LlamaServerConfig(model=model, prompt_cache=False, prompt_lookup_drafts=False)
    cases = [
        Case("grouped@4 (baseline: previous default)", "summarize-grouped@4", base),
        Case("hybrid@2 (default)", "summarize-hybrid@2", base),
        Case("candidates@1", "summarize-candidates@1", base),
    ]
    if not args.quick:
        cases += [
            Case("hybrid@2, flash attention on", "summarize-hybrid@2", replace(base, flash_attn=True)),
            Case(
                "hybrid@2, n_batch 1024 / n_ubatch 1024",
                "summarize-hybrid@2",
                replace(base, n_batch=1024, n_ubatch=1024),
            ),
            Case(
                "hybrid@2, n_batch 256 / n_ubatch 256",
                "summarize-hybrid@2",
                replace(base, n_batch=256, n_ubatch=256),
            ),
            Case("grouped@4, prompt-lookup drafts", "summarize-grouped@4", replace(base, prompt_lookup_drafts=True)),
            Case("single@1", "summarize-single@1", base),
        ]
    text = SEED.read_text(encoding="utf-8")
    nlp_seconds = _nlp_pass_seconds(text)
    results = []
    for case in cases:
        result = run_case(case, text, args.repeat)
        results.append(result)
        print(f"  done: {case.label}: {result.seconds:.1f}s", flush=True)
    first = results[0]
    tokens = first.prompt_tokens + first.completion_tokens
    header = ("s/summary", "time ratio", "prompt tok", "compl tok", "tok ratio", "calls", "quotes", "parties")
    print(f"\n{'configuration':44} " + " ".join(f"{h:>10}" for h in header))
    for r in results:
        print(
            f"{r.case.label:44} {r.seconds:10.1f} {r.seconds / first.seconds:10.2f} {r.prompt_tokens:10d} "
            f"{r.completion_tokens:10d} {(r.prompt_tokens + r.completion_tokens) / tokens:10.2f} {r.calls:10d} "
            f"{r.quotes:10d} {r.parties:10d}"
        )
    default = results[1]
    print(
        f"\nNLP pass (parse + candidates, warm): {nlp_seconds * 1000:.0f} ms = "
        f"{nlp_seconds / default.seconds:.1%} of the {default.case.label} summary"
    )
    return 0


def _nlp_pass_seconds(text: str, repeat: int = 5) -> float:
    """Median time of the deterministic pass once its pipeline is loaded (loading happens once per process)."""
    from summarizer.text.article import Article
    from summarizer.text.candidates import candidates

    article = Article(text)
    candidates(article)  # load the pipeline
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        candidates(article)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    raise SystemExit(main())
