"""Who may call the API, and how often: API keys and per-key rate limits.

Keys come from settings (`SUMMARIZER_API_KEYS`) and are kept only as sha256 digests; a presented
key is hashed and compared with `hmac.compare_digest` against every digest, so neither the key nor
the match position leaks through timing, and nothing here ever logs one. Callers send
`Authorization: Bearer <key>` or `X-API-Key: <key>`. Health, readiness and the docs stay open.

Each request to the summaries API counts against its key (or, with no keys configured, its
client address). Every answer carries `RateLimit-Limit/-Remaining/-Reset`; past the limit it is a
429 problem with `Retry-After`. Failed authentications count too, per client address and on any
protected path: without that, guessing keys would be the one unlimited thing a stranger could do.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import SecretStr

from summarizer.errors import RateLimited, Unauthorized
from summarizer.logs import client_id
from summarizer.ratelimit import Decision, RateLimitStore

OPEN_PATHS = ("/health", "/ready", "/docs")
LIMITED_PREFIX = "/v1/"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    """The configured keys, as digests only."""

    def __init__(self, keys: Iterable[SecretStr]) -> None:
        self._digests = [_digest(k.get_secret_value()) for k in keys]

    def __bool__(self) -> bool:
        return bool(self._digests)

    def identify(self, presented: str) -> str | None:
        """A stable, non-secret id for a valid key (a digest prefix), or None."""
        candidate = _digest(presented)
        matched = False
        for digest in self._digests:  # no early exit: the time taken does not depend on which key matched
            matched |= hmac.compare_digest(candidate, digest)
        return "key-" + candidate.hex()[:12] if matched else None


def presented_key(headers: MutableScopeHeaders) -> str | None:
    value: str | None = headers.get("x-api-key")
    if value is not None:
        return value.strip()
    authorization: str = headers.get("authorization") or ""
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(max(1, round(decision.reset_s))),
    }


class SecurityMiddleware(ASGIMiddleware):
    """Authenticates, then rate-limits, every HTTP request outside `OPEN_PATHS`."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        return str(scope["path"]).startswith(OPEN_PATHS)

    def __init__(self, keys: ApiKeys, store: RateLimitStore, limit: int, window_s: int) -> None:
        self.keys = keys
        self.store = store
        self.limit = limit
        self.window_s = window_s

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        client = scope.get("client")
        address = f"addr-{client[0] if client else 'unknown'}"
        try:
            identity = self._authenticate(MutableScopeHeaders(scope)) or address
        except Unauthorized:
            if self.limit:
                await self._count(f"unauthorized-{address}", "failed authentications")
            raise
        token = client_id.set(identity)
        try:
            await self._limited(scope, receive, send, next_app, identity)
        finally:
            client_id.reset(token)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, identity: str) -> None:
        if not self.limit or not scope["path"].startswith(LIMITED_PREFIX):
            await next_app(scope, receive, send)
            return
        decision = await self._count(identity, "requests")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).update(rate_limit_headers(decision))
            await send(message)

        await next_app(scope, receive, send_with_headers)

    async def _count(self, counter: str, what: str) -> Decision:
        """One hit on `counter`; `RateLimited` once it is over the limit for this window."""
        decision = await self.store.hit(counter, self.limit, self.window_s)
        if not decision.allowed:
            raise RateLimited(
                f"more than {self.limit} {what} in {self.window_s}s; retry after the window resets",
                limit=self.limit,
                reset_s=decision.reset_s,
            )
        return decision

    def _authenticate(self, headers: MutableScopeHeaders) -> str | None:
        """The caller's key id; None when no keys are configured (callers are told apart by address)."""
        if not self.keys:
            return None
        key = presented_key(headers)
        identity = self.keys.identify(key) if key else None
        if identity is None:
            raise Unauthorized(
                "a valid API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
                if key is None
                else "the API key is not valid"
            )
        return identity
