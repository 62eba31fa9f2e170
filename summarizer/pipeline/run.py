"""One summary being made: the state every strategy step needs, and how a field group is asked.

Every call is one field group. A group whose call still fails after its re-ask leaves its fields
to the strategy's fallback and is recorded in the ledger; the other groups are still asked. After a
transport failure (upstream down, deadline passed) the remaining groups are not asked: calling a
dead upstream again only spends the deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from summarizer.errors import InvalidModelOutput, UpstreamError, UpstreamTimeout
from summarizer.llm.budget import CallScope
from summarizer.llm.client import LLMClient
from summarizer.pipeline.drafts import DraftContext, Group
from summarizer.pipeline.ledger import Ledger
from summarizer.schemas import Summary
from summarizer.text.article import Article
from summarizer.text.nlp import DEFAULT_PIPELINE
from summarizer.text.passes import NlpPasses
from summarizer.text.windows import Window

if TYPE_CHECKING:  # prompts read the strategies, which use this module: the type only
    from summarizer.prompts import Prompt

G = TypeVar("G", bound=Group)

ENTITY_FIELDS = ("headline", "summary", "parties", "locations")
EVENT_FIELDS = ("outcomes", "contested_claims")


@dataclass
class Run:
    """One summary being made: what every step needs, passed explicitly, and what happened so far.

    The run context of a summary: the strategy gets it, and every model call it makes is asked
    through it (`ask`), which hands the budget and the call's `DraftContext` to `LLMClient.extract`.
    """

    llm: LLMClient
    prompt: Prompt
    article: Article
    variables: dict[str, Any]
    budget: CallScope  # the summary's deadline, tokens and attempt counts, shared by all its calls
    ledger: Ledger = field(default_factory=Ledger)
    nlp_pipeline: str = DEFAULT_PIPELINE
    nlp: NlpPasses = field(default_factory=NlpPasses)  # the service's: one pass per distinct article
    windows: tuple[Window, ...] = ()  # the model's reading of a long article; () or one window: the article
    window_concurrency: int = 1
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

    @property
    def may_fall_back(self) -> bool:
        """Whether a strategy's rules may answer for the model: it answered badly, or the deadline passed.

        After a deadline the caller has already waited it out; the rules' answer (found before the
        call) is worth more than a 504. An upstream that is down or refusing is a 503 with
        Retry-After instead: coming back soon gets the model's answer.
        """
        return self.upstream_failure is None or isinstance(self.upstream_failure, UpstreamTimeout)

    @property
    def windowed(self) -> bool:
        return len(self.windows) > 1

    async def ask(
        self,
        task: str,
        model: type[G],
        fields: Iterable[str],
        *,
        window: Window | None = None,
        reading: str | None = None,
        context: DraftContext | None = None,
        **extra: Any,
    ) -> tuple[G | None, Ledger]:
        """One field group's call: its answer and what its validators dropped, or None if it failed.

        With `window`, the call reads that window as its article (and its answer is grounded in it);
        a failure is recorded with the window's place, so `meta.incomplete` says which part is missing.
        `reading` replaces the article text outright (the digest of a long article's windows).
        `context` carries what the validators check against (list lengths, unused lists); the
        article is filled in here. `extra` are the template's variables (the numbered lists).
        """
        fields = tuple(fields)
        self.asked += 1
        where = (
            ""
            if window is None
            else f"window {window.index + 1} of {len(self.windows)} (characters {window.start}-{window.end}): "
        )
        if self.upstream_failure is not None:
            reason = f"{where}not asked: an earlier call failed with {self.upstream_failure.slug}"
            self.ledger.fail(fields, reason, self.upstream_failure)
            return None, Ledger()
        article, variables = self.article, self.variables
        reading = window.text if window is not None else reading
        if reading is not None:
            article = Article(reading)
            variables = {**variables, "article": {**variables["article"], "text": reading}}
        # A copy per call (windows ask concurrently), with lists of its own: one window's problems are its own.
        context = replace(context, ledger=Ledger(), rejected=[]) if context is not None else DraftContext()
        context.article = article
        messages = self.prompt.render(task, **variables, **extra).messages()
        try:
            answer = await self.llm.extract(model, messages, context, budget=self.budget, task=task)
        except InvalidModelOutput as exc:
            self.ledger.fail(fields, f"{where}{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        except UpstreamError as exc:
            self.upstream_failure = self.upstream_failure or exc  # the first (windows run concurrently)
            self.ledger.fail(fields, f"{where}{exc.slug}: {exc.detail}", exc)
            return None, Ledger()
        self.answered += 1
        self.ledger.merge(context.ledger)
        return answer, context.ledger

    async def ask_windows(
        self, task: str, model: type[G], fields: Iterable[str], **extra: Any
    ) -> list[tuple[Window, G | None]]:
        """The same task over every window, at most `window_concurrency` calls at once, in window order.

        Each window is its own field group: one that stays invalid leaves only its part to the
        strategy's fallback (the "no lost summaries" rule of a group, per window).
        """
        fields = tuple(fields)
        slots = asyncio.Semaphore(self.window_concurrency)

        async def one(window: Window) -> tuple[Window, G | None]:
            async with slots:
                answer, _ = await self.ask(task, model, fields, window=window, **extra)
            return window, answer

        async with asyncio.TaskGroup() as group:  # a bug in one window cancels the others
            tasks = [group.create_task(one(w)) for w in self.windows]
        return [task.result() for task in tasks]
