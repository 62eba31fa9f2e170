"""Every way of making a summary, one module each; `STRATEGIES` is the only list of them.

A prompt names its strategy in its front-matter. What the rest of the code needs to know about a
strategy (its tasks, whether it reads long articles in windows, whether it needs the NLP pass) is
read from its `Strategy` object here, by the prompt loader, the service, the fingerprint and the docs.
"""

from __future__ import annotations

from collections.abc import Mapping

from summarizer.pipeline.strategies import candidates, grouped, hybrid, rules, single
from summarizer.pipeline.strategies.base import Strategy

STRATEGIES: Mapping[str, Strategy] = {
    s.name: s for s in (single.STRATEGY, grouped.STRATEGY, candidates.STRATEGY, hybrid.STRATEGY, rules.STRATEGY)
}
"""Every strategy by the name a prompt's front-matter gives."""

__all__ = ["STRATEGIES", "Strategy"]
