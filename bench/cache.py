"""Cached summaries vs `GET /health` on the same served app: requests per second, and their ratio.

    python -m bench.cache [--requests 2000] [--concurrency 16] [--rounds 2]

`summarizer serve` runs as a child process (real CLI, real uvicorn, the default in-memory response
cache); the fake upstream answers in this process. One warm-up request makes the answer; then each
round drives `--requests` cached `POST /v1/summaries` and as many `GET /health` through one httpx
client with `--concurrency` in flight, alternating so drift hits both alike. The ratio is the figure
(issue 11's target: cached summaries at >= 0.5x health); the absolute rates are for this machine
only. Exits non-zero if any request was not a 200, or any summary was not a cache hit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.serving import fake_upstream_env, serve_subprocess
from bench.upstream import healthy
from tests.support.fake_upstream import FakeUpstream

ARTICLE = (Path(__file__).resolve().parents[1] / "evals" / "articles" / "seed-belarus-talks.txt").read_text()
BODY = {"article": {"text": ARTICLE}}
TARGET = 0.5


async def _rate(client: httpx.AsyncClient, requests: int, concurrency: int, summary: bool, seen: Counter[str]) -> float:
    """Requests per second for `requests` calls, `concurrency` at a time; outcomes counted in `seen`."""
    remaining = iter(range(requests))

    async def lane() -> None:
        for _ in remaining:
            if summary:
                response = await client.post("/v1/summaries", json=BODY)
                seen[f"{response.status_code} {response.headers.get('cache-status', '-')}"] += 1
            else:
                response = await client.get("/health")
                seen[f"{response.status_code} health"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return requests / (time.perf_counter() - started)


async def _drive(base_url: str, requests: int, concurrency: int, rounds: int) -> tuple[float, float, Counter[str]]:
    seen: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        warm = await client.post("/v1/summaries", json=BODY)
        if warm.status_code != 200:
            raise RuntimeError(f"warm-up summary failed: {warm.status_code} {warm.text[:500]}")
        health_rates, cached_rates = [], []
        for _ in range(rounds):
            health_rates.append(await _rate(client, requests, concurrency, False, seen))
            cached_rates.append(await _rate(client, requests, concurrency, True, seen))
    return sum(health_rates) / rounds, sum(cached_rates) / rounds, seen


def run(requests: int, concurrency: int, rounds: int) -> int:
    with FakeUpstream(responder=healthy) as upstream, tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        env = fake_upstream_env(upstream.base_url, cache, RESPONSE_CACHE="memory")
        with serve_subprocess(env) as served:
            health, cached, seen = asyncio.run(_drive(served.base_url, requests, concurrency, rounds))
        calls = upstream.calls
    ratio = cached / health
    print(f"cache bench: {requests} requests x {rounds} rounds each, concurrency {concurrency}, one server process")
    print(f"  GET /health                 {health:8.0f} req/s")
    print(f"  POST /v1/summaries (cached) {cached:8.0f} req/s")
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"  ratio cached/health         {ratio:8.2f}x  (target >= {TARGET}x: {verdict})")
    print(f"  upstream calls              {calls:8d}    (the warm-up's run only)")
    print(f"  outcomes                    {dict(seen)}")
    expected = {"200 health": requests * rounds, "200 summarizer; hit": requests * rounds}
    return 0 if dict(seen) == expected else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    return run(args.requests, args.concurrency, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
