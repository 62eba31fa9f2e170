"""Load test on loopback: many concurrent summaries against a fake upstream that injects faults.

    python -m bench.load [--requests 2000] [--concurrency 200] [--fault-rate 0.05]

`summarizer serve` runs as a child process (real CLI, real uvicorn); the fake upstream runs in this
process and answers ~5% of model calls with a fault (429, 5xx, reset, hang, HTML, truncated or
invalid JSON). Prints successes, each typed error, p50/p99 latency, the server's peak RSS and its
CPU milliseconds per request (the server process and every process it started, the NLP workers
included, over the load only), and exits non-zero unless every request was answered and none got a
500. Bounded in count and time.

CPU per request is the number to watch on a shared machine: throughput and latency move with what
else runs, while the CPU the server spends on one request does not (much).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.serving import serve_subprocess
from bench.upstream import Faulty
from tests.support.fake_upstream import FakeUpstream

ARTICLE = (Path(__file__).resolve().parents[1] / "evals" / "articles" / "seed-belarus-talks.txt").read_text()


@dataclass
class Report:
    requests: int
    concurrency: int
    outcomes: Counter[str] = field(default_factory=Counter)  # "200" or "<status> <problem slug>"
    unanswered: Counter[str] = field(default_factory=Counter)  # exception type -> count
    latencies_s: list[float] = field(default_factory=list)
    injected_faults: int = 0
    upstream_calls: int = 0
    upstream_errors: dict[str, int] = field(default_factory=dict)  # failed upstream calls by kind, per /metrics
    server_peak_rss_kib: int | None = None
    server_cpu_s: float | None = None  # user + system, the server's process tree, during the load
    bench_cpu_s: float = 0.0  # this process (clients and the fake upstream) during the load
    wall_s: float = 0.0

    @property
    def server_errors_500(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome.startswith("500"))

    @property
    def ok(self) -> bool:
        return not self.unanswered and self.server_errors_500 == 0

    def percentile(self, q: float) -> float:
        if len(self.latencies_s) < 2:
            return self.latencies_s[0] if self.latencies_s else 0.0
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[round(q) - 1]

    @property
    def cpu_ms_per_request(self) -> float | None:
        return None if self.server_cpu_s is None else self.server_cpu_s * 1000 / max(self.requests, 1)

    def lines(self) -> list[str]:
        rss = f"{self.server_peak_rss_kib / 1024:.0f} MiB" if self.server_peak_rss_kib else "unknown"
        per_request = self.cpu_ms_per_request
        cpu = "unknown" if per_request is None else f"{per_request:.1f} ms"
        out = [
            f"requests {self.requests} at concurrency {self.concurrency} in {self.wall_s:.1f}s "
            f"({self.requests / max(self.wall_s, 1e-9):.0f}/s); upstream calls {self.upstream_calls}, "
            f"faults injected {self.injected_faults}; failed upstream calls by kind {self.upstream_errors}",
            f"succeeded    {self.outcomes.get('200', 0)}",
        ]
        out += [f"  {outcome:<40} {n}" for outcome, n in sorted(self.outcomes.items()) if outcome != "200"]
        out += [
            f"unanswered   {sum(self.unanswered.values())} {dict(self.unanswered) or ''}".rstrip(),
            f"500s         {self.server_errors_500}",
            f"latency      p50 {self.percentile(50) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms",
            f"server peak RSS {rss}",
            f"server CPU   {cpu} per request ({self.server_cpu_s or 0:.1f} s in all); "
            f"the bench itself (clients, fake upstream) {self.bench_cpu_s * 1000 / max(self.requests, 1):.1f} ms",
            "OK" if self.ok else "FAILED: requests went unanswered or got a 500",
        ]
        return out


def _peak_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """`(parent pid, CPU seconds)` of a live process: its own user + system time and its reaped children's."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) * _TICK_S


