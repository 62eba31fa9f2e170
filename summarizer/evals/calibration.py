"""Are the summary's `confidence` numbers honest? Expected calibration error and a reliability table.

An app that keeps only the items above a threshold needs the number to mean what it says: of the
items given 0.8, about 80% should be right. So every scored prediction that carries a confidence is
put in one of ten equal-width bins by its confidence; a bin's gap is |mean confidence - share right|,
and the expected calibration error (ECE) is the gaps averaged with each bin weighted by its items.
"Right" is what the scorer says (matched a required gold item; for `quotes.speaker`, the matched
quote's speaker is the gold speaker), so the numbers inherit the scorer's crudeness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel
from rich.table import Table

BINS = 10


class Bin(BaseModel):
    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


class Calibration(BaseModel):
    """One field's calibration over a run: how many items, the ECE, and the non-empty bins."""

    count: int
    ece: float
    accuracy: float
    confidence: float
    bins: list[Bin]


def calibrate(rows: Sequence[tuple[float, bool]], bins: int = BINS) -> Calibration | None:
    """None when no prediction carried a confidence."""
    if not rows:
        return None
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, right in rows:
        grouped[min(int(confidence * bins), bins - 1)].append((confidence, right))
    found, ece = [], 0.0
    for index, items in enumerate(grouped):
        if not items:
            continue
        mean = sum(c for c, _ in items) / len(items)
        accuracy = sum(r for _, r in items) / len(items)
        ece += len(items) / len(rows) * abs(mean - accuracy)
        found.append(
            Bin(low=index / bins, high=(index + 1) / bins, count=len(items), confidence=mean, accuracy=accuracy)
        )
    return Calibration(
        count=len(rows),
        ece=ece,
        accuracy=sum(r for _, r in rows) / len(rows),
        confidence=sum(c for c, _ in rows) / len(rows),
        bins=found,
    )


def calibrate_all(per_article: Iterable[Mapping[str, Sequence[tuple[float, bool]]]]) -> dict[str, Calibration]:
    """Each field's rows pooled over the articles, then calibrated."""
    pooled: dict[str, list[tuple[float, bool]]] = {}
    for rows in per_article:
        for name, items in rows.items():
            pooled.setdefault(name, []).extend((float(c), bool(r)) for c, r in items)
    return {name: result for name, rows in pooled.items() if (result := calibrate(rows)) is not None}


def calibration_table(found: Mapping[str, Calibration]) -> Table:
    """One row per field: ECE, items, overall confidence vs share right, then each bin as `conf→right (n)`."""
    grid = Table(title="calibration (expected calibration error; bins: mean confidence → share right (items))")
    for column in ("field", "ECE", "items", "conf", "right", "bins"):
        grid.add_column(column, justify="left" if column in {"field", "bins"} else "right")
    for name, c in found.items():
        cells = " · ".join(f"{b.confidence:.2f}→{b.accuracy:.2f} ({b.count})" for b in c.bins)
        grid.add_row(name, f"{c.ece:.3f}", str(c.count), f"{c.confidence:.2f}", f"{c.accuracy:.2f}", cells)
    return grid
