"""A circuit breaker in front of the upstream: stop queueing calls that are sure to fail.

    closed --(N consecutive failures)--> open --(cooldown passes)--> half-open
       ^                                   ^                             |
       +-------- probe succeeds -----------+------- probe fails ---------+

Closed lets every call through. Open refuses at once (`CircuitOpen`, a 503 with `Retry-After` set
to the rest of the cooldown). Half-open lets exactly one probe call through and refuses the others
until it ends: its success closes the circuit, its failure re-opens it for another cooldown.

It counts failed *requests*, not attempts: the LLM client reports one failure per summary whose
upstream calls gave up on a transport failure (5xx, 429, timeouts, refused or dropped connections),
however many retries and re-asks that took. Counting attempts let one caller's four 503s and a 429
open the circuit for every caller. A model that answers with bad output is a model that answers.
One breaker per upstream, shared by all requests; everything runs on one event loop, so no lock is
needed. `/ready` reports an open circuit (`check`), so a load balancer stops sending work meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from summarizer.errors import CircuitOpen


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Counts consecutive failed upstream requests; `threshold=0` switches it off.

    `clock` is public so tests (and anyone embedding the client) can drive the cooldown without
    sleeping: a cooldown measured on the wall clock made a test depend on CI speed.
    """

    def __init__(self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return State.CLOSED
        if self._probing or self.clock() - self._opened_at >= self.cooldown_s:
            return State.HALF_OPEN
        return State.OPEN

    def retry_after_s(self) -> float:
        """Seconds until the next probe may go out (at least 1: the caller waits for a probe to end)."""
        if self._opened_at is None:
            return 0.0
        return max(1.0, self._opened_at + self.cooldown_s - self.clock())

    def before_call(self) -> bool:
        """Let one call through (True when it is the probe), or raise `CircuitOpen`.

        Call `record_success`/`record_failure` once with its result, or `release` if it was a probe
        that ended without one.
        """
        state = self.state
        if state is State.CLOSED:
            return False
        if state is State.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        raise self._refusal()

    def check(self) -> None:
        """Raise `CircuitOpen` while the circuit refuses calls, without taking the probe: what `/ready` asks."""
        if self.state is State.OPEN or self._probing:
            raise self._refusal()

    def _refusal(self) -> CircuitOpen:
        return CircuitOpen(
            f"{self._failures} requests in a row failed upstream; not calling it for now",
            retry_after_s=self.retry_after_s(),
        )

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def release(self) -> None:
        """The call ended without a verdict (cancelled): let the next call probe instead."""
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or (self.threshold and self._failures >= self.threshold):
            self._opened_at = self.clock()
        self._probing = False
