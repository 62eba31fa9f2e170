"""Time to the first streamed part vs time to the whole answer, per strategy, as ratios from one run.

    python -m bench.stream [--latency 0.3] [--requests 5]

`summarizer serve` runs as a child (real CLI, real uvicorn, response cache off so every request
runs); the fake upstream answers each model call after `--latency` seconds, as a slow local model
would (scaled down). Each request is sent as `text/event-stream`; the figures are the mean time to
the first event and to the `summary` event, and the same request's JSON answer for the stream's
overhead (one warm-up request per prompt first: the first run loads the NLP pipeline). grouped@4
(three calls) should show its first part at about a third of the answer; the default hybrid@2 sends
`locations` and `claims` before its one call, so its first part comes before any model time. Exits
non-zero if any stream did not end with `summary` or sent a part twice.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time

import httpx

from bench.serving import fake_upstream_env, serve_subprocess
from tests.support.fake_upstream import FakeUpstream
from tests.support.scripts import ATTRIBUTIONS, ENTITIES, EVENTS, answering, seed_text

PROMPTS = ("summarize-grouped@4", "summarize-hybrid@2")
PARTS = ["entities", "locations", "quotes", "outcomes", "claims"]


async def _stream(client: httpx.AsyncClient, prompt: str) -> tuple[float, float, list[str]]:
    """Seconds to the first event and to the last, and the events' names, of one streamed request."""
    body = {"article": {"text": seed_text()}, "prompt": prompt}
    names: list[str] = []
    started = time.perf_counter()
    first = 0.0
    async with client.stream("POST", "/v1/summaries", json=body, headers={"Accept": "text/event-stream"}) as response:
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                names.append(line.removeprefix("event: "))
                first = first or time.perf_counter() - started
    return first, time.perf_counter() - started, names


async def _plain(client: httpx.AsyncClient, prompt: str) -> float:
    started = time.perf_counter()
    response = await client.post("/v1/summaries", json={"article": {"text": seed_text()}, "prompt": prompt})
    response.raise_for_status()
    return time.perf_counter() - started


async def _drive(base_url: str, requests: int) -> tuple[dict[str, tuple[float, float, float]], list[str]]:
    figures: dict[str, tuple[float, float, float]] = {}
    wrong: list[str] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        for prompt in PROMPTS:
            await _plain(client, prompt)  # warm-up, not counted: the first run loads the NLP pipeline
            firsts, lasts, plains = [], [], []
            for _ in range(requests):
                first, last, names = await _stream(client, prompt)
                if sorted(names[:-1]) != sorted(PARTS) or names[-1:] != ["summary"]:
                    wrong.append(f"{prompt}: {names}")
                firsts.append(first)
                lasts.append(last)
                plains.append(await _plain(client, prompt))
            figures[prompt] = (sum(firsts) / requests, sum(lasts) / requests, sum(plains) / requests)
    return figures, wrong


def run(latency: float, requests: int) -> int:
    responder = answering(latency, EntitiesExtraction=ENTITIES, EventsExtraction=EVENTS, QuoteAttributions=ATTRIBUTIONS)
    with FakeUpstream(responder=responder) as upstream, tempfile.TemporaryDirectory(prefix="bench-stream-") as cache:
        env = fake_upstream_env(upstream.base_url, cache, RESPONSE_CACHE="off")
        with serve_subprocess(env, timeout_s=180) as served:  # a shared machine starts slowly
            figures, wrong = asyncio.run(_drive(served.base_url, requests))
    print(f"stream bench: {requests} streamed + {requests} JSON requests per prompt, {latency:.2f} s per model call")
    for prompt, (first, last, plain) in figures.items():
        print(
            f"  {prompt:22} first part {first:6.2f} s, summary {last:6.2f} s, JSON {plain:6.2f} s: "
            f"first/summary {first / last:4.2f}x, stream/JSON {last / plain:4.2f}x"
        )
    for problem in wrong:
        print(f"  WRONG EVENTS {problem}")
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args(argv)
    return run(args.latency, args.requests)


if __name__ == "__main__":
    sys.exit(main())