def tree_cpu_s(root: int) -> float | None:
    """CPU seconds of `root` and every live descendant (worker processes it started), from /proc; None off Linux."""
    stats = {int(p.name): s for p in Path("/proc").glob("[0-9]*") if (s := _stat(int(p.name))) is not None}
    if root not in stats:
        return None
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += stats[pid][1]
        stack.extend(children.get(pid, ()))
    return total


async def _drive(base_url: str, report: Report, timeout_s: float) -> None:
    gate = asyncio.Semaphore(report.concurrency)
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout would close them under us.
    limits = httpx.Limits(
        max_connections=report.concurrency, max_keepalive_connections=report.concurrency, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s) as client:

        async def one() -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.post("/v1/summaries", json={"article": {"text": ARTICLE}})
                except httpx.HTTPError as exc:
                    report.unanswered[type(exc).__name__] += 1
                    return
                report.latencies_s.append(time.perf_counter() - started)
                if response.status_code == 200:
                    report.outcomes["200"] += 1
                else:
                    slug = str(response.json().get("type", "")).rsplit("/", 1)[-1]
                    report.outcomes[f"{response.status_code} {slug}"] += 1

        await asyncio.gather(*(one() for _ in range(report.requests)))


def run(requests: int, concurrency: int, fault_rate: float = 0.05, timeout_s: float = 120.0) -> Report:
    """Serve, load, and report; every request gets at most `timeout_s` before it counts as unanswered."""
    report = Report(requests=requests, concurrency=concurrency)
    responder = Faulty(fault_rate)
    with FakeUpstream(responder=responder) as upstream:
        env = {
            "SUMMARIZER_LLM_BASE_URL": upstream.base_url,
            "SUMMARIZER_LLM_MODEL": "fake-model",
            "SUMMARIZER_LLM_TIMEOUT_S": "10",
            "SUMMARIZER_LLM_RETRY_MAX_WAIT_S": "0.1",
            "SUMMARIZER_REQUEST_DEADLINE_S": "30",
            "SUMMARIZER_RATE_LIMIT_REQUESTS": "0",
            "SUMMARIZER_MAX_INFLIGHT_UPSTREAM": "64",
            "SUMMARIZER_LOG_LEVEL": "WARNING",
            "SUMMARIZER_RESPONSE_CACHE": "off",  # load the upstream path, not the cache (bench.cache measures that)
        }
        # A generous start-up allowance: importing spaCy and the app takes seconds, more on a busy machine.
        with serve_subprocess(env, timeout_s=180.0) as served:
            cpu_before = tree_cpu_s(served.process.pid)
            bench_before = time.process_time()
            started = time.perf_counter()
            asyncio.run(_drive(served.base_url, report, timeout_s))
            report.wall_s = time.perf_counter() - started
            report.bench_cpu_s = time.process_time() - bench_before
            cpu_after = tree_cpu_s(served.process.pid)
            if cpu_before is not None and cpu_after is not None:
                report.server_cpu_s = cpu_after - cpu_before
            report.server_peak_rss_kib = _peak_rss_kib(served.process.pid)
            report.upstream_errors = _upstream_errors(served.base_url, timeout_s)
            if not report.ok:
                problems = [line for line in served.logs().splitlines() if '"level": "info"' not in line]
                print("server log (not info):", *problems[-40:], sep="\n", file=sys.stderr)
        report.injected_faults = responder.injected
        report.upstream_calls = upstream.calls
    return report


def _upstream_errors(base_url: str, timeout_s: float) -> dict[str, int]:
    """Failed upstream calls by kind, as the server's /metrics counts them (runs whose callers gave up
    may still be finishing: the scrape waits as long as a request would)."""
    exposition = httpx.get(f"{base_url}/metrics", timeout=timeout_s).text
    return {
        line.split('"')[1]: int(float(line.rsplit(" ", 1)[1]))
        for line in exposition.splitlines()
        if line.startswith("summarizer_upstream_errors_total{")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=120.0, help="Per-request timeout in seconds.")
    args = parser.parse_args(argv)
    report = run(args.requests, args.concurrency, args.fault_rate, args.timeout)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
