"""What a summary costs on the embedded model, measured against the floor in the same run.

The **floor** is the cheapest request that reads an article at all: a bare chat request holding only
the article, `max_tokens: 1`, on the same llama.cpp server. Everything a summary costs above it is
instructions, schemas and output: ours to cut. For each benchmark article (the seed, a short and a
long committed Wikinews article) and each prompt, the floor is asked right before the summary, so a
shared, busy machine slows both alike; each row gives the medians over the articles of

- **sent ÷ floor**: prompt tokens of all the summary's calls (what `meta.usage` reports) over the
  floor's prompt tokens;
- **eval ÷ floor**: prompt tokens llama.cpp actually evaluated (its log: a call that starts with the
  previous call's prefix re-uses it), and **eval − floor** in tokens;
- **compl**: completion tokens; **s ÷ floor**: seconds of the summary over the floor's seconds;
  **cpu ÷ floor**: the same for the CPU time the llama.cpp server process used, which a machine
  shared with other work disturbs far less than wall-clock time.

The per-call lines show each extra question's evaluated prompt tokens, completion tokens and seconds.
The issue-19 targets for the default prompt are checked on the medians: eval ≤ 1.25 × floor + 120,
completion ≤ 200, seconds ≤ 2.0 × floor. Each server configuration gets a fresh server; compare
ratios only within one run (wall-clock time depends on what else the machine does).

    python -m bench.local_model [--prompts ID@N,...] [--articles SLUG,...] [--levers] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from summarizer.llm.client import LLMClient
from summarizer.local_model.fetch import ensure_model
from summarizer.local_model.server import LlamaServer, LlamaServerConfig
from summarizer.prompts import PromptLibrary
from summarizer.service import ArticleIn, Summarizer
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "evals" / "articles"
# The seed, a short and a long article (939, 2,441 and 5,446 characters; the gold's median is ~3,000).
DEFAULT_ARTICLES = ("seed-belarus-talks", "wikinews-worship", "wikinews-election")
TARGET_TOKENS = (1.25, 120)  # evaluated prompt tokens <= 1.25 x floor + 120
TARGET_COMPLETION = 200
TARGET_SECONDS = 2.0
_PROMPT_EVAL = re.compile(r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens")
_EVAL = re.compile(r"\s eval time =\s*([\d.]+) ms /\s*(\d+) runs")


@dataclass(frozen=True)
class Case:
    label: str
    prompt: str
    server: LlamaServerConfig


@dataclass(frozen=True)
class Call:
    """One call as llama.cpp's log tells it: prompt tokens it evaluated, tokens it decoded, milliseconds."""

    evaluated: int
    prompt_ms: float
    decoded: int
    decode_ms: float


@dataclass
class Measure:
    """One request (the floor or a summary) on one article."""

    seconds: float
    cpu_seconds: float
    prompt_tokens: int
    completion_tokens: int
    calls: list[Call] = field(default_factory=list)

    @property
    def evaluated(self) -> int:
        return sum(c.evaluated for c in self.calls) if self.calls else self.prompt_tokens


