"""One summary being made: the state every strategy step needs, and how a field group is asked.

Every call is one field group. A group whose call still fails after its re-ask leaves its fields
to the strategy's fallback and is recorded in the ledger; the other groups are still asked. After a
transport failure (upstream down, deadline passed) the remaining groups are not asked: calling a
dead upstream again only spends the deadline.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from summarizer.errors import InvalidModelOutput, UpstreamError
from summarizer.grounding import Article
from summarizer.llm import LLMClient
from summarizer.pipeline.drafts import Group
from summarizer.pipeline.ledger import Ledger
from summarizer.prompts import Prompt
from summarizer.schemas import Summary
from summarizer.text.nlp import DEFAULT_PIPELINE

G = TypeVar("G", bound=Group)

ENTITY_FIELDS = ("headline", "summary", "parties", "locations")
EVENT_FIELDS = ("outcomes", "contested_claims")


@dataclass
class Run:
    """One summary being made: what every step needs, passed explicitly, and what happened so far."""

    llm: LLMClient
    prompt: Prompt
    article: Article
    variables: dict[str, Any]
    ledger: Ledger = field(default_factory=Ledger)
    nlp_pipeline: str = DEFAULT_PIPELINE
    asked: int = 0  # field groups asked of the model
    answered: int = 0  # of those, the ones that produced a usable answer
    fallback: bool = False  # the strategy answered without the model (the rules' candidates) when it failed

    upstream_failure: UpstreamError | None = None
    # Where parts go as they become final (a streamed answer); it guards them before anyone sees them.
    on_part: Callable[[str, Summary], Awaitable[None]] | None = None

    @property
    def has_answer(self) -> bool:
        """False only when the model was asked, never answered, and nothing else could stand in."""
        return self.answered > 0 or self.fallback or self.asked == 0

    async def emit(self, part: str, draft: Summary) -> None:
        """Hand over part `part` (see `summarizer.pipeline.parts.PARTS`) of `draft` once its fields are final.

        Not while no call has answered: a run with nothing but code-found quotations is a 502, not a summary.
        """
        if self.on_part is not None and self.has_answer:
            await self.on_part(part, draft)

    async def ask(self, task: str, model: type[G], fields: Iterable[str], **extra: Any) -> tuple[G | None, Ledger]:
        """One field group's call: its answer and what its validators dropped, or None if it failed."""
        fields = tuple(fields)
        self.asked += 1
        if self.upstream_failure is not None:
            reason = f"not asked: an earlier call failed with {self.upstream_failure.slug}"
            self.ledger.fail(fields, reason, self.upstream_failure)
            return None, Ledger()
        context: dict[str, Any] = {"article": self.article, **extra.pop("context", {})}
        messages = self.prompt.render(task, **self.variables, **extra).messages()
        try:
            answer = await self.llm.extract(model, messages, context, task=task)
        except InvalidModelOutput as exc:
            self.ledger.fail(fields, f"{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        except UpstreamError as exc:
            self.upstream_failure = exc
            self.ledger.fail(fields, f"{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        self.answered += 1
        ledger = context.get("ledger")
        ledger = ledger if isinstance(ledger, Ledger) else Ledger()
        self.ledger.merge(ledger)
        return answer, ledger
