"""What a summary lost on the way: items dropped or coerced, and field groups that came back empty.

A small model gets single items wrong far more often than whole answers: one invented speaker in a
list of eight, a party `kind` of "country". Rejecting the whole list for one bad item threw away
good work and re-asked for answers the model repeated anyway. Instead every item is judged on its
own and what was removed is *recorded* here, so the response can say so (`meta.dropped`,
`meta.coerced`, `meta.incomplete`) and a prompt engineer can see the model's misses.

One `Ledger` per summary, passed explicitly through the strategy, assembly and guard steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import UpstreamError
from summarizer.observe.logs import short
from summarizer.schemas import IncompleteField, ItemCount

EXAMPLES = 5  # values kept per field: enough to see the pattern, small enough for every response


@dataclass
class _Tally:
    count: int = 0
    values: list[str] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)  # the dropped items themselves, for the strategy to inspect

    def add(self, value: str, raw: Any) -> None:
        self.count += 1
        if len(self.values) < EXAMPLES and value not in self.values:
            self.values.append(value)
        self.raw.append(raw)


@dataclass
class Failure:
    """A field group that failed after its re-ask; `error` is kept for `require_complete`."""

    fields: tuple[str, ...]
    reason: str
    error: UpstreamError | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # per attempt: field, message, value

    @property
    def attempts(self) -> list[dict[str, Any]]:
        """What went wrong in each attempt, from the error when the call failed, else as recorded."""
        return list(self.error.extra.get("failures", [])) if self.error is not None else self.failures


@dataclass
class Ledger:
    dropped: dict[str, _Tally] = field(default_factory=dict)
    coerced: dict[str, _Tally] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)

    def drop(self, path: str, value: Any, raw: Any = None) -> None:
        """Record an item (or a name inside one) removed because it could not be grounded or parsed."""
        self.dropped.setdefault(path, _Tally()).add(short(value, 120), raw if raw is not None else value)

    def coerce(self, path: str, value: Any, to: str) -> None:
        self.coerced.setdefault(path, _Tally()).add(f"{short(value, 40)} -> {to}", value)

    def fail(
        self,
        fields: Iterable[str],
        reason: str,
        error: UpstreamError | None = None,
        failures: list[dict[str, Any]] | None = None,
    ) -> None:
        self.failures.append(Failure(tuple(fields), short(reason, 300), error, failures or []))

    def merge(self, other: Ledger) -> None:
        """Fold in a ledger kept for one attempt of one call, once that attempt is the one used."""
        for mine, theirs in ((self.dropped, other.dropped), (self.coerced, other.coerced)):
            for path, tally in theirs.items():
                into = mine.setdefault(path, _Tally())
                into.count += tally.count
                into.values = list(dict.fromkeys([*into.values, *tally.values]))[:EXAMPLES]
                into.raw.extend(tally.raw)
        self.failures.extend(other.failures)

    def raw_dropped(self, path: str) -> list[Any]:
        tally = self.dropped.get(path)
        return list(tally.raw) if tally else []

    @property
    def incomplete_fields(self) -> list[str]:
        return list(dict.fromkeys(f for failure in self.failures for f in failure.fields))

    def incomplete(self) -> list[IncompleteField]:
        """One entry per field, with the first reason it failed for (two quote batches may both fail)."""
        first: dict[str, str] = {}
        for failure in self.failures:
            for name in failure.fields:
                first.setdefault(name, failure.reason)
        return [IncompleteField(field=name, reason=reason) for name, reason in first.items()]

    def dropped_counts(self) -> list[ItemCount]:
        return _counts(self.dropped)

    def coerced_counts(self) -> list[ItemCount]:
        return _counts(self.coerced)


def _counts(tallies: dict[str, _Tally]) -> list[ItemCount]:
    return [ItemCount(field=path, count=t.count, values=t.values) for path, t in sorted(tallies.items())]
