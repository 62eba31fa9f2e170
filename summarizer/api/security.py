"""Who may call the API, and how often: API keys and per-key rate limits.

Keys come from settings (`SUMMARIZER_API_KEYS`) and are kept only as sha256 digests; a presented
key is hashed and compared with `hmac.compare_digest` against every digest, so neither the key nor
the match position leaks through timing, and nothing here ever logs one. Callers send
`Authorization: Bearer <key>` or `X-API-Key: <key>`. Health, readiness, the docs, the
problem pages and the prompt lab's page (not its API) stay open.

Each request to the summaries API counts against its key (or, with no keys configured, its
client address). Every answer carries `RateLimit-Limit/-Remaining/-Reset`; past the limit it is a
429 problem with `Retry-After`.

Failed authentications count per client address (IPv6 by /64, since one host owns a whole /64):
after `auth_failure_limit` of them in a window, that address is refused with 429 *before* its key
is looked at, until the window ends. Checking the key first would tell a guesser which guess was
right even while refusing the wrong ones. The price: a valid client behind the same address (a
shared NAT) is locked out with the guesser for the rest of the window.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import SecretStr

from summarizer.cache.ratelimit import Decision, RateLimitStore
from summarizer.errors import RateLimited, Unauthorized
from summarizer.observe.logs import Caller

OPEN_PATHS = ("/health", "/ready", "/docs", "/problems", "/lab/assets/")
OPEN_PAGES = ("/", "/lab", "/lab/")
"""Open by exact path: the root (links to the docs) and the lab's page hold no data (the lab's API,
under `/lab/api/`, needs a key); every path starts with "/", so the root can only be matched whole."""
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


def client_address(scope: Scope) -> str:
    """The caller's address as counters see it: IPv4 as is, IPv6 by its /64 network."""
    client = scope.get("client")
    host = str(client[0]) if client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"addr-{host}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"addr-{ip.ipv4_mapped}"
        return f"addr-{ipaddress.IPv6Network((ip, 64), strict=False)}"
    return f"addr-{ip}"


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
        path = str(scope["path"])
        return path.startswith(OPEN_PATHS) or path in OPEN_PAGES

    def __init__(
        self, keys: ApiKeys, store: RateLimitStore, limit: int, window_s: int, auth_failure_limit: int = 10
    ) -> None:
        self.keys = keys
        self.store = store
        self.limit = limit
        self.window_s = window_s
        self.auth_failure_limit = auth_failure_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        address = client_address(scope)
        identity = await self._authenticate(MutableScopeHeaders(scope), address) or address
        scope.setdefault("state", {})["client_id"] = identity  # read by `caller_of`
        await self._limited(scope, receive, send, next_app, identity)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp, identity: str) -> None:
        if not self.limit or not scope["path"].startswith(LIMITED_PREFIX):
            await next_app(scope, receive, send)
            return
        decision = await self.store.hit(identity, self.limit, self.window_s)
        if not decision.allowed:
            raise RateLimited(
                f"more than {self.limit} requests in {self.window_s}s; retry after the window resets",
                limit=self.limit,
                reset_s=decision.reset_s,
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).update(rate_limit_headers(decision))
            await send(message)

        await next_app(scope, receive, send_with_headers)

    async def _authenticate(self, headers: MutableScopeHeaders, address: str) -> str | None:
        """The caller's key id; None when no keys are configured (callers are told apart by address).

        The key is checked locally first, then the address's failure counter is consulted: a failure
        is counted atomically (INCR) and refused once over the limit, a valid key only reads it. A burst
        of parallel guesses therefore gets at most `auth_failure_limit` informative answers: checking
        the counter before counting would let every guess in the burst through.
        """
        if not self.keys:
            return None
        key = presented_key(headers)
        identity = self.keys.identify(key) if key else None
        if self.auth_failure_limit:
            failures = f"unauthorized-{address}"
            limit, window = self.auth_failure_limit, self.window_s
            if identity is None:
                decision = await self.store.hit(failures, limit, window)
            else:
                decision = await self.store.peek(failures, limit, window)
            if not decision.allowed:
                raise RateLimited(
                    f"{limit} failed authentications from this address in {window}s; "
                    "it is refused until the window resets",
                    limit=limit,
                    reset_s=decision.reset_s,
                )
        if identity is None:
            raise Unauthorized(
                "a valid API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`"
                if key is None
                else "the API key is not valid"
            )
        return identity


def caller_of(request: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """Who sent `request`: its request id (set by the observability middleware) and client id (set above)."""
    state = request.scope.get("state") or {}
    return Caller(request_id=state.get("request_id"), client_id=state.get("client_id"))
