"""The prompt lab on the fake upstream: time to the first cell and to the whole matrix, a cached re-run, page weight.

    python -m bench.lab [--concurrency 1]

`summarizer serve` with the lab mounted runs as a child (real CLI, real uvicorn); the scripted model
(`tests.lab.model.GoldModel`, answers read from the gold files) answers in this process. Headless
chromium opens the page for the 13 committed gold articles x 2 prompts, clicks Run and reads the page's
own timings (from the click to the first answered cell, and to the last); then clicks re-run on one
article (cached: no model call). The whole matrix is then asked again from the cache over HTTP. For
scale, `summarizer eval run` answers the same two prompts over the same articles, cold, with its own
cache, at the same concurrency: `lab / eval` is what the lab costs on top of the runner it uses (each
`eval run` reports its own wall time, start-up excluded). Page weight: the bytes of the page, its style
and script, a board and an article payload, and an exported file.

Absolute seconds are for this machine only (2 shared cores); compare ratios measured in one run.
Exits non-zero when a cell failed or the cached re-runs called the model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Response, sync_playwright

from bench.serving import fake_upstream_env, serve_subprocess
from tests.lab.model import GOLD, ROOT, GoldModel
from tests.support.browser import CHROMIUM, FLAGS
from tests.support.fake_upstream import FakeUpstream

PROMPTS = ("summarize-grouped@3", "summarize-grouped@4")
TIMING = re.compile(r"first cell ([\d.]+) s · matrix ([\d.]+) s")


def _page_run(page_url: str, click: str, weights: dict[str, int]) -> tuple[float, float]:
    """Open the page, click `click`, and return the page's (first cell, whole matrix) seconds."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def weigh(response: Response) -> None:
            path = urlsplit(response.url).path
            if not path.startswith("/lab/api/") and response.ok:
                weights[path] = len(response.body())

        page.on("response", weigh)
        page.goto(page_url)
        page.locator("#matrix-body tr[data-slug]").first.wait_for(timeout=120_000)
        page.click(click)
        page.locator("#run-status", has_text="matrix").wait_for(timeout=900_000)
        status = page.inner_text("#run-status")
        browser.close()
    found = TIMING.search(status)
    if found is None or "0 failed" not in status:
        raise RuntimeError(f"the run did not finish cleanly: {status}")
    return float(found.group(1)), float(found.group(2))


def _eval_wall(env: dict[str, str], gold: Path, out: Path, concurrency: int) -> float:
    """Both prompts through `summarizer eval run`, cold: the sum of the wall times the runs report."""
    total = 0.0
    for prompt in PROMPTS:
        target = out / prompt
        command = [sys.executable, "-c", "from summarizer.cli import main; main()", "eval", "run", "--prompt", prompt]
        command += ["--gold", str(gold), "--out", str(target), "--concurrency", str(concurrency)]
        subprocess.run(command, env=env, check=True, capture_output=True)
        total += json.loads((target / "scores.json").read_text())["meta"]["wall_seconds"]
    return total


def run(concurrency: int) -> int:
    model = GoldModel()
    with FakeUpstream(model) as upstream, tempfile.TemporaryDirectory(prefix="bench-lab-") as folder:
        tmp = Path(folder)
        shutil.copytree(ROOT / "prompts", tmp / "prompts")
        settings = {
            "LAB_IN_SERVE": "true", "LAB_RUNS_DIR": str(tmp / "runs"), "LAB_GOLD_DIRS": str(GOLD),
            "LAB_CONCURRENCY": str(concurrency), "LLM_TRANSPORT_RETRIES": "0", "PROMPTS_DIR": str(tmp / "prompts"),
            "BATCH_WORKER_IN_SERVE": "false",
        }  # fmt: skip
        env = fake_upstream_env(upstream.base_url, str(tmp / "cache"), **settings)
        weights: dict[str, int] = {}
        view = f"#gold={GOLD}&v={','.join(PROMPTS)}&base={PROMPTS[0]}"
        with serve_subprocess(env, timeout_s=300) as served:
            first, matrix = _page_run(f"{served.base_url}/lab{view}", "#run", weights)
            calls = upstream.calls
            rerun_first, rerun_all = _page_run(
                f"{served.base_url}/lab{view}", '#matrix-body tr[data-slug="seed-belarus-talks"] button.rerun', {}
            )
            rerun_calls = upstream.calls - calls
            client = httpx.Client(base_url=served.base_url, timeout=120)
            query = {"gold": str(GOLD), "variants": ",".join(PROMPTS)}
            board = client.get("/lab/api/board", params=query)
            slugs = [a["slug"] for a in board.json()["articles"]]
            started = time.perf_counter()
            client.post("/lab/api/run", json={"gold": str(GOLD), "variants": list(PROMPTS), "articles": slugs})
            while any(v["totals"]["running"] for v in client.get("/lab/api/board", params=query).json()["variants"]):
                time.sleep(0.05)
            cached_all = time.perf_counter() - started
            cached_calls = upstream.calls - calls - rerun_calls
            article = client.get("/lab/api/article", params={**query, "slug": "seed-belarus-talks"})
            export = client.get("/lab/api/export", params={**query, "baseline": PROMPTS[0]})
        eval_env = {**os.environ, **env, "SUMMARIZER_CACHE_DIR": str(tmp / "eval-cache")}
        eval_seconds = _eval_wall(eval_env, GOLD, tmp / "eval", concurrency)

    cells = len(slugs) * len(PROMPTS)
    print(f"lab bench: {len(slugs)} articles x {len(PROMPTS)} prompts, fake upstream, concurrency {concurrency}")
    print(f"  run -> first cell          {first:8.2f} s   (the page's own clock)")
    print(f"  run -> whole matrix        {matrix:8.2f} s   ({cells} cells, {calls} model calls)")
    print(f"  eval run, both prompts     {eval_seconds:8.2f} s   (its reported wall time, cold cache)")
    print(f"  lab / eval run             {matrix / eval_seconds:8.2f}x")
    print(f"  re-run one cached article  {rerun_all:8.2f} s   ({rerun_calls} calls; first cell {rerun_first:.2f} s)")
    print(f"  whole matrix from cache    {cached_all:8.2f} s   ({cached_calls} model calls)")
    print(f"  cached / answered matrix   {cached_all / matrix:8.2f}x")
    for name, size in sorted(weights.items()):
        print(f"  page weight {name:<22} {size / 1024:7.1f} KiB")
    print(f"  page weight total              {sum(weights.values()) / 1024:7.1f} KiB (uncompressed, no other request)")
    print(f"  board payload                  {len(board.content) / 1024:7.1f} KiB")
    print(f"  article payload                {len(article.content) / 1024:7.1f} KiB (seed, both variants)")
    print(f"  exported file                  {len(export.content) / 1024:7.1f} KiB (13 articles, self-contained)")
    return 0 if rerun_calls == 0 and cached_calls == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=int, default=1, help="Articles answered at once (lab and eval run).")
    args = parser.parse_args(argv)
    return run(args.concurrency)


if __name__ == "__main__":
    sys.exit(main())
