"""Reading saved predictions: one `<article-id>.json` per article, in the API's `summary` shape.

Accepts a bare summary or a whole API response (`{"summary": ..., "meta": ...}`), so the output of
`summarizer summarize` can be saved and scored as is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field, ValidationError

from summarizer.errors import InputError
from summarizer.schemas import ContestedClaim, Location, Outcome, Party, Quote, Summary


class _Quote(Quote):
    # Issue 7 makes Quote.speaker optional in the API too; until then only the scorer reads a null one.
    speaker: str | None = Field(  # type: ignore[assignment, unused-ignore]
        max_length=120, description="null: the quote was found but its attribution failed."
    )


class UncappedSummary(Summary):
    """A summary read for scoring: the API's list caps lifted, a null speaker allowed.

    The caps protect clients of the API; a scorer must score whatever is there (a gold file of a long
    article legitimately lists 51 parties), not abort the whole run on one long list.
    """

    parties: list[Party] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    quotes: list[_Quote] = Field(default_factory=list)  # type: ignore[assignment]
    contested_claims: list[ContestedClaim] = Field(default_factory=list)


def read_prediction(path: Path) -> Summary:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable JSON: {exc}") from exc
    if isinstance(data, dict) and "summary" in data and isinstance(data["summary"], dict):
        data = data["summary"]
    try:
        return UncappedSummary.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise InputError(f"{path}: field {where}: {first['msg']}") from exc


def read_predictions(folder: Path, slugs: Iterable[str]) -> dict[str, Summary]:
    """The predictions present in `folder` for the given article ids."""
    if not folder.is_dir():
        raise InputError(f"no such folder: {folder}")
    return {slug: read_prediction(folder / f"{slug}.json") for slug in slugs if (folder / f"{slug}.json").is_file()}
