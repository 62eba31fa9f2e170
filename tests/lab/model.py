"""A scripted model for the lab's tests: it answers from the committed gold files, on the fake upstream.

It reads the article out of the request (the system prefix holds it) and answers each draft type with what
the gold file says: its required parties and places, its outcomes and claims, and for each numbered
quotation the gold speaker. A *draft* prompt (its system prefix carries `DRAFT_RULE`) gets a worse answer
on `DRAFT_HURTS` articles: it leaves out the state parties (a known miss) and lists a place as a party (a
known false positive). An article in `broken_for_drafts` gets HTTP 500 on every call of a draft (it fails,
and can be retried once the test takes it out).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from bench.upstream import tool_name
from summarizer.evals.gold import GoldCase, load_gold
from tests.support.fake_upstream import Reply, status, tool_call

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "evals" / "gold"
DRAFT_RULE = "- Name people and organizations; leave countries out of the parties."
DRAFT_HURTS = ("seed-belarus-talks", "wikinews-asylum")
KNOWN_MISS = ("seed-belarus-talks", "parties", "Ukraine")
KNOWN_FALSE_POSITIVE = ("seed-belarus-talks", "parties", "Belarus")
_QUOTATION = re.compile(r'^\[(\d+)\] quotation: "(.*)"\s*$', re.MULTILINE)


def draft_of(base: str) -> str:
    """`prompts/summarize-grouped/v4.md` as version 5 with one more rule in its system prefix."""
    text = base.replace("version: 4\n", "version: 5\n", 1)
    last_rule = "- Keep every list short and free of repeats.\n"
    return text.replace(last_rule, f"{last_rule}{DRAFT_RULE}\n", 1)


class GoldModel:
    """The fake upstream's responder (thread-safe: the upstream answers on its own thread)."""

    def __init__(self, cases: list[GoldCase] | None = None) -> None:
        self.cases = cases or load_gold(GOLD)
        self.broken_for_drafts: set[str] = set()
        self.lock = threading.Lock()

    def case(self, system: str) -> GoldCase:
        for case in self.cases:
            if case.text[:120] in system:
                return case
        raise AssertionError("the request holds no gold article")

    def __call__(self, request: dict[str, Any]) -> Reply:
        system = request["messages"][0]["content"]
        user = request["messages"][-1]["content"]
        case = self.case(system)
        draft = DRAFT_RULE in system
        with self.lock:
            if draft and case.slug in self.broken_for_drafts:
                return status(500)
        hurt = draft and case.slug in DRAFT_HURTS
        name = tool_name(request)
        if name == "EntitiesExtraction":
            return tool_call(self.entities(case, hurt), usage=(len(system) // 4, 60))
        if name == "EventsExtraction":
            return tool_call(self.events(case), usage=(len(system) // 4, 40))
        if name == "QuoteAttributions":
            return tool_call(self.attributions(case, user), usage=(len(system + user) // 4, 30))
        raise AssertionError(f"unexpected task {name}")

    @staticmethod
    def entities(case: GoldCase, hurt: bool) -> dict[str, Any]:
        gold = case.gold
        parties = [
            {"name": p.name, "kind": p.kind, "role": "", "aliases": p.aliases[:5]}
            for p in gold.parties
            if not p.optional and not (hurt and p.kind == "state")
        ]
        places = [{"name": g.name, "kind": "other", "role": ""} for g in gold.locations if not g.optional]
        if hurt:
            parties.append({"name": places[0]["name"], "kind": "other", "role": "where it happened", "aliases": []})
        return {
            "headline": f"What happened: {case.slug}",
            "summary": (gold.summary or "A news story.")[:800],
            "parties": parties[:15],
            "locations": places[:10],
        }

    @staticmethod
    def events(case: GoldCase) -> dict[str, Any]:
        gold = case.gold
        return {
            "outcomes": [{"description": o.description[:300], "status": o.status} for o in gold.outcomes][:6],
            "contested_claims": [
                {"claim": c.claim[:300], "claimant": c.claimant, "disputed_by": c.disputed_by[:5]}
                for c in gold.contested_claims
                if c.claimant
            ][:4],
        }

    @staticmethod
    def attributions(case: GoldCase, user: str) -> dict[str, Any]:
        found = []
        for number, text in _QUOTATION.findall(user):
            gold = next((q for q in case.gold.quotes if q.text in text or text in q.text), None)
            if gold is not None:
                found.append({"quote": int(number), "speaker": gold.speaker[:60]})
        return {"attributions": found}
