"""One-to-one pairing of predicted and gold items, and the counts that precision and recall need.

Pairing is an optimal assignment over similarities, so the order of items never matters and a
duplicate prediction can take at most one gold item: the copy is a false positive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

P = TypeVar("P")
G = TypeVar("G")


@dataclass
class Pairing(Generic[P, G]):
    """Matched pairs (with their similarity) and what was left over on each side."""

    pairs: list[tuple[P, G, float]] = field(default_factory=list)
    unmatched_predicted: list[P] = field(default_factory=list)
    unmatched_gold: list[G] = field(default_factory=list)


def pair(
    predicted: Sequence[P], gold: Sequence[G], similarity: Callable[[P, G], float], threshold: float
) -> Pairing[P, G]:
    """Pairs maximising total similarity, among pairs at or above `threshold` only."""
    result: Pairing[P, G] = Pairing()
    if not predicted or not gold:
        return Pairing([], list(predicted), list(gold))
    scores = np.zeros((len(predicted), len(gold)))
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            value = similarity(p, g)
            scores[i, j] = value if value >= threshold else 0.0
    rows, cols = linear_sum_assignment(scores, maximize=True)
    taken_p, taken_g = set(), set()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if scores[i, j] > 0.0:
            result.pairs.append((predicted[i], gold[j], float(scores[i, j])))
            taken_p.add(i)
            taken_g.add(j)
    result.unmatched_predicted = [p for i, p in enumerate(predicted) if i not in taken_p]
    result.unmatched_gold = [g for j, g in enumerate(gold) if j not in taken_g]
    return result
