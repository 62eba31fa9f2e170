"""What every command shares: settings from the environment, one-line errors, quiet logs, progress bars.

A command prints its result on stdout and, when it fails, exactly one line on stderr. Library logs
(httpx, openai, instructor's retry messages, our own per-summary line) go to a log file under the cache
directory, not the terminal, unless `summarizer --verbose` asks for them on stderr.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console

from summarizer.errors import ConfigurationError, InputError, SummarizerError

if TYPE_CHECKING:  # imported where used: `summarizer --help` must not pay for pydantic-settings
    from summarizer.prompts import Prompt
    from summarizer.settings import Settings

T = TypeVar("T")
LOG_FILE = "cli.log"


err = Console(stderr=True)  # Rich is loaded anyway: typer draws its help with it


class _Options:
    """Global options of the `summarizer` command, set by its callback before any subcommand runs."""

    verbose = False


options = _Options()


def quiet_logging() -> None:
    """Until settings say where the log file is, log nothing: Python's last-resort handler would print to stderr."""
    root = logging.getLogger()
    root.handlers[:] = [logging.NullHandler()]
    logging.captureWarnings(True)
    warnings.simplefilter("default")


def route_logs(settings: Settings) -> Path | None:
    """Logs to `<cache_dir>/logs/cli.log` (JSON lines), or to stderr with --verbose; returns the file."""
    from summarizer.observe.logs import JsonFormatter

    root = logging.getLogger()
    root.setLevel(settings.log_level)
    handler: logging.Handler
    path: Path | None = None
    if options.verbose:
        handler = logging.StreamHandler()
    else:
        path = settings.cache_dir / "logs" / LOG_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        except OSError:
            return None  # nowhere to write: stay quiet rather than noisy
    handler.setFormatter(JsonFormatter())
    root.handlers[:] = [handler]
    return path


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (SUMMARIZER_*), with command-line overrides on top; logs routed."""
    from pydantic import ValidationError

    from summarizer.settings import Settings

    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigurationError(f"invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    route_logs(settings)
    return settings


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True, markup=True)
    return typer.Exit(code)


def guarded(action: Callable[[], T]) -> T:
    """Run a command body, turning our errors into one line and an exit code (2: bad input)."""
    try:
        return action()
    except InputError as exc:
        raise fail(_one_line(exc.detail), 2) from None
    except SummarizerError as exc:
        raise fail(_one_line(exc.detail)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def fetch_model_with_progress(settings: Settings) -> Path:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

    from summarizer.local_model.fetch import ensure_model

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("local model", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ensure_model(settings.cache_dir, progress=update)


def prepare_model(settings: Settings, prompt: Prompt | None = None) -> None:
    """Fetch the bundled model with a progress bar before anything needs it.

    A no-op for an upstream URL, and for a `prompt` that calls no model (`summarize-rules`): a
    deterministic answer must not wait for (or download) 1.1 GB it never uses.
    """
    if prompt is not None and not prompt.calls_model:
        return
    if settings.uses_local_model and settings.local_model_path is None:
        fetch_model_with_progress(settings)
