"""Counts and the ratios made from them, per article and averaged across articles.

Micro averages add the counts of every article first (big articles weigh more); macro averages the
per-article scores (each article weighs the same). An article with nothing to find and nothing
predicted for a field says nothing about it: its precision, recall and F1 there are `None` (`null` in
JSON), not a perfect 1.0 that would flatter a run on a subset of articles, and it is left out of that
field's macro average; a micro average over nothing but such articles is `None` too.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel


def _ratio(num: int, den: int, empty: float) -> float:
    return num / den if den else empty


class Counts(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0

    @property
    def precision(self) -> float | None:
        """Nothing predicted: 0.0 when something was expected (silence is not precision); None when nothing was."""
        return None if self.empty else _ratio(self.tp, self.tp + self.fp, 0.0)

    @property
    def recall(self) -> float | None:
        """Nothing expected but something predicted: 1.0 (nothing was missed; precision pays for the rest)."""
        return None if self.empty else _ratio(self.tp, self.tp + self.fn, 1.0)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)


class Ratio(BaseModel):
    """`hits` out of `total`, e.g. correctly attributed quotes among matched ones."""

    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(hits=self.hits + other.hits, total=self.total + other.total)


class PRF(BaseModel):
    """Precision, recall, F1; each None where there was nothing to find and nothing was predicted."""

    precision: float | None
    recall: float | None
    f1: float | None


def micro(counts: Iterable[Counts]) -> tuple[Counts, PRF]:
    total = sum(counts, Counts())
    return total, PRF(precision=total.precision, recall=total.recall, f1=total.f1)


def macro(counts: Iterable[Counts]) -> PRF | None:
    scored = [prf for c in counts if (prf := _defined(c)) is not None]
    if not scored:
        return None
    n = len(scored)
    return PRF(
        precision=sum(p for p, _, _ in scored) / n,
        recall=sum(r for _, r, _ in scored) / n,
        f1=sum(f for _, _, f in scored) / n,
    )


def _defined(counts: Counts) -> tuple[float, float, float] | None:
    p, r, f = counts.precision, counts.recall, counts.f1
    return None if p is None or r is None or f is None else (p, r, f)
