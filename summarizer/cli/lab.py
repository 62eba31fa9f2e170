"""`summarizer lab`: the prompt lab on its own server (loopback by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.common import err, guarded, load_settings, prepare_model
from summarizer.errors import InputError
from summarizer.evals.gold import load_gold


def lab(
    host: Annotated[str | None, typer.Option(help="Bind address (default: SUMMARIZER_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: SUMMARIZER_PORT or 8000).")] = None,
    gold: Annotated[
        list[Path] | None,
        typer.Option(help="A gold folder to offer (repeat for more; default: SUMMARIZER_LAB_GOLD_DIRS, evals/gold)."),
    ] = None,
    prompts: Annotated[
        Path | None,
        typer.Option(help="Prompt folder drafts are checked against and saved to (default: the service's)."),
    ] = None,
) -> None:
    """Serve the prompt lab: run prompt variants and drafts over a gold set, see every verdict on the article.

    The model (or the configured upstream) is started only when an article needs it; cached answers cost
    nothing. Runs are kept as `eval run` directories under SUMMARIZER_LAB_RUNS_DIR (runs/lab).
    """

    def run() -> None:
        import uvicorn

        from summarizer.lab.app import create_lab_app
        from summarizer.observe.logs import configure_logging

        settings = load_settings(host=host, port=port, prompts_dir=prompts)
        configure_logging(settings.log_level)
        for folder in gold or settings.lab_gold_paths:
            if not folder.is_dir():
                raise InputError(f"--gold {folder}: not a folder of gold files")
            load_gold(folder)  # a stale or broken gold file fails here, in one line, not in the page
        prepare_model(settings)  # the download's progress bar here, not in a request
        app = create_lab_app(settings, gold_dirs=gold, prompts_dir=prompts)
        err.print(f"prompt lab on http://{settings.host}:{settings.port}/lab", highlight=False)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5)

    guarded(run)
