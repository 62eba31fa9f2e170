"""The summarize use-case: check the input, pick prompt and strategy, run it under one deadline.

Both the HTTP API and the CLI call `Summarizer.summarize`; neither knows how a summary is made.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from summarizer.errors import ArticleTooLarge, InputError, Usage
from summarizer.grounding import Article
from summarizer.llm import CallScope, LLMClient, call_scope
from summarizer.prompts import PromptLibrary
from summarizer.schemas import SCHEMA_VERSION, Summary
from summarizer.settings import Settings
from summarizer.strategies import STRATEGIES


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


class SummaryMeta(BaseModel):
    model: str
    prompt: PromptInfo
    schema_version: str
    usage: UsageInfo
    attempts: int = Field(description="Upstream HTTP calls made, retries and re-asks included.")
    reasks: int
    latency_ms: int


class SummaryResponse(BaseModel):
    summary: Summary
    meta: SummaryMeta


# C0 controls other than tab, newline and carriage return, DEL, and lone UTF-16 surrogates: never
# part of an article, often a sign of binary data or of an attempt to confuse the prompt.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _check_controls(field: str, text: str) -> None:
    if (found := _CONTROL.search(text)) is not None:
        char = found.group()
        what = "NUL bytes" if char == "\x00" else f"control character U+{ord(char):04X}"
        raise InputError(f"{field} contains {what} (at index {found.start()})", field=field, index=found.start())


def _check_text(text: str, settings: Settings) -> None:
    if not text.strip():
        raise InputError("article text is empty or only whitespace")
    _check_controls("article text", text)
    if len(text) > settings.max_article_chars:
        raise ArticleTooLarge(
            f"article has {len(text)} characters; the limit is {settings.max_article_chars}",
            limit=settings.max_article_chars,
        )
    estimated_tokens = len(text) // 4
    if estimated_tokens > settings.max_article_tokens:
        raise ArticleTooLarge(
            f"article is about {estimated_tokens} tokens; the limit is {settings.max_article_tokens}",
            limit=settings.max_article_tokens,
        )


class Summarizer:
    """Summaries of articles, grounded in their text."""

    def __init__(self, settings: Settings, llm: LLMClient, prompts: PromptLibrary) -> None:
        self.settings = settings
        self.llm = llm
        self.prompts = prompts

    async def summarize(self, article: ArticleIn, prompt_ref: str | None = None) -> SummaryResponse:
        _check_text(article.text, self.settings)
        for name, value in (("article title", article.title), ("article url", article.url)):
            _check_controls(name, value or "")
        prompt = self.prompts.get(prompt_ref or self.settings.default_prompt)
        variables = {
            "article": {
                "text": article.text,
                "title": article.title,
                "url": article.url,
                "published_at": article.published_at.isoformat() if article.published_at else None,
            }
        }
        prompt.render(next(iter(prompt.meta.tasks)), **variables, quotes=[], parties=[])  # fail before any call
        started = time.monotonic()
        scope = CallScope.starting_now(self.settings.request_deadline_s)
        with call_scope(scope):
            summary = await STRATEGIES[prompt.meta.strategy](self.llm, prompt, Article(article.text), variables)
        return SummaryResponse(
            summary=summary,
            meta=SummaryMeta(
                model=self.settings.llm_model,
                prompt=PromptInfo(id=prompt.meta.id, version=prompt.meta.version, hash=prompt.hash),
                schema_version=SCHEMA_VERSION,
                usage=_usage(scope.usage),
                attempts=scope.upstream_calls,
                reasks=scope.reasks,
                latency_ms=round((time.monotonic() - started) * 1000),
            ),
        )


def _usage(usage: Usage) -> UsageInfo:
    return UsageInfo(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
