"""Structured, grounded summaries of news articles.

The public surface is what `__all__` lists; everything else is an implementation detail.
"""

from summarizer.api import create_app
from summarizer.errors import SummarizerError
from summarizer.schemas import SCHEMA_VERSION, Summary
from summarizer.service import ArticleIn, Summarizer, SummaryResponse
from summarizer.settings import Settings

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
