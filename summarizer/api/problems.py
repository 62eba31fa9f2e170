"""Every error leaves the API as RFC 9457 problem details, decided here and only here."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap
from litestar.utils.scope.state import ScopeState

from summarizer.errors import (
    PROBLEM_BASE,
    InputError,
    MalformedRequest,
    MethodNotAllowed,
    NotFound,
    Problem,
    RequestTooLarge,
    SummarizerError,
    UnsupportedMediaType,
    problem_for,
)

log = logging.getLogger("summarizer.api")
PROBLEM_JSON = "application/problem+json"
UNEXPECTED = "unexpected error; see server logs"


def _body(problem: Problem, instance: str) -> dict[str, Any]:
    return {**problem.body(), "instance": instance}


def _respond(problem: Problem, instance: str) -> Response[dict[str, Any]]:
    return Response(
        _body(problem, instance), status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def _problem(exc: SummarizerError) -> Problem:
    problem = problem_for(exc)
    if problem.status >= 500:
        log.warning("request failed: %s: %s", type(exc).__name__, exc.detail)
    return problem


def summarizer_error(request: Request[Any, Any, Any], exc: SummarizerError) -> Response[dict[str, Any]]:
    return _respond(_problem(exc), request.url.path)


def problem_response_body(exc: BaseException, instance: str) -> tuple[int, dict[str, Any]]:
    """The status and body the handlers below would answer `exc` with: for a stream's `problem` event."""
    if isinstance(exc, SummarizerError):
        problem = _problem(exc)
    else:
        log.exception("unhandled error on %s", instance, exc_info=exc)
        problem = problem_for(SummarizerError(UNEXPECTED))
    return problem.status, _body(problem, instance)


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """Litestar's validation errors (`{"key": "article.text", "message": ...}`) in the shape the batch route
    answers with (pydantic's `{"loc": ["article", "text"], "msg": ...}`): one 422 shape for every route."""
    found = exc.extra if isinstance(exc.extra, list) else []
    errors = [_located(item) for item in found if isinstance(item, dict)]
    if not errors:
        errors = [{"loc": [], "msg": exc.detail or "the request does not match the schema"}]
    return _respond(problem_for(InputError.of(errors)), request.url.path)


def _located(item: dict[str, Any]) -> dict[str, Any]:
    key = str(item.get("key") or "")
    loc: list[str | int] = [int(part) if part.isdigit() else part for part in key.split(".") if part]
    source = item.get("source")
    if source and source != "body":  # a header or query parameter: say where it was
        loc.insert(0, str(source))
    return {"loc": loc, "msg": str(item.get("message") or "invalid")}


# Litestar's own refusals, raised before a handler runs, as the classes of our tree.
_HTTP_ERRORS: dict[int, type[SummarizerError]] = {
    cls.status_code: cls
    for cls in (MalformedRequest, NotFound, MethodNotAllowed, RequestTooLarge, UnsupportedMediaType)
}


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if exc.status_code == RequestTooLarge.status_code:
        problem = problem_for(_too_large(request))
    elif (cls := _HTTP_ERRORS.get(exc.status_code)) is not None:
        problem = problem_for(cls(exc.detail or cls.title))
    else:
        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "HTTP error"
        problem = Problem(exc.status_code, PROBLEM_BASE + "http-error", title, exc.detail or title)
    problem.headers.update(exc.headers or {})  # e.g. the `Allow` of a 405
    return _respond(problem, request.url.path)


def _too_large(request: Request[Any, Any, Any]) -> RequestTooLarge:
    """Litestar refuses an oversized body (by its Content-Length, or as it streams in) with no word of
    the limit; the limit is the route's, so the answer can name it."""
    limit = request.route_handler.resolve_request_max_body_size()
    if limit is None:
        return RequestTooLarge("request body is over the service's limit")
    sent = request.headers.get("content-length", "")
    size = f" of {int(sent):,} bytes" if sent.isdigit() else ""
    return RequestTooLarge(
        f"request body{size} is over this route's limit of {limit:,} bytes ({_mib(limit)}); refused unread",
        limit=limit,
    )


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def undecodable_body(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[dict[str, Any]]:
    """Litestar decodes JSON bodies lazily; bytes that are not UTF-8 surface here, not as a 400.

    The decoder's `start` is an offset into whatever it was decoding (for Litestar's JSON, the string
    value the byte sits in), so the offset is found again in the body the request read.
    """
    body = ScopeState.from_scope(request.scope).body
    offset, reason, byte = exc.start, exc.reason, ""
    if isinstance(body, bytes):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as whole:
            offset, reason, byte = whole.start, whole.reason, f" (0x{body[whole.start]:02x})"
    error = MalformedRequest(f"request body is not valid UTF-8: byte {offset}{byte}: {reason}", byte_offset=offset)
    return _respond(problem_for(error), request.url.path)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return _respond(problem_for(SummarizerError(UNEXPECTED)), request.url.path)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SummarizerError: summarizer_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    UnicodeDecodeError: undecodable_body,
    Exception: unexpected_error,
}
