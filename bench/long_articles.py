"""Cost growth and quality on long articles: 1x, 4x and 16x the seed's length, through the CLI.

The articles are real and distinct: the seed alone, then the seed followed by other gold articles
until the length is reached (16x is all 13 gold articles, ~40,000 characters). Each size is
summarized by `summarizer summarize` (the CLI a user runs, a fresh process and, without
`--upstream`, the embedded local model), and the bench prints model calls, prompt and completion
tokens, seconds (the summary's own latency, without process start) and each one's ratio *per
character* to the 1x case: linear cost is a ratio near 1.0 (target <= 1.2).

Quality: the 4x article is scored against its articles' gold joined (`evals.gold.join_cases`) and
compared with the same articles summarized one by one; target: within 0.05 F1 per field.

Memory (`--memory`): peak RSS of one `summarizer summarize` process with the rules prompt (the NLP
pass over the whole text is what grows with length; no model is started) on the seed, 100,000 and
500,000 characters (the default limit; gold articles repeated, which is fine for memory).

    python -m bench.long_articles [--sizes 1,4,16] [--upstream URL] [--prompt ID@V] [--no-quality]
    python -m bench.long_articles --memory
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.evals.aggregate import aggregate
from summarizer.evals.gold import GoldCase, join_cases, load_gold
from summarizer.evals.scoring import ScoringConfig, score_article
from summarizer.schemas import Summary
from tests.support.scripts import long_article

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "evals" / "gold"
SEED = "seed-belarus-talks"


@dataclass
class Run:
    label: str
    chars: int
    calls: int
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    incomplete: list[str]
    summary: Summary


def build(cases: list[GoldCase], multiple: int) -> list[GoldCase]:
    """The seed, then other gold articles (shortest first, so 4x is close to 4x), up to `multiple` seeds."""
    seed = next(c for c in cases if c.slug == SEED)
    others = sorted((c for c in cases if c.slug != SEED), key=lambda c: len(c.text))
    target = multiple * len(seed.text)
    chosen = [seed]
    for case in others:
        if sum(len(c.text) + 2 for c in chosen) >= target * 0.97:
            break
        chosen.append(case)
    return chosen


def summarize(text: str, label: str, args: argparse.Namespace) -> Run:
    """One `summarizer summarize` process on `text`; its JSON answer's meta gives calls, tokens, latency."""
    env = {**os.environ, "SUMMARIZER_REQUEST_DEADLINE_S": str(args.deadline), "SUMMARIZER_LLM_TIMEOUT_S": "900"}
    env["SUMMARIZER_RESPONSE_CACHE"] = "off"  # every run is measured: a kept answer would cost nothing
    if args.upstream:
        env["SUMMARIZER_LLM_BASE_URL"] = args.upstream
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
        handle.write(text)
    command = [str(Path(sys.executable).with_name("summarizer")), "summarize", handle.name]
    if args.prompt:
        command += ["--prompt", args.prompt]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    Path(handle.name).unlink()
    if done.returncode != 0:
        raise SystemExit(f"{label}: summarizer summarize failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    data: dict[str, Any] = json.loads(done.stdout)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / f"{label.split()[0]}.json").write_text(done.stdout, encoding="utf-8")
    meta = data["meta"]
    print(
        f"  done: {label}: {len(text)} chars, {meta['attempts']} calls, {time.perf_counter() - started:.0f}s",
        flush=True,
    )
    return Run(
        label,
        len(text),
        meta["attempts"],
        meta["usage"]["prompt_tokens"],
        meta["usage"]["completion_tokens"],
        meta["latency_ms"] / 1000,
        [i["field"] for i in meta["incomplete"]],
        Summary.model_validate(data["summary"]),
    )


def peak_rss(chars: int) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of the CLI summarizing `chars` characters with the rules prompt."""
    text = long_article(chars)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
        handle.write(text[:chars])
    env = {**os.environ, "SUMMARIZER_LLM_BASE_URL": "http://127.0.0.1:9/v1"}  # rules: no call is made
    command = [
        str(Path(sys.executable).with_name("summarizer")),
        "summarize",
        handle.name,
        "--prompt",
        "summarize-rules@1",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    elapsed = time.perf_counter() - started
    Path(handle.name).unlink()
    if status != 0:
        raise SystemExit(f"{chars} characters: summarizer summarize failed: {stderr[-300:]}")
    return usage.ru_maxrss / 1024, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1,4,16", help="multiples of the seed's length, comma-separated")
    parser.add_argument("--upstream", help="an OpenAI-compatible base URL (default: the embedded local model)")
    parser.add_argument("--prompt", help="prompt id@version (default: the service's)")
    parser.add_argument("--deadline", type=float, default=3600.0, help="request deadline per summary, seconds")
    parser.add_argument("--no-quality", action="store_true", help="skip the one-by-one runs of the 4x articles")
    parser.add_argument("--save", type=Path, help="write each answer (JSON) into this folder")
    parser.add_argument("--memory", action="store_true", help="only the peak-RSS runs (rules prompt, no model)")
    args = parser.parse_args(argv)
    cases = load_gold(GOLD)
    if args.memory:
        print(f"{'characters':>12} {'peak RSS MiB':>14} {'seconds':>9}")
        for chars in (len(next(c for c in cases if c.slug == SEED).text), 100_000, 500_000):
            rss, seconds = peak_rss(chars)
            print(f"{chars:12d} {rss:14.0f} {seconds:9.1f}", flush=True)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    runs: dict[int, Run] = {}
    parts: dict[int, list[GoldCase]] = {}
    for size in sizes:
        parts[size] = build(cases, size)
        runs[size] = summarize(join_cases(parts[size]).text, f"{size}x ({len(parts[size])} articles)", args)
    base = runs[sizes[0]]
    header = ("chars", "calls", "prompt tok", "compl tok", "seconds", "calls/ch", "prompt/ch", "compl/ch", "sec/ch")
    print(f"\n{'article':24} " + " ".join(f"{h:>10}" for h in header))
    for size in sizes:
        r = runs[size]
        scale = base.chars / r.chars  # per-character ratio to the 1x case

        def ratio(mine: float, theirs: float, scale: float = scale) -> str:
            return f"{mine * scale / theirs:10.2f}" if theirs else f"{'-':>10}"

        print(
            f"{r.label:24} {r.chars:10d} {r.calls:10d} {r.prompt_tokens:10d} {r.completion_tokens:10d} "
            f"{r.seconds:10.1f} {ratio(r.calls, base.calls)} {ratio(r.prompt_tokens, base.prompt_tokens)} "
            f"{ratio(r.completion_tokens, base.completion_tokens)} {ratio(r.seconds, base.seconds)}"
            + (f"  incomplete: {', '.join(r.incomplete)}" if r.incomplete else "")
        )
    quality = next((s for s in sizes if s > 1 and len(parts[s]) <= 6), None)
    if args.no_quality or quality is None:
        return 0
    joined = join_cases(parts[quality])
    together = aggregate([score_article(joined, runs[quality].summary)], ScoringConfig())
    singles = [runs[1].summary] if sizes[0] == 1 else []
    singles += [summarize(c.text, c.slug, args).summary for c in parts[quality][len(singles) :]]
    one_by_one = aggregate([score_article(c, s) for c, s in zip(parts[quality], singles, strict=True)], ScoringConfig())
    print(
        f"\nquality, {quality}x joined vs the same {len(singles)} articles one by one (micro F1; target: within 0.05)"
    )
    for name, field in one_by_one.fields.items():
        mine, theirs = together.fields[name].micro.f1, field.micro.f1
        if mine is None or theirs is None:  # nothing to find and nothing found on one side: no F1 to compare
            print(f"  {name:18} joined {mine}  one by one {theirs}")
            continue
        delta = mine - theirs
        verdict = "ok" if delta >= -0.05 else "WORSE"
        print(f"  {name:18} joined {mine:5.2f}  one by one {theirs:5.2f}  {delta:+.2f} {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
