"""Every error leaves the API as RFC 9457 problem details, decided here and only here."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from summarizer.errors import PROBLEM_BASE, Problem, SummarizerError, problem_for

log = logging.getLogger("summarizer.api")
PROBLEM_JSON = "application/problem+json"


def _respond(problem: Problem, instance: str) -> Response[dict[str, Any]]:
    body = {**problem.body(), "instance": instance}
    return Response(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers)


def summarizer_error(request: Request[Any, Any, Any], exc: SummarizerError) -> Response[dict[str, Any]]:
    problem = problem_for(exc)
    if problem.status >= 500:
        log.warning("request failed: %s: %s", type(exc).__name__, exc.detail)
    return _respond(problem, request.url.path)


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    problem = Problem(
        status=422,
        type=PROBLEM_BASE + "invalid-input",
        title="Invalid input",
        detail=exc.detail or "the request body does not match the schema",
        extra={"errors": errors},
    )
    return _respond(problem, request.url.path)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    slugs = {
        400: "malformed-request",
        401: "unauthorized",
        404: "not-found",
        405: "method-not-allowed",
        413: "request-too-large",
        429: "rate-limited",
    }
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "HTTP error"
    problem = Problem(
        status=exc.status_code,
        type=PROBLEM_BASE + slugs.get(exc.status_code, "http-error"),
        title=title,
        detail=exc.detail or title,
        headers=dict(exc.headers or {}),
    )
    return _respond(problem, request.url.path)


def undecodable_body(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[dict[str, Any]]:
    """Litestar decodes JSON bodies lazily; bytes that are not UTF-8 surface here, not as a 400."""
    problem = Problem(
        status=400,
        type=PROBLEM_BASE + "malformed-request",
        title="Bad Request",
        detail=f"request body is not valid UTF-8 (byte {exc.start})",
    )
    return _respond(problem, request.url.path)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    problem = Problem(
        status=500, type=PROBLEM_BASE + "internal", title="Internal error", detail="unexpected error; see server logs"
    )
    return _respond(problem, request.url.path)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SummarizerError: summarizer_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    UnicodeDecodeError: undecodable_body,
    Exception: unexpected_error,
}
