"""The API contract as OpenAPI: problem responses, the API-key schemes, the real example, the version.

Internal apps code against `/docs/openapi.json`, so it says everything an answer can be:
`problem_responses(...)` documents each route's problem statuses with the one problem+json schema
(`ProblemDetails`) and an example per problem type, each linking to its page under `/problems/`.
The request and response examples are a real run of the default prompt on the seed article
(`summarizer.api.example`, kept current by a test), not generated placeholders: `"string"` told a
caller nothing.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache
from typing import Any

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, Example, SecurityRequirement, SecurityScheme
from pydantic import BaseModel, ConfigDict, Field

from summarizer.api.docs import OfflineRedoc, when
from summarizer.api.example import example_response
from summarizer.errors import PROBLEM_BASE, ConfigurationError, SummarizerError, error_types
from summarizer.evals.paths import seed_text

PROBLEM_JSON = "application/problem+json"
PROBLEM_PAGES = "/problems/"

# Either scheme works; a key is needed only when the service runs with SUMMARIZER_API_KEYS set.
SECURITY: list[SecurityRequirement] = [{"BearerAuth": []}, {"ApiKeyAuth": []}]
OPEN: list[SecurityRequirement] = [{}]  # health, readiness: never behind a key


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error this API answers, with `Content-Type: application/problem+json`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description=f"The problem type: `{PROBLEM_BASE}<slug>`, a stable identifier. "
        f"Its page is served by this service at `{PROBLEM_PAGES}<slug>`.",
        examples=[PROBLEM_BASE + "rate-limited"],
    )
    title: str = Field(description="Short summary of the problem type; the same for every occurrence.")
    status: int = Field(description="The HTTP status code, repeated.")
    detail: str = Field(description="What went wrong with this request, for a human.")
    instance: str = Field(description="The path of the request that failed.")
    retry_after_s: int | None = Field(default=None, description="Seconds to wait (as `Retry-After`): 429 and 503.")
    attempts: int | None = Field(default=None, description="Upstream calls made before giving up (502/503/504).")
    usage: dict[str, int] | None = Field(default=None, description="Tokens spent before giving up (502/503/504).")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Which fields failed validation (422).")
    limit: int | None = Field(
        default=None, description="The limit that was exceeded (413): characters of an article, bytes of a body."
    )
    byte_offset: int | None = Field(
        default=None, description="Where the body stops being UTF-8: the offset of its first bad byte (400)."
    )
    accepted: list[str] | None = Field(default=None, description="The media types this route accepts (415).")


def _documented(cls: type[SummarizerError]) -> bool:
    return not issubclass(cls, ConfigurationError)  # start-up failures: never an answer to a request


def problem_page_markdown(cls: type[SummarizerError]) -> str:
    return f"[`{cls.slug}`]({PROBLEM_PAGES}{cls.slug}): {when(cls)}"


def problem_responses(*slugs: str) -> dict[int, ResponseSpec]:
    """The problem answers a route can give, grouped by status: schema, one example per type, their pages."""
    types = error_types()
    unknown = [slug for slug in slugs if slug not in types or not _documented(types[slug])]
    if unknown:
        raise ValueError(f"not problem types this API answers with: {unknown}")
    by_status: dict[int, list[type[SummarizerError]]] = {}
    for slug in slugs:
        by_status.setdefault(types[slug].status_code, []).append(types[slug])
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_JSON,
            generate_examples=False,
            description="\n\n".join(problem_page_markdown(cls) for cls in classes)
            + ("\n\nSent with a `Retry-After` header (seconds)." if status in (429, 503) else ""),
            examples=[Example(summary=cls.slug, value=_problem_example(cls)) for cls in classes],
        )
        for status, classes in sorted(by_status.items())
    }


def _problem_example(cls: type[SummarizerError]) -> dict[str, Any]:
    return {"type": PROBLEM_BASE + cls.slug, "title": cls.title, "status": cls.status_code, "detail": when(cls)}


@cache
def seed_response() -> dict[str, Any]:
    """The answer of the example: a real run of the default prompt on the seed (`summarizer.api.example`)."""
    return example_response()


@cache
def seed_request() -> dict[str, Any]:
    """The request of the example: the seed article, with the prompt its answer was made with."""
    prompt = seed_response()["meta"]["prompt"]
    return {"article": {"text": seed_text()}, "prompt": f"{prompt['id']}@{prompt['version']}"}


def package_version() -> str:
    return importlib.metadata.version("summarizer")


def openapi_config() -> OpenAPIConfig:
    """OpenAPI at `/docs` (Redoc, served offline) and `/docs/openapi.json`; the version is the package's."""
    return OpenAPIConfig(
        title="summarizer",
        version=package_version(),
        description="Structured, grounded summaries of news articles.\n\n"
        "Every error is an RFC 9457 problem (`application/problem+json`); its `type` is "
        f"`{PROBLEM_BASE}<slug>` and each type has a page at [`{PROBLEM_PAGES}<slug>`]({PROBLEM_PAGES}). "
        "A Python client for internal apps ships with the package: `summarizer.client`.",
        path="/docs",
        render_plugins=[OfflineRedoc()],
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="`Authorization: Bearer <key>`, required when the service has `SUMMARIZER_API_KEYS`.",
                ),
                "ApiKeyAuth": SecurityScheme(
                    type="apiKey",
                    name="X-API-Key",
                    security_scheme_in="header",
                    description="The same key in `X-API-Key: <key>` instead.",
                ),
            }
        ),
        security=SECURITY,
    )
