"""From settings to a running local model: fetch (verified) if needed, then a configured server."""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import LocalModelError
from summarizer.local_model.fetch import Progress, ensure_model
from summarizer.local_model.server import LlamaServer, LlamaServerConfig
from summarizer.settings import Settings


def resolve_model(settings: Settings, progress: Progress | None = None) -> Path:
    if settings.local_model_path is not None:
        if not settings.local_model_path.is_file():
            raise LocalModelError(f"SUMMARIZER_LOCAL_MODEL_PATH does not exist: {settings.local_model_path}")
        return settings.local_model_path
    return ensure_model(settings.cache_dir, progress=progress)


def local_server(settings: Settings, progress: Progress | None = None) -> LlamaServer:
    config = LlamaServerConfig(
        model=resolve_model(settings, progress),
        host=settings.local_host,
        port=settings.local_port,
        n_ctx=settings.local_ctx,
        n_threads=settings.local_threads,
        prompt_cache=settings.local_prompt_cache,
        prompt_lookup_drafts=settings.local_prompt_lookup,
        start_timeout_s=settings.local_start_timeout_s,
    )
    return LlamaServer(config)
