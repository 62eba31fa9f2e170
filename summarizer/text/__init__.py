"""The deterministic pass: no network, no model; the same article and pipeline give the same candidates.

`NlpPasses.candidates(Article(text), settings.nlp_pipeline)` is the one call the pipeline needs (each
distinct article's pass once, in worker processes when the app opened a pool: `open_nlp_passes`);
`candidates_async` is the same pass without the keeping; the rest is exported for the evals (names)
and for callers that already hold a parsed Doc.
"""

from summarizer.text.candidates import (
    MAX_CLAIM_PAIRS,
    MAX_OUTCOMES,
    Candidates,
    ClaimPair,
    OutcomeCandidate,
    Sentence,
    candidates_async,
    find_candidates,
)
from summarizer.text.entities import Mention, Party, Place
from summarizer.text.names import NameIndex, name_key, strip_name
from summarizer.text.nlp import DEFAULT_PIPELINE, PipelineMissing, load_pipeline, parse, parse_async, pipeline_id
from summarizer.text.passes import NlpPasses, open_nlp_passes
from summarizer.text.quotes import scan_quotes
from summarizer.text.speakers import MAX_OPTIONS, UNSURE_BELOW, Attribution

__all__ = [
    "DEFAULT_PIPELINE",
    "MAX_CLAIM_PAIRS",
    "MAX_OPTIONS",
    "MAX_OUTCOMES",
    "UNSURE_BELOW",
    "Attribution",
    "Candidates",
    "ClaimPair",
    "Mention",
    "NameIndex",
    "NlpPasses",
    "OutcomeCandidate",
    "Party",
    "PipelineMissing",
    "Place",
    "Sentence",
    "candidates_async",
    "find_candidates",
    "load_pipeline",
    "name_key",
    "open_nlp_passes",
    "parse",
    "parse_async",
    "pipeline_id",
    "scan_quotes",
    "strip_name",
]
