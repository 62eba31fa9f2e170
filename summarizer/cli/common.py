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
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from summarizer.errors import ConfigurationError, InputError, SummarizerError
from summarizer.local_model.fetch import ensure_model
from summarizer.observe.logs import JsonFormatter
from summarizer.settings import Settings

err = Console(stderr=True)
T = TypeVar("T")
LOG_FILE = "cli.log"


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
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("local model", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return ensure_model(settings.cache_dir, progress=update)


def prepare_model(settings: Settings) -> None:
    """Fetch the bundled model with a progress bar before anything needs it (no-op for an upstream URL)."""
    if settings.uses_local_model and settings.local_model_path is None:
        fetch_model_with_progress(settings)
