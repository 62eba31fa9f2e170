"""Logging set-up: one JSON object per line, so log collectors need no parser."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

_RESERVED = set(vars(logging.makeLogRecord({})))


@dataclass(frozen=True)
class Caller:
    """Who asked, passed with the request from the HTTP layer to the use-case's log line and cache.

    `request_id`: the HTTP request's id (`X-Request-ID`); `client_id`: an API key's non-secret id
    (`key-…`) or `addr-<ip>`, never the key itself. Both None outside HTTP (CLI, batch jobs, evals).
    """

    request_id: str | None = None
    client_id: str | None = None

    def log_fields(self) -> dict[str, str | None]:
        return {"request_id": self.request_id, "client_id": self.client_id}


NOBODY = Caller()


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
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
