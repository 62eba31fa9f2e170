"""Per-request observability: a request id on every response and log line, and HTTP metrics.

The id is the caller's `X-Request-ID` when it is a short token, else a fresh one. This middleware
sits outside the security middleware, so refused requests (401, 429) are counted too.
"""

from __future__ import annotations

import re
import time
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from summarizer.observe.metrics import Metrics

_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _route(scope: Scope) -> str:
    """The route's path template (`/v1/summaries`), never the raw path: label values stay bounded."""
    return str(scope.get("path_template") or "unmatched")


class ObservabilityMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        inbound = MutableScopeHeaders(scope).get("x-request-id") or ""
        rid = inbound if _SAFE_ID.fullmatch(inbound) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid  # read by `api.security.caller_of`
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = rid
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        except Exception as exc:  # answered by the app's exception handlers, outside this middleware
            status = getattr(exc, "status_code", 500)
            raise
        finally:
            route = _route(scope)
            method = scope["method"] if scope["type"] == ScopeType.HTTP else "-"
            self.metrics.http_requests.labels(method, route, str(status)).inc()
            self.metrics.http_latency.labels(route).observe(time.perf_counter() - started)
