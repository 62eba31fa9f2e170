"""Scripted model answers for the seed article, as the grouped strategy asks for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.fake_upstream import Reply, tool_call

ROOT = Path(__file__).resolve().parents[2]
SEED_PATH = ROOT / "evals" / "articles" / "seed-belarus-talks.txt"


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


ENTITIES: dict[str, Any] = {
    "headline": "Russia-Ukraine talks in Belarus end without result; second round expected",
    "summary": "Five hours of talks in Belarus ended without resolution. A second round is expected soon.",
    "parties": [
        {"name": "Vladimir Medinsky", "kind": "person", "role": "Russian negotiator", "aliases": ["Medinsky"]},
        {"name": "Dmitry Peskov", "kind": "person", "role": "Kremlin spokesman", "aliases": ["Peskov"]},
        {"name": "Vladimir Putin", "kind": "person", "role": "Russian president", "aliases": ["Putin"]},
        {"name": "Maxar Technologies", "kind": "organization", "role": "satellite imagery", "aliases": ["Maxar"]},
        {"name": "Atlantis Council", "kind": "organization", "role": "invented: not in the article", "aliases": []},
    ],
    "locations": [{"name": "Belarus", "kind": "country", "role": "venue of the talks"}],
}

EVENTS: dict[str, Any] = {
    "outcomes": [
        {"description": "First round of talks ended without resolution.", "status": "failed", "parties": ["Medinsky"]}
    ],
    "contested_claims": [
        {
            "claim": "Russia is not targeting Ukrainian cities.",
            "claimant": "Putin",
            "disputed_by": ["Maxar Technologies"],
            "evidence": "Satellite images show a 40-mile convoy toward Kyiv.",
        }
    ],
}

ATTRIBUTIONS: dict[str, Any] = {
    "attributions": [
        {"quote": 2, "speaker": "Vladimir Medinsky"},
        {"quote": 3, "speaker": "Medinsky"},
        {"quote": 5, "speaker": "Peskov"},
        {"quote": 10, "speaker": "Maxar"},
    ]
}


def grouped_success(usage: tuple[int, int] = (100, 20)) -> list[Reply]:
    """The three replies of one successful grouped summary of the seed."""
    return [tool_call(ENTITIES, usage=usage), tool_call(EVENTS, usage=usage), tool_call(ATTRIBUTIONS, usage=usage)]
