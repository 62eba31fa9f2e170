"""What the model is asked to fill: small schemas whose field descriptions are part of the prompt.

Validators read instructor's validation context (`{"article": Article, "parties": [...]}`) and
reject ungrounded output with a message written for the model, so the re-ask tells it exactly what
to fix. Lists and strings are bounded: a small model left unbounded loops to the context limit.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from summarizer.grounding import Article
from summarizer.schemas import LocationKind, OutcomeStatus, PartyKind


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PartyDraft(_Draft):
    name: str = Field(
        max_length=120,
        description="Name exactly as written in the article, e.g. 'Vladimir Putin', 'Daily Mail', 'Ukraine'.",
    )
    kind: PartyKind = Field(
        description="person, organization (company, agency, party, outlet), state (a country or government "
        "acting), group (unnamed collective, e.g. 'protesters'), or other."
    )
    role: str = Field(default="", max_length=200, description="Their role in this story, in a few words.")
    aliases: list[str] = Field(
        default_factory=list,
        max_length=5,
        description="Other names for the same party that appear in the article, e.g. 'Putin'.",
    )


class LocationDraft(_Draft):
    name: str = Field(max_length=120, description="Place name exactly as written in the article.")
    kind: LocationKind = Field(default="other", description="country, region, city, site or other.")
    role: str = Field(default="", max_length=200, description="Why the place matters in the story.")


class OutcomeDraft(_Draft):
    description: str = Field(max_length=300, description="One sentence: what happened or was decided.")
    status: OutcomeStatus = Field(default="other", description="agreed, happened, failed, planned, pending or other.")
    parties: list[str] = Field(default_factory=list, max_length=6, description="Names of the parties involved.")


class ClaimDraft(_Draft):
    claim: str = Field(max_length=300, description="The claim, in one sentence.")
    claimant: str = Field(max_length=120, description="Name of who makes the claim.")
    disputed_by: list[str] = Field(
        default_factory=list, max_length=5, description="Parties or sources that dispute or contradict it."
    )
    evidence: str = Field(default="", max_length=300, description="What in the article contradicts the claim.")


class QuoteDraft(_Draft):
    text: str = Field(max_length=1000, description="The quoted words, copied character for character.")
    speaker: str = Field(max_length=120, description="Name of the party who said it (one of `parties`).")

    @field_validator("text")
    @classmethod
    def verbatim(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.contains(value):
            raise ValueError(
                f"quote {value[:80]!r} does not occur verbatim in the article; copy quotes exactly or omit them"
            )
        return value


class EntitiesExtraction(_Draft):
    """Headline, summary, parties and places of a news article."""

    headline: str = Field(max_length=160, description="One-line headline, at most 15 words.")
    summary: str = Field(max_length=900, description="2-4 sentences: who did what, where, with what result.")
    parties: list[PartyDraft] = Field(
        max_length=15, description="People, organizations, states and groups that act or are acted upon."
    )
    locations: list[LocationDraft] = Field(default_factory=list, max_length=10, description="Places in the story.")


class EventsExtraction(_Draft):
    """Outcomes and contested claims of a news article."""

    outcomes: list[OutcomeDraft] = Field(max_length=6, description="What happened or was decided.")
    contested_claims: list[ClaimDraft] = Field(
        default_factory=list,
        max_length=4,
        description="Claims that someone in the article disputes or that the article's facts contradict.",
    )


class Attribution(_Draft):
    quote: int = Field(ge=1, description="Number of the quotation in the list.")
    speaker: str = Field(
        max_length=60, description="Name of the person or organization who said it, as the article writes it."
    )


class QuoteAttributions(_Draft):
    """Who said each numbered quotation."""

    attributions: list[Attribution] = Field(max_length=40)

    @field_validator("attributions")
    @classmethod
    def grounded_speakers(cls, value: list[Attribution], info: ValidationInfo) -> list[Attribution]:
        article, count = _article(info), _context(info).get("quote_count")
        problems = []
        for item in value:
            if isinstance(count, int) and item.quote > count:
                problems.append(f"quotation {item.quote} does not exist (there are {count})")
            if article is not None and not article.contains(item.speaker):
                problems.append(f"speaker {item.speaker!r} is not named in the article; use a name from the article")
        if problems:
            raise ValueError("; ".join(problems))
        return value


class SummaryExtraction(EntitiesExtraction):
    """Everything in one call: the single-call strategy."""

    outcomes: list[OutcomeDraft] = Field(max_length=6, description="What happened or was decided.")
    quotes: list[QuoteDraft] = Field(default_factory=list, max_length=12, description="Direct quotations.")
    contested_claims: list[ClaimDraft] = Field(default_factory=list, max_length=4)

    @field_validator("quotes")
    @classmethod
    def speakers_are_parties(cls, value: list[QuoteDraft], info: ValidationInfo) -> list[QuoteDraft]:
        parties = info.data.get("parties") or []
        names = {n.casefold() for p in parties for n in [p.name, *p.aliases]}
        unknown = [q.speaker for q in value if q.speaker.casefold() not in names]
        if unknown:
            raise ValueError(f"speakers {unknown} are not in `parties`; add them to parties or fix the speaker")
        return value


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _article(info: ValidationInfo) -> Article | None:
    article = _context(info).get("article")
    return article if isinstance(article, Article) else None
