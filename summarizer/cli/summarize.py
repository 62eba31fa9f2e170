"""`summarizer summarize FILE|-`: one article, printed as JSON or as readable tables."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from summarizer.cache.stores import open_store
from summarizer.cli.common import err, guarded, load_settings, prepare_model
from summarizer.cli.render import print_summary
from summarizer.errors import InputError
from summarizer.runtime import open_upstream
from summarizer.service import ArticleIn, SummaryResponse, build_summarizer
from summarizer.settings import Settings


def read_article(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"no such file: {source}")
        data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not valid UTF-8 (byte {exc.start})") from exc


async def _summarize(settings: Settings, article: ArticleIn, prompt: str | None, refresh: bool) -> SummaryResponse:
    async with (
        open_upstream(settings, announce=lambda message: err.print(message, highlight=False)) as upstream,
        open_store(settings, None, local="file") as store,  # a CLI run is a process: answers kept on disk
    ):
        summarizer = build_summarizer(settings, upstream.llm, store=store)
        return await summarizer.summarize(article, prompt, refresh=refresh)


def summarize(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="Article text file, or - for stdin.")],
    prompt: Annotated[str | None, typer.Option(help="Prompt as id or id@version.")] = None,
    title: Annotated[str | None, typer.Option(help="Article title.")] = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Readable tables instead of JSON.")] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the model again even if this article's answer is kept.")
    ] = False,
) -> None:
    """Summarize one article and print the result (JSON by default)."""

    def run() -> None:
        settings = load_settings()
        text = read_article(source)
        try:
            article = ArticleIn(text=text, title=title)
        except ValidationError as exc:
            raise InputError(exc.errors()[0]["msg"]) from exc
        prepare_model(settings)
        result = asyncio.run(_summarize(settings, article, prompt, refresh))
        if pretty:
            print_summary(Console(), result)
        else:
            print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))

    guarded(run)
