"""What the model is asked to fill: small schemas whose field descriptions are part of the prompt.

Lists are judged **item by item**. An item that cannot be grounded (a speaker the article never
names, a party it never mentions, a quotation number that does not exist) is dropped and recorded
in the call's `Ledger`; an unknown `kind` or `status` is coerced to `other`. Neither rejects its
siblings: one bad attribution used to fail all eight, and the re-ask got the same list back.

A re-ask happens only when nothing usable is left of a non-empty list, or the JSON itself does not
fit the schema, and then only once (the last attempt keeps the empty list and records the field as
incomplete instead of failing the call). Validators read the call's `DraftContext` (instructor passes
it as `info.context["call"]`): the article, the lengths of the numbered lists shown, which answer of
the call this is; the caller reads the ledger of the attempt that succeeded from it afterwards.

Lists and strings stay bounded: a small model left unbounded loops to the context limit. Items past
a list's cap are dropped (and recorded), not re-asked: a looping model repeats itself anyway.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar, get_args, get_origin

from annotated_types import MaxLen
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from summarizer.llm.client import CallContext
from summarizer.observe.logs import short
from summarizer.pipeline.ledger import Ledger
from summarizer.schemas import LocationKind, OutcomeStatus, PartyKind
from summarizer.text.article import Article


@dataclass
class DraftContext(CallContext):
    """What the validators of one model call check its answer against, and where they report.

    Counts are the lengths of the numbered lists the prompt showed (None: no such list, so no
    check); `unused` names lists the strategy throws away (never judged, never re-asked).
    """

    article: Article | None = None
    ledger: Ledger = dataclass_field(default_factory=Ledger)
    unused: frozenset[str] = frozenset()
    party_count: int | None = None
    place_count: int | None = None
    outcome_count: int | None = None
    claim_count: int | None = None
    quote_count: int | None = None
    options: dict[int, tuple[str, ...]] | None = None  # per numbered quotation, its speaker options
    rejected: list[dict[str, Any]] = dataclass_field(default_factory=list)  # every attempt's problems, for the failure


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

    @model_validator(mode="after")
    def named_in_article(self, info: ValidationInfo) -> PartyDraft:
        article = _article(info)
        if article is not None and not article.mentions([self.name, *self.aliases]):
            raise ValueError("not named in the article")
        return self


class LocationDraft(_Draft):
    name: str = Field(max_length=120, description="Place name exactly as written in the article.")
    kind: LocationKind = Field(default="other", description="country, region, city, site or other.")
    role: str = Field(default="", max_length=200, description="Why the place matters in the story.")

    @field_validator("name")
    @classmethod
    def named_in_article(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.mentions([value]):
            raise ValueError("not named in the article")
        return value


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

    @field_validator("claimant")
    @classmethod
    def claimant_named(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.mentions([value]):
            raise ValueError("not named in the article")
        return value


class QuoteDraft(_Draft):
    text: str = Field(max_length=1000, description="The quoted words, copied character for character.")
    speaker: str = Field(max_length=120, description="Name of the party who said it (one of `parties`).")

    @field_validator("text")
    @classmethod
    def verbatim(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.contains(value):
            raise ValueError("does not occur verbatim in the article; copy quotes exactly or omit them")
        return value


class Attribution(_Draft):
    quote: int = Field(ge=1, description="Number of the quotation in the list.")
    speaker: str = Field(
        max_length=60, description="Name of the person or organization who said it, as the article writes it."
    )

    @field_validator("quote")
    @classmethod
    def quote_exists(cls, value: int, info: ValidationInfo) -> int:
        count = _context(info).quote_count
        if count is not None and value > count:
            raise ValueError(f"quotation {value} does not exist (there are {count})")
        return value

    @field_validator("speaker")
    @classmethod
    def speaker_named(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.contains(value):
            raise ValueError("not named in the article; use a name the article writes")
        return value


class Group(_Draft):
    """The answer to one model call. Its list fields are validated one item at a time (see module doc)."""

    # Where a draft list's items land in the public `Summary`, for `meta.dropped` and `meta.incomplete`.
    PUBLIC_PATHS: ClassVar[dict[str, str]] = {}
    # Lists that may rightly be empty: nothing usable in one is a few drops, never a re-ask or a failure.
    OPTIONAL_LISTS: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _fresh_ledger(cls, data: Any, info: ValidationInfo) -> Any:
        """Each attempt is judged on its own: drops recorded by a rejected attempt must not count."""
        context = _context(info)
        context.ledger = Ledger()
        return data

    @field_validator("*", mode="wrap")
    @classmethod
    def _item_by_item(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        field = cls.model_fields[name]
        item_model = _item_model(field.annotation)
        if item_model is None or not isinstance(value, list):
            return handler(value)  # a scalar, or not even a list: the schema decides, a re-ask may follow
        if name in _context(info).unused:
            return []  # the strategy throws this list away: judging it could only cost a re-ask
        path = cls.PUBLIC_PATHS.get(name, name)
        ledger = _context(info).ledger
        cap = _max_length(field)
        kept: list[Any] = []
        reasons: list[str] = []
        problems: list[dict[str, Any]] = []
        for raw in value:
            coerced_raw, coercions = _coerce_literals(item_model, raw)
            try:
                [item] = handler([coerced_raw])
            except ValidationError as exc:
                if exc.errors(include_url=False)[0].get("type") == NOTHING_LISTED:
                    problems.append({"type": NOTHING_LISTED})
                    continue  # a pick from a list that was empty: noise, not a miss worth reporting
                label = _label(raw, exc)
                reason = f"{label}: {_first_error(exc)}"
                reasons.append(reason)
                problems.append({"field": path, "message": _first_error(exc), "value": label, "type": "invalid"})
                ledger.drop(path, reason, raw)
                continue
            if cap is not None and len(kept) >= cap:
                ledger.drop(path, f"{_label(raw)}: over the limit of {cap} items", raw)
                continue
            for field_name, before, after in coercions:
                ledger.coerce(f"{path}.{field_name}", before, after)
            kept.append(item)
        if value and not kept and (name in cls.OPTIONAL_LISTS or all(p["type"] == NOTHING_LISTED for p in problems)):
            return kept  # an optional list, or picks from an empty one: the drops say it all
        if value and not kept:
            summary = f"none of the {len(value)} items of `{name}` could be used: " + "; ".join(reasons[:3])
            # Kept across attempts (unlike the ledger): the field's failure names every attempt's problems.
            context = _context(info)
            context.rejected.extend(
                {"task": context.task, "attempt": context.attempt, **{k: v for k, v in p.items() if k != "type"}}
                for p in problems
                if p["type"] != NOTHING_LISTED
            )
            if not context.is_final_attempt:
                raise ValueError(summary + ". Use only names and numbers that appear in the article and the list.")
            ledger.fail([path.split(".")[0]], summary, failures=list(context.rejected))  # a `Summary` field
        return kept


class EntitiesExtraction(Group):
    """Headline, summary, parties and places of a news article."""

    headline: str = Field(max_length=160, description="One-line headline, at most 15 words.")
    summary: str = Field(max_length=900, description="2-4 sentences: who did what, where, with what result.")
    parties: list[PartyDraft] = Field(
        max_length=15, description="People, organizations, states and groups that act or are acted upon."
    )
    locations: list[LocationDraft] = Field(default_factory=list, max_length=10, description="Places in the story.")


class Digest(Group):
    """Headline and summary of a long article, written from its windows' summaries."""

    headline: str = Field(max_length=160, description="One-line headline of the whole article, at most 15 words.")
    summary: str = Field(
        max_length=900, description="2-4 sentences on the whole article: who did what, with what result."
    )


