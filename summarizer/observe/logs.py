"""Logging set-up: one JSON object per line, so log collectors need no parser."""

from __future__ import annotations

import contextvars
import json
import logging
import time
from typing import Any

_RESERVED = set(vars(logging.makeLogRecord({})))

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("summarizer_request_id", default=None)
"""The id of the HTTP request being served; every log line written while serving it carries it."""
client_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("summarizer_client_id", default=None)
"""Who is calling: an API key's non-secret id (`key-…`) or `addr-<ip>`; never the key itself."""


def short(value: Any, limit: int = 80) -> str:
    """A one-line, bounded rendering of a value for a log line or a problem body (model output can be huge)."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        for name, var in (("request_id", request_id), ("client_id", client_id)):
            if name not in entry and (current := var.get()) is not None:
                entry[name] = current
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
