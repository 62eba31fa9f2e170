"""What a strategy is: the facts the rest of the code reads about it, and the function that runs it.

The prompt loader checks a prompt's tasks against `tasks`, the service plans windows from
`reads_in_windows`, the fingerprint includes the NLP pipeline when `needs_nlp`, and the docs list
them; nobody keeps a second list of names or facts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the run imports prompts, which read this module: types only
    from summarizer.pipeline.run import Run
    from summarizer.schemas import Summary


@dataclass(frozen=True)
class Strategy:
    """One way of making a summary, by the name a prompt's front-matter gives."""

    name: str
    summary: str
    """One line for the docs: who finds what."""
    tasks: frozenset[str]
    """The tasks a prompt of this strategy must define (each is one kind of model call)."""
    needs_nlp: bool
    """Whether the answer depends on the spaCy pass (so on the pipeline's name and version)."""
    run: Callable[[Run], Awaitable[Summary]]
    windowed: bool = False
    """Whether a long article is read in windows; otherwise it must fit one call's context."""
    window_task: str | None = None
    """A task the prompt must also define for windows to be used (a pinned older prompt keeps one call)."""

    @property
    def calls_model(self) -> bool:
        """False for a strategy with no task (`rules`): it answers from code, so no model need be started,
        fetched or asked anything, and no model's name belongs in its answer's meta or fingerprint."""
        return bool(self.tasks)

    def reads_in_windows(self, tasks: Iterable[str]) -> bool:
        return self.windowed and (self.window_task is None or self.window_task in set(tasks))
