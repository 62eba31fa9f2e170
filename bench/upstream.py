"""Responders for the fake upstream: a model that always gives a valid (if sparse) answer, and one with faults.

The answers are valid for any article: no parties, quotes or places that could fail grounding,
so every failure a caller sees comes from the injected faults and nothing else.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

from tests.support.fake_upstream import Reply, hang, html, reset_mid_body, status, tool_call

SPARSE_ANSWERS: dict[str, dict[str, Any]] = {
    "EntitiesExtraction": {"headline": "An article", "summary": "A short summary.", "parties": [], "locations": []},
    "EventsExtraction": {"outcomes": [], "contested_claims": []},
    "QuoteAttributions": {"attributions": []},
    "SummaryExtraction": {"headline": "An article", "summary": "A short summary.", "parties": [], "outcomes": []},
    "Judgement": {"headline": "An article", "summary": "A short summary.", "parties": []},
    "Digest": {"headline": "A long article", "summary": "A short summary of all of it."},
}


def tool_name(request: dict[str, Any]) -> str:
    choice = request.get("tool_choice")
    if isinstance(choice, dict):
        return str(choice["function"]["name"])
    tools = request.get("tools") or [{}]
    return str(tools[0].get("function", {}).get("name", ""))


def healthy(request: dict[str, Any]) -> Reply:
    """A valid, grounded-by-emptiness answer to whichever extraction the request asks for."""
    return tool_call(SPARSE_ANSWERS.get(tool_name(request), {}), usage=(100, 20))


FAULTS: list[Callable[[], Reply]] = [
    lambda: status(429, headers={"Retry-After": "0"}),
    lambda: status(500),
    lambda: status(503),
    lambda: reset_mid_body(),
    lambda: hang(0.5),
    lambda: html(200),
    lambda: tool_call('{"headline": "cut', finish_reason="length"),
    lambda: tool_call('{"not": "json'),
]


class Faulty:
    """`healthy`, except that a seeded fraction of calls get one of `FAULTS`; counts what it injected."""

    def __init__(self, rate: float, seed: int = 7) -> None:
        self.rate = rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.injected = 0

    def __call__(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            faulty = self._random.random() < self.rate
            fault = self._random.choice(FAULTS)
            self.injected += faulty
        return fault() if faulty else healthy(request)
