"""What a summary is: the public, versioned shape that clients and other tools read.

Key names here are a contract (`parties`, `quotes`, `contested_claims`, ...): change them only with
a new `SCHEMA_VERSION`. The model never fills these classes directly; it fills the smaller
draft models in `summarizer.pipeline.drafts`, and `summarizer.pipeline.assemble` turns those into
these, adding character spans that only code can compute exactly.

1.1: `Quote.speaker` may be null (a quotation found in the text whose attribution failed or could
not be grounded); `SummaryMeta` gained `incomplete`, `dropped` and `coerced`.
1.2: longer lists for long articles (parties 100, locations 60, outcomes 40, contested claims 24);
nothing removed or renamed, so a 1.1 reader only sees more items.
1.3 (additive): every party, place, outcome and contested claim carries `confidence`, and every quote
`speaker_confidence`: a number in [0, 1] from the method that produced the item (a rule's measured
weight; a model's token probability), or null where the method gave none (answers made before 1.3).
An app can keep only the items above a threshold; `summarizer eval run` reports how well these numbers
are calibrated. Outcomes and claims carry `evidence_spans`: the sentence(s) of the article they rest on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.3"

PartyKind = Literal["person", "organization", "state", "group", "other"]
LocationKind = Literal["country", "region", "city", "site", "other"]
OutcomeStatus = Literal["agreed", "happened", "failed", "planned", "pending", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Strict):
    """A half-open character range `[start, end)` into the submitted article text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


def _confidence(what: str) -> Any:
    return Field(
        default=None,
        ge=0.0,
        le=1.0,
        description=f"How likely {what} is right, in [0, 1], from the method that produced it (a rule's measured "
        "precision, a model's token probability); null when the method gave no number.",
    )


class Party(_Strict):
    name: str = Field(max_length=120)
    kind: PartyKind
    role: str = Field(default="", max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=8)
    mentions: list[Span] = Field(default_factory=list, description="Every occurrence of the name or an alias.")
    confidence: float | None = _confidence("this party belongs in the summary")


class Location(_Strict):
    name: str = Field(max_length=120)
    kind: LocationKind = "other"
    role: str = Field(default="", max_length=300)
    mentions: list[Span] = Field(default_factory=list)
    confidence: float | None = _confidence("this place belongs in the summary")


class Outcome(_Strict):
    description: str = Field(max_length=400)
    status: OutcomeStatus = "other"
    parties: list[str] = Field(default_factory=list, max_length=10)
    evidence_spans: list[Span] = Field(
        default_factory=list, max_length=8, description="The sentence(s) of the article this outcome rests on."
    )
    confidence: float | None = _confidence("this outcome is a correct statement of what happened")


class Quote(_Strict):
    text: str = Field(max_length=2000, description="Verbatim text of the quotation, without its quote marks.")
    speaker: str | None = Field(
        max_length=120,
        description="`name` of the party that said it; null when the quotation was found but its "
        "attribution failed or named nobody in the article (see `meta.incomplete` / `meta.dropped`).",
    )
    partial: bool = Field(description="True for a fragment woven into a sentence, not a whole utterance.")
    start: int = Field(ge=0, description="Offset of the quote's first character in the submitted text.")
    end: int = Field(ge=0, description="Offset one past its last character.")
    speaker_confidence: float | None = _confidence("`speaker` is who said it")


class ContestedClaim(_Strict):
    claim: str = Field(max_length=400)
    claimant: str = Field(max_length=120)
    disputed_by: list[str] = Field(default_factory=list, max_length=8)
    evidence: str = Field(default="", max_length=400)
    evidence_spans: list[Span] = Field(
        default_factory=list,
        max_length=8,
        description="Where the article disputes the claim (the denial, or the contradicting evidence).",
    )
    confidence: float | None = _confidence("this claim is made in the article and disputed there")


class Summary(_Strict):
    """A grounded, structured summary of one article."""

    schema_version: str = SCHEMA_VERSION
    headline: str = Field(max_length=200)
    summary: str = Field(max_length=1500)
    parties: list[Party] = Field(default_factory=list, max_length=100)
    locations: list[Location] = Field(default_factory=list, max_length=60)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=40)
    quotes: list[Quote] = Field(default_factory=list, max_length=1000)
    contested_claims: list[ContestedClaim] = Field(default_factory=list, max_length=24)


class ArticleIn(BaseModel):
    """An article as submitted. Its text is untrusted data, never instructions."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="Full article text; offsets in the response index into it.")
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = None


class PromptInfo(BaseModel):
    id: str
    version: int
    hash: str


class UsageInfo(BaseModel):
    prompt_tokens: int
    completion_tokens: int


class IncompleteField(BaseModel):
    """A field of the summary that is empty (or, for quotes, unattributed) because its model call failed."""

    field: str = Field(description="A `Summary` field: headline, summary, parties, locations, outcomes, ...")
    reason: str = Field(description="What failed: the problem slug and the validator's or upstream's message.")


class ItemCount(BaseModel):
    """Items removed from (or changed in) one field, with the first few offending values."""

    field: str = Field(description="Field path, e.g. `parties`, `quotes.speaker`, `outcomes.parties`.")
    count: int
    values: list[str] = Field(description="The first few values, truncated.")


class SummaryMeta(BaseModel):
    model: str
    prompt: PromptInfo
    schema_version: str
    usage: UsageInfo
    attempts: int = Field(description="Upstream HTTP calls made, retries and re-asks included.")
    reasks: int
    latency_ms: int
    incomplete: list[IncompleteField] = Field(
        default_factory=list,
        description="Field groups whose model call failed; the rest of the summary is still grounded. "
        "Empty for a complete summary. Send `require_complete: true` to get a 502 instead.",
    )
    dropped: list[ItemCount] = Field(
        default_factory=list, description="What grounding removed: model output the article does not support."
    )
    coerced: list[ItemCount] = Field(
        default_factory=list, description="Values kept after a safe correction, e.g. an unknown `kind` -> `other`."
    )
    cached: bool = Field(
        default=False,
        description="True when this answer was not made for this request: served from the response cache, "
        "shared with an identical request in flight, or replayed for its `Idempotency-Key` "
        "(`latency_ms`, `usage` and `attempts` are then the original run's).",
    )


class SummaryResponse(BaseModel):
    summary: Summary
    meta: SummaryMeta
