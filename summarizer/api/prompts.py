"""`GET /v1/prompts`: the prompts this service knows, with version, hash and which one is the default.

Before it, a caller learnt the prompt ids from the text of a 422 (`unknown prompt ...; known: ...`).
The hash is the one every answer carries in `meta.prompt.hash`, so a caller can tell whether the
template behind an answer it kept is still the one served.
"""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from pydantic import BaseModel, Field

from summarizer.api.contract import problem_responses
from summarizer.prompts import PromptLibrary
from summarizer.service import Summarizer


class PromptEntry(BaseModel):
    ref: str = Field(description="`id@version`: what a request's `prompt` names.")
    id: str
    version: int
    hash: str = Field(description="The template file's content hash, as in an answer's `meta.prompt.hash`.")
    strategy: str = Field(description="How the summary is made: single, grouped, candidates, hybrid or rules.")
    calls_model: bool = Field(description="False for a prompt answered by code alone (`rules`): no model call.")
    default: bool = Field(description="The prompt used when a request names none (`SUMMARIZER_DEFAULT_PROMPT`).")
    latest: bool = Field(description="The highest version of its id: what a request naming only the id gets.")
    description: str


class PromptList(BaseModel):
    default: str = Field(description="`id@version` of the default prompt.")
    prompts: list[PromptEntry]


def prompt_list(library: PromptLibrary, default_ref: str) -> PromptList:
    default = library.get(default_ref)
    entries = []
    for ref in library.refs():
        prompt = library.get(ref)
        entries.append(
            PromptEntry(
                ref=ref,
                id=prompt.meta.id,
                version=prompt.meta.version,
                hash=prompt.hash,
                strategy=prompt.meta.strategy,
                calls_model=prompt.calls_model,
                default=prompt is default,
                latest=library.get(prompt.meta.id) is prompt,
                description=" ".join(prompt.meta.description.split()),
            )
        )
    return PromptList(default=default.ref, prompts=entries)


@get(
    "/v1/prompts",
    tags=["prompts"],
    summary="The prompts a request may name",
    description="Every prompt template as `id@version`, with its content hash (the one answers carry in "
    "`meta.prompt.hash`), its strategy, whether it calls the model, which one is the default and which is "
    "the latest of its id.",
    responses=problem_responses("unauthorized", "rate-limited", "internal"),
)
async def list_prompts(state: State) -> PromptList:
    summarizer: Summarizer = state.summarizer
    return prompt_list(summarizer.prompts, summarizer.settings.default_prompt)
