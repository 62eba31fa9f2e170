"""Route guards that refuse a request before its body is read."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from summarizer.errors import UnsupportedMediaType

JSON = "application/json"


def accepts(*media_types: str) -> Guard:
    """A guard answering 415 (`unsupported-media-type`) unless the body's Content-Type is one of `media_types`.

    Without it Litestar parses any body as JSON, so `text/plain` got a 400 that blamed the body's
    syntax instead of its type. Parameters (`; charset=utf-8`) are ignored; a missing Content-Type is
    refused too, since the route cannot know what it was sent.
    """
    accepted = frozenset(media_types)  # a JSONL route would list its own, e.g. application/jsonl

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        sent = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
        if sent not in accepted:
            raise UnsupportedMediaType(
                f"Content-Type {sent or '(none)'} is not accepted here; send {' or '.join(sorted(accepted))}",
                accepted=sorted(accepted),
            )

    return guard
