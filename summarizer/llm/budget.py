"""The budget and bookkeeping of one summary, passed explicitly from the service to every model call.

One per summary: its deadline bounds every call (windows included), and it adds up tokens, upstream
attempts (failed ones too), transport retries and re-asks for `meta` and the summary's log line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from summarizer.errors import Usage


@dataclass
class CallScope:
    """Budget and bookkeeping of one summary: deadline, tokens, and how many calls it took."""

    deadline: float
    usage: Usage = field(default_factory=Usage)
    upstream_calls: int = 0
    transport_retries: int = 0
    model_calls: int = 0
    tasks: int = 0
    failures: list[str] = field(default_factory=list)  # kind of each failed upstream call, in order
    breaker_pending: bool = False  # an attempt failed and no later one succeeded: a failure if the call gives up
    breaker_counted: bool = False  # this summary's one failure has been reported to the breaker

    @property
    def reasks(self) -> int:
        """Model calls beyond the first of each task: instructor's validation re-asks."""
        return max(self.model_calls - self.tasks, 0)

    @classmethod
    def starting_now(cls, budget_s: float) -> CallScope:
        return cls(deadline=time.monotonic() + budget_s)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()