@dataclass
class Pair:
    article: str
    floor: Measure
    summary: Measure
    failed: str = ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Log:
    """Reads what the server logged since the last read: one `Call` per llama.cpp perf block."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def calls(self) -> list[Call]:
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            text = handle.read().decode("utf-8", "replace")
            self.offset = handle.tell()
        found: list[Call] = []
        prompt: tuple[float, int] | None = None
        for line in text.splitlines():
            if match := _PROMPT_EVAL.search(line):
                prompt = float(match[1]), int(match[2])
            elif (match := _EVAL.search(line)) and prompt is not None:
                found.append(Call(prompt[1], prompt[0], int(match[2]), float(match[1])))
                prompt = None
        return found


def floor(server: LlamaServer, text: str, log: Log) -> Measure:
    """The bare request: the article as the only message, one token out."""
    body = {"model": "floor", "messages": [{"role": "user", "content": text}], "max_tokens": 1, "temperature": 0}
    cpu, started = cpu_seconds(server.pid or 0), time.perf_counter()
    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=1800)
    response.raise_for_status()
    seconds, cpu = time.perf_counter() - started, cpu_seconds(server.pid or 0) - cpu
    usage = response.json()["usage"]
    return Measure(seconds, cpu, usage["prompt_tokens"], usage["completion_tokens"], log.calls())


async def _summarize(base_url: str, prompt: str, text: str) -> tuple[int, int]:
    settings = Settings(llm_base_url=base_url, request_deadline_s=1800, llm_timeout_s=900)
    llm = LLMClient(settings, base_url)
    try:
        summarizer = Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir))
        response = await summarizer.summarize(ArticleIn(text=text), prompt)
    finally:
        await llm.close()
    if response.meta.incomplete:
        raise RuntimeError(f"incomplete: {[i.field for i in response.meta.incomplete]}")
    return response.meta.usage.prompt_tokens, response.meta.usage.completion_tokens


def summary(server: LlamaServer, prompt: str, text: str, log: Log) -> Measure:
    cpu, started = cpu_seconds(server.pid or 0), time.perf_counter()
    prompt_tokens, completion_tokens = asyncio.run(_summarize(server.base_url, prompt, text))
    seconds, cpu = time.perf_counter() - started, cpu_seconds(server.pid or 0) - cpu
    return Measure(seconds, cpu, prompt_tokens, completion_tokens, log.calls())


def run_case(case: Case, articles: list[str], repeat: int) -> list[Pair]:
    """Per article (and repeat): the floor, then the summary, on one fresh server."""
    pairs = []
    with LlamaServer(replace(case.server, verbose=True)) as server:
        log = Log(server.log_path)
        floor(server, "Warm up.", log)  # the first request of a fresh server pages the model in: not measured
        for slug in articles:
            text = (ARTICLES / f"{slug}.txt").read_text(encoding="utf-8")
            for _ in range(repeat):
                bare = floor(server, text, log)
                try:
                    measured = summary(server, case.prompt, text, log)
                except Exception as exc:  # a failed summary is a row, not the end of the run
                    pairs.append(Pair(slug, bare, Measure(0, 0, 0, 0, log.calls()), f"{type(exc).__name__}: {exc}"))
                    continue
                pairs.append(Pair(slug, bare, measured))
                print(
                    f"  {case.label} / {slug}: floor {bare.seconds:.1f}s, summary {measured.seconds:.1f}s", flush=True
                )
    return pairs


@dataclass(frozen=True)
class Row:
    label: str
    sent_ratio: float
    eval_ratio: float
    eval_extra: float
    completion: float
    seconds_ratio: float
    cpu_ratio: float
    seconds: float
    floor_tokens: float
    failed: int

    def meets_targets(self) -> bool:
        scale, plus = TARGET_TOKENS
        return (
            self.failed == 0
            and self.eval_extra <= (scale - 1) * self.floor_tokens + plus
            and self.completion <= TARGET_COMPLETION
            and self.seconds_ratio <= TARGET_SECONDS
        )


def row(label: str, pairs: list[Pair]) -> Row:
    good = [p for p in pairs if not p.failed]
    if not good:
        return Row(label, *(float("nan"),) * 8, failed=len(pairs))

    def median(values: list[float]) -> float:
        return statistics.median(values)

    return Row(
        label,
        sent_ratio=median([p.summary.prompt_tokens / p.floor.prompt_tokens for p in good]),
        eval_ratio=median([p.summary.evaluated / p.floor.prompt_tokens for p in good]),
        eval_extra=median([p.summary.evaluated - p.floor.prompt_tokens for p in good]),
        completion=median([p.summary.completion_tokens for p in good]),
        seconds_ratio=median([p.summary.seconds / p.floor.seconds for p in good]),
        cpu_ratio=median([p.summary.cpu_seconds / max(p.floor.cpu_seconds, 0.01) for p in good]),
        seconds=median([p.summary.seconds for p in good]),
        floor_tokens=median([p.floor.prompt_tokens for p in good]),
        failed=len(pairs) - len(good),
    )


def print_table(rows: list[Row]) -> None:
    header = ("sent÷floor", "eval÷floor", "eval−floor", "compl", "s÷floor", "cpu÷floor", "s", "failed", "targets")
    print(f"\n{'prompt / server (medians over articles)':52} " + " ".join(f"{h:>10}" for h in header))
    for r in rows:
        met = "met" if r.meets_targets() else "not met"
        print(
            f"{r.label:52} {r.sent_ratio:10.2f} {r.eval_ratio:10.2f} {r.eval_extra:10.0f} {r.completion:10.0f} "
            f"{r.seconds_ratio:10.2f} {r.cpu_ratio:10.2f} {r.seconds:10.1f} {r.failed:10d} {met:>10}"
        )


def print_calls(label: str, pairs: list[Pair]) -> None:
    """Each call of each summary: what the second and later questions cost once the prefix is re-used."""
    print(f"\n{label}: per article, floor then each call (evaluated prompt tok / decoded tok / s)")
    for p in pairs:
        calls = "  ".join(
            f"#{n}: {c.evaluated}/{c.decoded}/{(c.prompt_ms + c.decode_ms) / 1000:.1f}s"
            for n, c in enumerate(p.summary.calls, 1)
        )
        status = f"  FAILED {p.failed}" if p.failed else ""
        print(
            f"  {p.article:22} floor {p.floor.prompt_tokens} tok {p.floor.seconds:.1f}s "
            f"(cpu {p.floor.cpu_seconds:.1f}s), summary {p.summary.seconds:.1f}s (cpu {p.summary.cpu_seconds:.1f}s) "
            f"| {calls}{status}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_prompt = Settings().default_prompt
    parser.add_argument("--prompts", default=default_prompt, help=f"comma-separated id@N (default: {default_prompt})")
    parser.add_argument("--articles", default=",".join(DEFAULT_ARTICLES), help="comma-separated evals/articles slugs")
    parser.add_argument("--levers", action="store_true", help="also the first prompt under each server lever")
    parser.add_argument("--repeat", type=int, default=1, help="floor + summary pairs per article and case")
    args = parser.parse_args(argv)
    model = ensure_model(Settings().cache_dir)
    base = LlamaServerConfig(model=model)
    prompts = [p.strip() for p in args.prompts.split(",") if p.strip()]
    articles = [a.strip() for a in args.articles.split(",") if a.strip()]
    cases = [Case(prompt, prompt, base) for prompt in prompts]
    if args.levers:
        first = prompts[0]
        cases += [
            Case(f"{first}, flash attention", first, replace(base, flash_attn=True)),
            Case(f"{first}, n_batch/n_ubatch 1024", first, replace(base, n_batch=1024, n_ubatch=1024)),
            Case(f"{first}, n_batch/n_ubatch 256", first, replace(base, n_batch=256, n_ubatch=256)),
            Case(f"{first}, 1 thread", first, replace(base, n_threads=1)),
        ]
    results = [(case, run_case(case, articles, args.repeat)) for case in cases]
    for case, pairs in results:
        print_calls(case.label, pairs)
    rows = [row(case.label, pairs) for case, pairs in results]
    print_table(rows)
    print(
        f"\ntargets (issue 19, default prompt): eval ≤ {TARGET_TOKENS[0]} × floor + {TARGET_TOKENS[1]}, "
        f"completion ≤ {TARGET_COMPLETION}, seconds ≤ {TARGET_SECONDS} × floor"
    )
    nlp = _nlp_pass_seconds((ARTICLES / f"{articles[0]}.txt").read_text(encoding="utf-8"))
    print(f"NLP pass (parse + candidates, warm) on {articles[0]}: {nlp * 1000:.0f} ms")
    return 1 if any(r.failed for r in rows) else 0


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
