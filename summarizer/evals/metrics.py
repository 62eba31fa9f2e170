"""Counts and the ratios made from them, per article and averaged across articles.

Micro averages add the counts of every article first (big articles weigh more); macro averages the
per-article scores (each article weighs the same). An article with nothing to find and nothing
predicted for a field says nothing about it and is left out of that field's macro average.
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
    def precision(self) -> float:
        """Nothing predicted: 1.0 when nothing was expected either, else 0.0 (silence is not precision)."""
        return _ratio(self.tp, self.tp + self.fp, 1.0 if self.fn == 0 else 0.0)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, 1.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
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
    precision: float
    recall: float
    f1: float


def micro(counts: Iterable[Counts]) -> tuple[Counts, PRF]:
    total = sum(counts, Counts())
    return total, PRF(precision=total.precision, recall=total.recall, f1=total.f1)


def macro(counts: Iterable[Counts]) -> PRF | None:
    scored = [c for c in counts if not c.empty]
    if not scored:
        return None
    n = len(scored)
    return PRF(
        precision=sum(c.precision for c in scored) / n,
        recall=sum(c.recall for c in scored) / n,
        f1=sum(c.f1 for c in scored) / n,
    )
