"""Batch jobs on a real valkey-server with real `summarizer worker` processes, against the fake upstream on loopback.

    python -m bench.batches [--per-worker 24] [--concurrency 2] [--fault-articles 2000] [--only scaling|faults]

1. Scaling: every upstream call takes a fixed 200 ms; a batch of `per-worker x N` articles is
   worked by N = 1, 2, 4 worker processes (concurrency 2 each). Prints articles/s, worker CPU and the
   efficiency against linear scaling from the 1-worker run of the same invocation (target >= 0.8).
2. Faults: a 2,000-article batch, 10 % of upstream calls faulty (429, 5xx, resets, hangs, HTML,
   truncated or invalid JSON), two workers, one SIGKILLed when half the batch is done. Every
   article must end with a summary or a typed problem: 0 lost, 0 duplicated.

Exits non-zero if the fault run loses or duplicates anything. Bounded: each phase has a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import redis

from bench.serving import serve_subprocess
from bench.upstream import Faulty, healthy
from summarizer.jobs.batches import QUEUE_NAME
from summarizer.jobs.valkey import QueueServer
from tests.support.fake_upstream import FakeUpstream, Reply, delayed

TEXT = "The city council approved the new bridge on Monday after a long debate about its cost."


def slow_model(seconds: float) -> Any:
    def answer(request: dict[str, Any]) -> Reply:
        return delayed(healthy(request), seconds)

    return answer


def env_for(upstream: FakeUpstream, redis_url: str, cache_dir: Path, **extra: str) -> dict[str, str]:
    base = {
        "SUMMARIZER_LLM_BASE_URL": upstream.base_url,
        "SUMMARIZER_LLM_MODEL": "fake-model",
        "SUMMARIZER_REDIS_URL": redis_url,
        "SUMMARIZER_CACHE_DIR": str(cache_dir),
        "SUMMARIZER_RATE_LIMIT_REQUESTS": "0",
        "SUMMARIZER_BATCH_WORKER_IN_SERVE": "false",
        "SUMMARIZER_BATCH_MAX_INFLIGHT": "64",
        "SUMMARIZER_LOG_LEVEL": "WARNING",
    }
    return {**os.environ, **base, **extra}


@contextmanager
def workers(n: int, env: dict[str, str], logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    command = [sys.executable, "-c", "from summarizer.cli import main; main()", "worker"]
    processes = []
    for i in range(n):
        with (logs / f"worker-{len(list(logs.iterdir()))}-{i}.log").open("wb") as log:
            processes.append(subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log))
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_registered(queue: redis.Redis, n: int, deadline_s: float = 120.0) -> None:
    """Until n live workers have written their saq worker info (they are ready to dequeue)."""
    deadline = time.monotonic() + deadline_s
    while len(queue.keys(f"saq:{QUEUE_NAME}:worker_info:*")) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{n} workers did not register")
        time.sleep(0.1)


def submit(http: httpx.Client, count: int, prefix: str) -> str:
    articles = [{"id": f"{prefix}{i}", "text": f"{TEXT} ({i})"} for i in range(count)]
    response = http.post("/v1/batches", json={"articles": articles})
    response.raise_for_status()
    return str(response.json()["id"])


def wait_done(
    http: httpx.Client, batch: str, deadline_s: float, on_progress: Any = None, poll_s: float = 0.1
) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    while True:
        status: dict[str, Any] = http.get(f"/v1/batches/{batch}").json()
        if status["status"] == "completed":
            return status
        if on_progress is not None:
            on_progress(status)
        if time.monotonic() > deadline:
            raise RuntimeError(f"batch {batch} not done in {deadline_s:.0f}s: {status['counts']}")
        time.sleep(poll_s)


def scaling(
    http: httpx.Client, queue: redis.Redis, env: dict[str, str], logs: Path, per_worker: int, concurrency: int
) -> list[str]:
    rates: dict[int, float] = {}
    cpu_ms: dict[int, float] = {}
    for n in (1, 2, 4):
        queue.delete(*queue.keys(f"saq:{QUEUE_NAME}:worker_info:*") or ["-"])
        with workers(n, {**env, "SUMMARIZER_WORKER_CONCURRENCY": str(concurrency)}, logs) as processes:
            wait_registered(queue, n)
            count = per_worker * n
            started = time.monotonic()
            batch = submit(http, count, f"s{n}-")
            before = sum(cpu_s(p.pid) for p in processes)
            wait_done(http, batch, deadline_s=120, poll_s=0.5)
            rates[n] = count / (time.monotonic() - started)
            cpu_ms[n] = (sum(cpu_s(p.pid) for p in processes) - before) * 1000 / count
    lines = [
        f"batch throughput, fake upstream at a fixed 200 ms a call (2 calls an article), concurrency {concurrency} "
        f"a worker (ideal {concurrency / 0.4:.1f} articles/s a worker):"
    ]
    for n, rate in rates.items():
        efficiency = rate / (n * rates[1])
        lines.append(
            f"  {n} worker(s): {rate:6.1f} articles/s  {rate / rates[1]:4.2f}x  efficiency {efficiency:4.2f}  "
            f"worker CPU {cpu_ms[n]:.0f} ms an article"
        )
    return lines


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def faults(
    http: httpx.Client, queue: redis.Redis, env: dict[str, str], logs: Path, count: int, upstream: FakeUpstream
) -> tuple[list[str], bool]:
    faulty = Faulty(0.10)
    upstream._responder = faulty
    killed_at: dict[str, int] = {}
    queue.delete(*queue.keys(f"saq:{QUEUE_NAME}:worker_info:*") or ["-"])
    fast = {
        **env,
        "SUMMARIZER_WORKER_CONCURRENCY": "8",
        "SUMMARIZER_LLM_TIMEOUT_S": "2",
        "SUMMARIZER_LLM_RETRY_MAX_WAIT_S": "0.05",
        "SUMMARIZER_LLM_TRANSPORT_RETRIES": "2",
        "SUMMARIZER_LLM_REASKS": "1",
        "SUMMARIZER_REQUEST_DEADLINE_S": "20",
        "SUMMARIZER_BATCH_HEARTBEAT_S": "4",
    }
    with workers(2, fast, logs) as (doomed, _survivor):
        wait_registered(queue, 2)
        started = time.monotonic()
        batch = submit(http, count, "f")

        def kill_midway(status: dict[str, Any]) -> None:
            done = status["counts"]["succeeded"] + status["counts"]["failed"]
            if not killed_at and done >= count // 2:
                doomed.send_signal(signal.SIGKILL)
                killed_at.update(done=done, running=status["counts"]["running"])

        status = wait_done(http, batch, deadline_s=400, on_progress=kill_midway)
        wall = time.monotonic() - started
    lines = [json.loads(line) for line in http.get(f"/v1/batches/{batch}/results").text.splitlines()]
    ids = Counter(line["id"] for line in lines)
    outcomes = Counter(
        "summary" if "summary" in line else str(line["problem"]["type"]).rsplit("/", 1)[-1] for line in lines
    )
    problems = [line.get("problem", {}) for line in lines if "summary" not in line]
    typed = all(str(problem.get("type", "")).startswith("https://") for problem in problems)
    lost = count - len(ids)
    duplicated = sum(n - 1 for n in ids.values())
    refused = int(queue.hget(f"summarizer:batch:{batch}:counts", "duplicates_refused") or 0)
    ok = lost == 0 and duplicated == 0 and typed and status["counts"]["succeeded"] + status["counts"]["failed"] == count
    report = [
        f"fault run: {count} articles, {faulty.injected} of {upstream.calls} upstream calls faulty "
        f"({faulty.injected / max(upstream.calls, 1):.0%}), 2 workers, one SIGKILLed at {killed_at.get('done')} done "
        f"({killed_at.get('running')} running), {wall:.1f}s",
        "  outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()),
        f"  lost {lost}, duplicated {duplicated}, every line a summary or a typed problem: {typed}; "
        f"second writes refused by the store: {refused}",
    ]
    return report, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-worker", type=int, default=24)
    parser.add_argument("--fault-articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=2, help="articles at once per worker in the scaling runs")
    parser.add_argument("--only", choices=("scaling", "faults"), default=None)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-batches-", dir="/tmp")))
        logs = folder / "logs"
        logs.mkdir()
        server = stack.enter_context(QueueServer(folder / "q"))
        queue = redis.Redis.from_url(server.url)
        upstream = stack.enter_context(FakeUpstream(slow_model(0.2)))
        env = env_for(upstream, server.url, folder / "cache", SUMMARIZER_BATCH_MAX_ARTICLES=str(args.fault_articles))
        served = stack.enter_context(serve_subprocess({k: v for k, v in env.items() if k.startswith("SUMMARIZER_")}))
        http = stack.enter_context(httpx.Client(base_url=served.base_url, timeout=60))
        ok = True
        if args.only in (None, "scaling"):
            for line in scaling(http, queue, env, logs, args.per_worker, args.concurrency):
                print(line, flush=True)
        if args.only in (None, "faults"):
            report, ok = faults(http, queue, env, logs, args.fault_articles, upstream)
            for line in report:
                print(line, flush=True)
        queue.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
