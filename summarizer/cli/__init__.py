"""The `summarizer` command: one module per command group, shared helpers in `cli.common`.

summarizer [--version] [--verbose] summarize | serve | worker | model | prompts | eval | lab

Every command module imports only typer and the standard library at its top; what a command
needs (the service, Litestar, spaCy, the evals) is imported in its body, when it runs. So
`summarizer --help`, and any subcommand's `--help`, answer in well under 2 s instead of the
12-30 s the service's imports take (a test checks which modules `--help` loads).
"""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.cli.common import options, quiet_logging
from summarizer.cli.eval import eval_app
from summarizer.cli.help import TidyGroup
from summarizer.cli.lab import lab
from summarizer.cli.model import model_app
from summarizer.cli.prompts import prompts_app
from summarizer.cli.serve import serve
from summarizer.cli.summarize import summarize
from summarizer.cli.worker import worker

app = typer.Typer(
    cls=TidyGroup,
    help="Structured, grounded summaries of news articles.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"max_content_width": 100},  # click wraps at 80 by default: it cut each command's summary
)
app.command()(summarize)
app.command()(serve)
app.command()(worker)
app.add_typer(prompts_app, name="prompts")
app.command()(lab)
app.add_typer(model_app, name="model")
app.add_typer(eval_app, name="eval")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"summarizer {version('summarizer')}")
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
