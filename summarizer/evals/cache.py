"""Model outputs on disk, keyed by everything that can change them, so unchanged cases cost no call.

The key covers the article bytes, the prompt file's hash, the model name and the summary schema
version; anything else (timeouts, concurrency) cannot change a temperature-0 answer worth re-asking for.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from pydantic import ValidationError

from summarizer.service import SummaryResponse


def cache_key(text: str, prompt_hash: str, model: str, schema_version: str) -> str:
    article_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    material = json.dumps([article_hash, prompt_hash, model, schema_version])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class OutputCache:
    """One JSON file per key; written atomically so an interrupted run never leaves half a file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> SummaryResponse | None:
        path = self._path(key)
        try:
            return SummaryResponse.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            return None

    def put(self, key: str, response: SummaryResponse) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(response.model_dump_json(), encoding="utf-8")
        tmp.replace(path)
