"""The `confidence` of what the rules keep: each rule's raw score mapped to the share of such items
that were right where it was measured (histogram binning).

A raw score says which of two items is likelier right, not how likely: an outcome sentence scoring 3.2
is not "3.2 right". So each field has a table of raw-score bins and, for each, the precision measured
for items in that bin. The tables were fitted on the dev corpus's `tune` side (speakers: PolNeAR;
outcomes: CNN/DailyMail highlights; claims: FNC-1), and on the 13 committed gold articles for parties
and places, the only party and place gold there is; `eval run` reports how well they hold on `check`.
Items a model chose or wrote get no number here (the model's token probability is its own method).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

Table = Sequence[tuple[float, float]]
"""(lowest raw score of the bin, measured share right), ascending by raw score."""

SPEAKERS: Table = ((0.0, 0.48), (0.6, 0.7), (0.7, 0.84), (0.8, 0.93), (0.9, 0.98))
"""The sieve's `Attribution.confidence`; PolNeAR tune, 209 matched quotes."""
OUTCOMES: Table = ((0.0, 0.05), (1.0, 0.13), (4.0, 0.27))
"""An outcome sentence's rank score; CNN/DailyMail tune highlights (a reader's 3-4 bullets, so a lower bound)."""
CLAIMS: Table = ((0.0, 0.29),)
"""A claim pair's score above the rules' threshold; FNC-1 tune (28 kept): flat, so one bin."""
PARTIES: Table = ((0.0, 0.56), (0.7, 0.85))
"""`text.salience` score; the 13 committed gold articles (in-sample: there is no other party gold)."""
PLACES: Table = ((0.0, 0.88),)
"""A located place; the 13 committed gold articles (in-sample)."""


def calibrated(table: Table, raw: float) -> float:
    """The measured share right of the bin `raw` falls in (the first bin for anything below it)."""
    index = max(0, bisect_right([low for low, _ in table], raw) - 1)
    return table[index][1]