class EventsExtraction(Group):
    """Outcomes and contested claims of a news article."""

    outcomes: list[OutcomeDraft] = Field(max_length=6, description="What happened or was decided.")
    contested_claims: list[ClaimDraft] = Field(
        default_factory=list,
        max_length=4,
        description="Claims that someone in the article disputes or that the article's facts contradict.",
    )


class QuoteAttributions(Group):
    """Who said each numbered quotation."""

    PUBLIC_PATHS: ClassVar[dict[str, str]] = {"attributions": "quotes.speaker"}
    MAX_QUOTES: ClassVar[int] = 40  # quotations shown in one call; more are asked for in further calls

    attributions: list[Attribution] = Field(max_length=40)


class SummaryExtraction(EntitiesExtraction):
    """Everything in one call: the single-call strategy."""

    outcomes: list[OutcomeDraft] = Field(max_length=6, description="What happened or was decided.")
    quotes: list[QuoteDraft] = Field(default_factory=list, max_length=12, description="Direct quotations.")
    contested_claims: list[ClaimDraft] = Field(default_factory=list, max_length=4)


def _context(info: ValidationInfo) -> DraftContext:
    """The call's context; validated outside a model call (tests, recordings), a fresh empty one per check."""
    context = info.context.get("call") if isinstance(info.context, dict) else None
    if isinstance(context, DraftContext):
        return context
    if isinstance(info.context, dict):  # one per validation, so an attempt's drops stay together
        return info.context.setdefault("call", DraftContext())  # type: ignore[no-any-return]
    return DraftContext()


