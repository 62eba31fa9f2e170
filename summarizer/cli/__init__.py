"""The `summarizer` command: one module per command group, shared helpers in `cli.common`.

summarizer [--version] [--verbose] summarize | serve | worker | model | prompts | eval | lab
"""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.api.contract import package_version
from summarizer.cli.common import options, quiet_logging
from summarizer.cli.eval import eval_app
from summarizer.cli.lab import lab
from summarizer.cli.model import model_app
from summarizer.cli.prompts import list_prompts
from summarizer.cli.serve import serve
from summarizer.cli.summarize import summarize
from summarizer.cli.worker import worker

app = typer.Typer(help="Structured, grounded summaries of news articles.", no_args_is_help=True, add_completion=False)
app.command()(summarize)
app.command()(serve)
app.command()(worker)
app.command("prompts")(list_prompts)
app.command()(lab)
app.add_typer(model_app, name="model")
app.add_typer(eval_app, name="eval")


def _print_version(value: bool) -> None:
    if value:
        print(f"summarizer {package_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show library logs on stderr (default: only in the log file).")
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Structured, grounded summaries of news articles."""
    options.verbose = verbose


def main() -> None:
    quiet_logging()
    app()


__all__ = ["app", "main"]
