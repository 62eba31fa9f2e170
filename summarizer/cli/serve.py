"""`summarizer serve`: the HTTP API (on the embedded local model when no upstream is configured)."""

from __future__ import annotations

from typing import Annotated

import typer

from summarizer.cli.common import err, guarded, load_settings, prepare_model


def serve(
    host: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="Bind address (default: SUMMARIZER_HOST or 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option(metavar="PORT", help="Port (default: SUMMARIZER_PORT or 8000).")] = None,
) -> None:
    """Serve the HTTP API (on the embedded local model when no upstream is configured).

    With a default prompt that calls no model (SUMMARIZER_DEFAULT_PROMPT=summarize-rules@1) the local
    model is neither downloaded nor started until a request names a prompt that needs it.
    """

    def run() -> None:
        import uvicorn

        from summarizer.api import create_app
        from summarizer.observe.logs import configure_logging
        from summarizer.prompts import PromptLibrary

        settings = load_settings(host=host, port=port)
        configure_logging(settings.log_level)  # a server's logs are its output: JSON lines on stderr
        default = PromptLibrary.load(settings.prompts_dir).get(settings.default_prompt)
        if settings.uses_local_model and settings.local_model_path is None and default.calls_model:
            prepare_model(settings, default)
            err.print("model verified; starting llama.cpp and the API (first start loads the model)…")
        uvicorn.run(
            create_app(settings), host=settings.host, port=settings.port,
            log_level=settings.log_level.lower(), timeout_graceful_shutdown=30,
            proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
        )  # fmt: skip

    guarded(run)
