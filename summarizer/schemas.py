"""What a summary is: the public, versioned shape that clients and other tools read.

Key names here are a contract (`parties`, `quotes`, `contested_claims`, ...): change them only with
a new `SCHEMA_VERSION`. The model never fills these classes directly; it fills the smaller
extraction models in `summarizer.extraction`, and `summarizer.grounding` turns those into these,
adding character spans that only code can compute exactly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

PartyKind = Literal["person", "organization", "state", "group", "other"]
LocationKind = Literal["country", "region", "city", "site", "other"]
OutcomeStatus = Literal["agreed", "happened", "failed", "planned", "pending", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Strict):
    """A half-open character range `[start, end)` into the submitted article text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Party(_Strict):
    name: str = Field(max_length=120)
    kind: PartyKind
    role: str = Field(default="", max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=8)
    mentions: list[Span] = Field(default_factory=list, description="Every occurrence of the name or an alias.")


class Location(_Strict):
    name: str = Field(max_length=120)
    kind: LocationKind = "other"
    role: str = Field(default="", max_length=300)
    mentions: list[Span] = Field(default_factory=list)


class Outcome(_Strict):
    description: str = Field(max_length=400)
    status: OutcomeStatus = "other"
    parties: list[str] = Field(default_factory=list, max_length=10)


class Quote(_Strict):
    text: str = Field(max_length=2000, description="Verbatim text of the quotation, without its quote marks.")
    speaker: str = Field(max_length=120, description="`name` of the party that said it.")
    partial: bool = Field(description="True for a fragment woven into a sentence, not a whole utterance.")
    start: int = Field(ge=0, description="Offset of the quote's first character in the submitted text.")
    end: int = Field(ge=0, description="Offset one past its last character.")


class ContestedClaim(_Strict):
    claim: str = Field(max_length=400)
    claimant: str = Field(max_length=120)
    disputed_by: list[str] = Field(default_factory=list, max_length=8)
    evidence: str = Field(default="", max_length=400)


class Summary(_Strict):
    """A grounded, structured summary of one article."""

    schema_version: str = SCHEMA_VERSION
    headline: str = Field(max_length=200)
    summary: str = Field(max_length=1500)
    parties: list[Party] = Field(default_factory=list, max_length=30)
    locations: list[Location] = Field(default_factory=list, max_length=20)
    outcomes: list[Outcome] = Field(default_factory=list, max_length=12)
    quotes: list[Quote] = Field(default_factory=list, max_length=40)
    contested_claims: list[ContestedClaim] = Field(default_factory=list, max_length=8)