def _article(info: ValidationInfo) -> Article | None:
    return _context(info).article


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """`PartyDraft` for `list[PartyDraft]`; None for any other annotation."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _max_length(field: FieldInfo) -> int | None:
    return next((m.max_length for m in field.metadata if isinstance(m, MaxLen)), None)


def _literal_values(annotation: Any) -> tuple[str, ...]:
    if get_origin(annotation) is typing.Literal:
        return tuple(str(v) for v in get_args(annotation))
    if isinstance(annotation, types.UnionType) or get_origin(annotation) is typing.Union:
        return tuple(v for arg in get_args(annotation) for v in _literal_values(arg))
    return ()


def _coerce_literals(model: type[BaseModel], raw: Any) -> tuple[Any, list[tuple[str, str, str]]]:
    """Map an unknown `kind`/`status` to `other` (and fix its case): a wrong label, not a wrong item."""
    if not isinstance(raw, dict):
        return raw, []
    fixed, coercions = dict(raw), []
    for name, field in model.model_fields.items():
        allowed = _literal_values(field.annotation)
        value = fixed.get(name)
        if "other" not in allowed or not isinstance(value, str) or value in allowed:
            continue
        folded = value.strip().casefold()
        if folded in allowed:
            fixed[name] = folded
        else:
            fixed[name] = "other"
            coercions.append((name, value, "other"))
    return fixed, coercions


_LABEL_KEYS = ("name", "speaker", "claimant", "text", "description", "claim")


def _label(raw: Any, exc: ValidationError | None = None) -> str:
    """What a person scanning `meta.dropped` recognises an item by: the offending value, else its name or text."""
    if isinstance(raw, dict):
        location = exc.errors(include_url=False)[0].get("loc", ()) if exc is not None else ()
        offending = raw.get(location[1]) if len(location) > 1 and isinstance(location[1], str) else None
        if isinstance(offending, str | int) and str(offending).strip():
            return short(offending, 60)
        for key in _LABEL_KEYS:
            if isinstance(raw.get(key), str) and raw[key].strip():
                return short(raw[key], 60)
    return short(raw, 60)


def _first_error(exc: ValidationError) -> str:
    """The field and the validator's message of an item's first error: what the re-ask quotes."""
    error = exc.errors(include_url=False)[0]
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    location = ".".join(str(p) for p in error.get("loc", ())[1:])  # drop the item's index in the 1-list
    return short(f"{location}: {message}" if location else message, 120)


# --- the candidates strategy: the model judges numbered lists that code found -------------------
# Descriptions are short on purpose: the JSON schema is sent with every call (it was ~600 tokens a
# call with prose descriptions), and the task text already says what each list means.

NOTHING_LISTED = "nothing_listed"


def _within(count: int | None, value: int, what: str) -> int:
    if count == 0:  # the list was empty: a pick from it is noise, not a mistake worth a re-ask
        raise PydanticCustomError(NOTHING_LISTED, "no {what} was listed", {"what": what})
    if count is not None and not 1 <= value <= count:
        raise ValueError(f"{what} {value} does not exist (there are {count})")
    return value


class PartyPick(_Draft):
    """Keep a candidate party. Its kind comes from the NLP pass (a 1.5B model mislabels people as agencies)."""

    n: int = Field(description="P-number")
    role: str = Field(default="", max_length=60, description="role, 2-6 words")

    @field_validator("n")
    @classmethod
    def listed(cls, value: int, info: ValidationInfo) -> int:
        return _within(_context(info).party_count, value, "party")


class PlacePick(_Draft):
    n: int = Field(description="L-number")

    @field_validator("n")
    @classmethod
    def listed(cls, value: int, info: ValidationInfo) -> int:
        return _within(_context(info).place_count, value, "place")


class OutcomePick(_Draft):
    n: int = Field(description="S-number")
    status: OutcomeStatus = Field(description="agreed, happened, failed, planned, pending or other")

    @field_validator("n")
    @classmethod
    def listed(cls, value: int, info: ValidationInfo) -> int:
        return _within(_context(info).outcome_count, value, "sentence")


class ClaimPick(_Draft):
    n: int = Field(description="C-number of a pair whose response really disputes the claim")
    claimant: int = Field(default=0, ge=0, description="option number of who claims it, 0 if not listed")
    disputer: int = Field(default=0, ge=0, description="option number of who disputes it, 0 if not listed")

    @field_validator("n")
    @classmethod
    def listed(cls, value: int, info: ValidationInfo) -> int:
        return _within(_context(info).claim_count, value, "pair")


class SpeakerPick(_Draft):
    q: int = Field(description="Q-number")
    option: int = Field(ge=0, description="option number of who said it, 0 if none")

    @field_validator("q")
    @classmethod
    def listed(cls, value: int, info: ValidationInfo) -> int:
        return _within(_context(info).quote_count, value, "quotation")

    @model_validator(mode="after")
    def option_exists(self, info: ValidationInfo) -> SpeakerPick:
        options = _context(info).options
        if options is not None and self.option > len(options.get(self.q, ())):
            raise ValueError(f"quotation {self.q} has no option {self.option}")
        return self


class MissedParty(_Draft):
    name: str = Field(max_length=120, description="copied exactly from the article")

    @field_validator("name")
    @classmethod
    def verbatim(cls, value: str, info: ValidationInfo) -> str:
        article = _article(info)
        if article is not None and not article.mentions([value]):
            raise ValueError("not written in the article; copy the name exactly or leave it out")
        return value


class Judgement(Group):
    """Headline and summary, and the numbers chosen from each list."""

    PUBLIC_PATHS: ClassVar[dict[str, str]] = {
        "places": "locations",
        "claims": "contested_claims",
        "speakers": "quotes.speaker",
        "missed": "parties",
    }
    OPTIONAL_LISTS: ClassVar[frozenset[str]] = frozenset({"places", "outcomes", "claims", "speakers", "missed"})

    headline: str = Field(max_length=160, description="one line, at most 15 words")
    summary: str = Field(max_length=900, description="2-4 sentences")
    parties: list[PartyPick] = Field(max_length=15)
    places: list[PlacePick] = Field(default_factory=list, max_length=10)
    outcomes: list[OutcomePick] = Field(default_factory=list, max_length=6)
    claims: list[ClaimPick] = Field(default_factory=list, max_length=4)
    speakers: list[SpeakerPick] = Field(default_factory=list, max_length=40)
    missed: list[MissedParty] = Field(default_factory=list, max_length=2, description="usually empty")


DRAFT_MODELS: tuple[type[Group], ...] = (
    EntitiesExtraction,
    EventsExtraction,
    QuoteAttributions,
    SummaryExtraction,
    Judgement,
    Digest,
)
"""Every schema a model fills: their JSON schemas are part of the prompt, so part of the fingerprint."""
