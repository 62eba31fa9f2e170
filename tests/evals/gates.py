"""Shared by the replay and live evals: score, print the table, and list what misses its bar."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import httpx
from rich.console import Console

from summarizer.evals.aggregate import RunScores, headline_json, table
from summarizer.evals.config import EvalConfig, Gate, Probe, load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.results import score_all
from summarizer.schemas import Summary
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG: EvalConfig = load_config(ROOT / "evals" / "thresholds.yaml")


def default_prompt() -> str:
    """The prompt both gates run: the service's default (`SUMMARIZER_DEFAULT_PROMPT`), never a pinned one."""
    return Settings().default_prompt


def gold_cases(slugs: list[str] | None = None) -> list[GoldCase]:
    cases = load_gold(ROOT / "evals" / "gold", ROOT / "evals" / "articles")
    return [c for c in cases if slugs is None or c.slug in slugs]


def scored(cases: list[GoldCase], summaries: Mapping[str, Summary | None], gate: Gate, title: str) -> RunScores:
    run, _ = score_all(cases, summaries, CONFIG.scoring, {"prompt": gate.prompt})
    Console(width=130).print(table(run, title=title))
    print(headline_json(run))
    return run


PROBE_TOKENS = 32


async def speed_probe(base_url: str, timeout_s: float) -> Probe:
    """One fixed model call, timed: the shortest gold article read, 32 tokens written.

    Measured in the same run as the answers whose deadlines it scales (a ratio, never a wall-clock bar).
    """
    text = (ROOT / "evals" / "articles" / "wikinews-worship.txt").read_text(encoding="utf-8")
    body = {
        "model": "probe",
        "messages": [{"role": "system", "content": text}, {"role": "user", "content": "Repeat the text above."}],
        "max_tokens": PROBE_TOKENS,
        "temperature": 0.0,
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s) as client:
        started = time.monotonic()
        response = await client.post("/chat/completions", json=body)
        seconds = time.monotonic() - started
    response.raise_for_status()
    usage = response.json()["usage"]
    return Probe(
        seconds=seconds,
        prompt_tokens=usage["prompt_tokens"],
        completion_tokens=max(1, usage["completion_tokens"]),
        text_chars=len(text),
    )
