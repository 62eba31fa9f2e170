"""`summarizer worker`: work batch jobs from the queue (SUMMARIZER_REDIS_URL, or this machine's embedded one)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from summarizer.cli.common import err, guarded, load_settings, prepare_model

if TYPE_CHECKING:
    from summarizer.settings import Settings


async def _work(settings: Settings, eager: bool) -> None:
    from summarizer.jobs.runtime import run_worker
    from summarizer.runtime import open_upstream
    from summarizer.service import build_summarizer

    def announce(message: str) -> None:
        err.print(message, highlight=False)

    async with open_upstream(settings, announce=announce, eager=eager) as upstream:
        await run_worker(settings, build_summarizer(settings, upstream.llm))


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(metavar="N", help="Articles at once (default: SUMMARIZER_WORKER_CONCURRENCY or 4)."),
    ] = None,
) -> None:
    """Work on batch jobs from the queue until SIGTERM.

    On SIGTERM the articles in flight get 10 s to finish; the rest go back to the queue.
    """

    def run() -> None:
        from summarizer.logs import configure_logging
        from summarizer.prompts import PromptLibrary

        settings = load_settings(worker_concurrency=concurrency)
        configure_logging(settings.log_level)  # like serve: a worker's logs are its output, on stderr
        default = PromptLibrary.load(settings.prompts_dir).get(settings.default_prompt)
        prepare_model(settings, default)  # like serve: the model now if the default needs one, else on first need
        asyncio.run(_work(settings, eager=default.calls_model))

    guarded(run)
