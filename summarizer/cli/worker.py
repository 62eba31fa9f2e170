"""`summarizer worker`: work batch jobs from the queue (SUMMARIZER_REDIS_URL, or this machine's embedded one)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from summarizer.cli.common import err, guarded, load_settings, prepare_model
from summarizer.settings import Settings


async def _work(settings: Settings) -> None:
    from summarizer.cache.stores import open_store
    from summarizer.jobs.batches import QueueConnection, run_worker, worker_url
    from summarizer.runtime import connect_redis, open_upstream
    from summarizer.service import build_summarizer

    url = worker_url(settings)
    connection = QueueConnection(url, connect_redis(url))
    try:
        async with (
            open_upstream(settings, announce=lambda message: err.print(message, highlight=False)) as upstream,
            open_store(settings, connection.redis) as store,  # answers shared with the API that queued the jobs
        ):
            await run_worker(settings, connection, build_summarizer(settings, upstream.llm, store=store))
    finally:
        await connection.redis.aclose()


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
