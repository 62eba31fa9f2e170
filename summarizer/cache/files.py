"""Answers on disk, keyed by their fingerprint (summarizer.fingerprint), so an unchanged case costs no call.

One JSON file per key, written atomically so an interrupted run never leaves half a file; a file that
no longer parses (the response shape changed) is a miss, never an error. Generic over the stored
model so it depends on nothing above the schemas: the eval runner uses it today, the service's
response cache can use it tomorrow.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class AnswerCache(Generic[M]):
    def __init__(self, folder: Path, model: type[M]) -> None:
        self.folder = folder
        self.model = model

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> M | None:
        try:
            return self.model.model_validate_json(self._path(key).read_bytes())
        except (OSError, ValidationError):
            return None

    def put(self, key: str, answer: M) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(answer.model_dump_json(), encoding="utf-8")
        tmp.replace(path)
