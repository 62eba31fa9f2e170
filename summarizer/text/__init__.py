"""The deterministic pass: no network, no model; the same article and pipeline give the same candidates.

`NlpPasses.candidates(Article(text), settings.nlp_pipeline)` is the one call the pipeline needs (each
distinct article's pass once, in worker processes when the app opened a pool: `open_nlp_passes`);
`candidates_async` is the same pass without the keeping; the rest is exported for the evals (names)
and for callers that already hold a parsed Doc.

The exports are loaded on first use (PEP 562): `summarizer.text.article` and `summarizer.text.names`
need no spaCy, and importing them must not pay for it (seconds, and hundreds of MB).
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "candidates": (
        "MAX_CLAIM_PAIRS",
        "MAX_OUTCOMES",
        "Candidates",
        "ClaimPair",
        "OutcomeCandidate",
        "Sentence",
        "candidates_async",
        "find_candidates",
    ),
    "entities": ("Mention", "PartyCandidate", "PlaceCandidate"),
    "names": ("NameIndex", "name_key", "strip_name"),
    "nlp": ("DEFAULT_PIPELINE", "PipelineMissing", "load_pipeline", "parse", "parse_async", "pipeline_id"),
    "passes": ("NlpPasses", "open_nlp_passes"),
    "quotes": ("scan_quotes",),
    "speakers": ("MAX_OPTIONS", "UNSURE_BELOW", "QuoteAttribution"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """An export, imported from its module the first time it is asked for."""
    if name in _HOME:
        return getattr(importlib.import_module(f"summarizer.text.{_HOME[name]}"), name)
    if name in _HOMES:  # a submodule asked for as an attribute before anyone imported it
        return importlib.import_module(f"summarizer.text.{name}")
    raise AttributeError(f"module 'summarizer.text' has no attribute {name!r}")
