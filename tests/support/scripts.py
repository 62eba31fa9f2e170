"""Scripted model answers for the seed article, as the grouped strategy asks for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.upstream import tool_name
from tests.support.fake_upstream import Reply, delayed, tool_call

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


INVENTED_SPEAKER = "Colonel Invented Person"
WITH_INVENTED_SPEAKER: dict[str, Any] = {
    "attributions": [*ATTRIBUTIONS["attributions"], {"quote": 7, "speaker": INVENTED_SPEAKER}]
}
"""ATTRIBUTIONS, and quotation 7 credited to a name the article never writes."""
SPEAKERS_WITH_INVENTED = [
    "Vladimir Medinsky",
    "Vladimir Medinsky",
    "Dmitry Peskov",
    None,  # quotation 7: its speaker is named nowhere in the article
    "Maxar Technologies",
]
"""The quotes' speakers of a grouped summary of the seed answered with `WITH_INVENTED_SPEAKER`."""


def grouped_success(usage: tuple[int, int] = (100, 20)) -> list[Reply]:
    """The three replies of one successful grouped summary of the seed."""
    return [tool_call(ENTITIES, usage=usage), tool_call(EVENTS, usage=usage), tool_call(ATTRIBUTIONS, usage=usage)]


def answering(seconds: float = 0.0, **answers: dict[str, Any] | None) -> Any:
    """A model that answers each draft type the same way on every attempt (None: an unusable answer).

    With `seconds`, each answer comes that late (so concurrent requests overlap).
    """

    def respond(request: dict[str, Any]) -> Reply:
        answer = answers.get(tool_name(request))
        return delayed(tool_call(answer if answer is not None else '{"broken": '), seconds)

    return respond


def long_article(chars: int) -> str:
    """Real news text of at least `chars` characters: the gold articles joined, repeated if needed.

    Repeats are fine for mechanics (windows, merge, spans: a quotation that occurs twice must come
    back twice, each with its own exact span); quality is measured in bench/long_articles.py on
    distinct articles.
    """
    texts = [p.read_text(encoding="utf-8").strip() for p in sorted(SEED_PATH.parent.glob("*.txt"))]
    joined = "\n\n".join(texts)
    while len(joined) < chars:
        joined += "\n\n" + "\n\n".join(texts)
    return joined
