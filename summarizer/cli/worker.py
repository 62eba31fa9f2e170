"""`summarizer worker`: work batch jobs from the queue (SUMMARIZER_REDIS_URL, or this machine's embedded one)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from summarizer.cli.common import err, guarded, load_settings, prepare_model
from summarizer.settings import Settings


async def _work(settings: Settings) -> None:
    from summarizer.jobs.batches import run_worker
    from summarizer.runtime import open_upstream
    from summarizer.service import build_summarizer

    async with open_upstream(settings, announce=lambda message: err.print(message, highlight=False)) as upstream:
        await run_worker(settings, build_summarizer(settings, upstream.llm))


def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Articles at once (default: SUMMARIZER_WORKER_CONCURRENCY or 4).")
    ] = None,
) -> None:
    """Work on batch jobs from the queue until SIGTERM (the articles in flight get 10 s to finish)."""

    def run() -> None:
        from summarizer.observe.logs import configure_logging

        settings = load_settings(worker_concurrency=concurrency)
        configure_logging(settings.log_level)  # like serve: a worker's logs are its output, on stderr
        prepare_model(settings)
        asyncio.run(_work(settings))

    guarded(run)
