"""Every error leaves the API as RFC 9457 problem details, decided here and only here."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

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
    errors = exc.extra if isinstance(exc.extra, list) else []
    error = InputError(exc.detail or "the request body does not match the schema", errors=errors)
    return _respond(problem_for(error), request.url.path)


# Litestar's own refusals, raised before a handler runs, as the classes of our tree.
_HTTP_ERRORS: dict[int, type[SummarizerError]] = {
    cls.status_code: cls
    for cls in (MalformedRequest, NotFound, MethodNotAllowed, RequestTooLarge, UnsupportedMediaType)
}


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if (cls := _HTTP_ERRORS.get(exc.status_code)) is not None:
        problem = problem_for(cls(exc.detail or cls.title))
    else:
        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "HTTP error"
        problem = Problem(exc.status_code, PROBLEM_BASE + "http-error", title, exc.detail or title)
    problem.headers.update(exc.headers or {})  # e.g. the `Allow` of a 405
    return _respond(problem, request.url.path)


def undecodable_body(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[dict[str, Any]]:
    """Litestar decodes JSON bodies lazily; bytes that are not UTF-8 surface here, not as a 400."""
    error = MalformedRequest(f"request body is not valid UTF-8 (byte {exc.start})")
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
