"""Structured, grounded summaries of news articles.

The public surface is what `__all__` lists; everything else is an implementation detail.

The names are imported when first used (PEP 562 `__getattr__`), not when the package is: every
module of the package imports this file first, and `summarizer.client` (httpx and pydantic only)
must not pay for Litestar, spaCy and saq because `create_app` lives here too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.api import create_app
    from summarizer.errors import SummarizerError
    from summarizer.schemas import SCHEMA_VERSION, ArticleIn, Summary, SummaryResponse
    from summarizer.service import Summarizer
    from summarizer.settings import Settings

_WHERE = {
    "SCHEMA_VERSION": "summarizer.schemas",
    "ArticleIn": "summarizer.schemas",
    "Settings": "summarizer.settings",
    "Summarizer": "summarizer.service",
    "SummarizerError": "summarizer.errors",
    "Summary": "summarizer.schemas",
    "SummaryResponse": "summarizer.schemas",
    "create_app": "summarizer.api",
}

__all__ = [
    "SCHEMA_VERSION",
    "ArticleIn",
    "Settings",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "SummaryResponse",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
