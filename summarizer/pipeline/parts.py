"""A summary in parts, for `POST /v1/summaries` as `text/event-stream`: which fields each part carries,
and the check a part passes before it leaves.

A strategy hands a part over (`Run.emit`) at the point its fields are final; `GroundedParts` runs the
same guard as the final answer on it (`drop_ungrounded`, the prompt-leak check) before the sink sees
it, so a stream never carries a quote, party or name the JSON answer would have dropped. `hybrid` (the
default) hands over `locations` and `claims` before its model call (the rules' alone, final then);
`grouped` hands over `entities` and `locations` after its first call and `quotes` after attribution.
Parts a strategy did not hand over early are sent from the final, guarded summary, so each part is
sent exactly once.

A part is final, not the answer: a later failure (with `require_complete`, a failed group; a later
field repeating the prompt) still ends the stream with a `problem`, as the JSON route would answer.
"""

from __future__ import annotations

from typing import Any, Protocol

from summarizer.pipeline.guard import drop_ungrounded, leaked_instructions
from summarizer.schemas import Summary
from summarizer.text.article import Article

PARTS: dict[str, tuple[str, ...]] = {
    "entities": ("headline", "summary", "parties"),
    "locations": ("locations",),
    "quotes": ("quotes",),
    "outcomes": ("outcomes",),
    "claims": ("contested_claims",),
}
"""Each part's event name and the `Summary` fields it carries, in the order parts sent at the end go."""


class PartSink(Protocol):
    """Where a streamed summary goes: told when the run starts (its input passed), then each part."""

    async def started(self) -> None: ...

    async def part(self, name: str, payload: dict[str, Any]) -> None: ...


def payload(name: str, summary: Summary) -> dict[str, Any]:
    """The JSON of one part of `summary`: its fields, as the final answer has them."""
    return summary.model_dump(mode="json", include=set(PARTS[name]))


class GroundedParts:
    """Parts on their way to a sink: each guarded like the final answer, each sent once."""

    def __init__(self, sink: PartSink, article: Article, instructions: str) -> None:
        self.sink = sink
        self.article = article
        self.instructions = instructions
        self.sent: set[str] = set()

    async def emit(self, name: str, draft: Summary) -> None:
        """Send part `name` of `draft` (its other fields are ignored) unless the guard would refuse it."""
        if name in self.sent:
            return
        grounded = drop_ungrounded(draft, self.article)  # its own ledger: the final pass records each drop once
        leaked = {_field(path) for path in leaked_instructions(grounded, self.instructions, self.article)}
        if leaked & set(PARTS[name]):
            return  # the final check rejects the whole answer for it: the stream ends with that problem
        self.sent.add(name)
        await self.sink.part(name, payload(name, grounded))

    async def rest(self, summary: Summary) -> None:
        """The parts not sent yet, from the final summary (already guarded)."""
        for name in PARTS:
            if name not in self.sent:
                self.sent.add(name)
                await self.sink.part(name, payload(name, summary))


def _field(path: str) -> str:
    """The top-level field of a path such as `parties[2].role`."""
    return path.split("[", 1)[0].split(".", 1)[0]
