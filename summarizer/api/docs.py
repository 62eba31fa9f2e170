"""Pages for people: the OpenAPI reference (Redoc, served from the package) and one page per problem type.

Redoc's standalone bundle (npm `redoc` 2.5.4, MIT; its licence and third-party notices sit beside it
in `docs_assets/`) ships inside the package and is served at `/docs/assets/`, with no web fonts
and no remote favicon: the docs render on a machine without internet, which a CDN page did not.
The page also carries a Content-Security-Policy that allows only this service, so nothing in the
bundle can reach out either (it shows a logo from Redocly's CDN otherwise; blocked, it is hidden).

A problem's `type` stays the stable identifier `https://summarizer.dev/problems/<slug>`; the
service serves its page at `/problems/<slug>` (the mapping: same slug, this host). A `type` built
from the request's host would change with every deployment, and RFC 9457 compares types as
strings; a relative one resolves differently for every client. Keeping the identifier and serving
its description here keeps both stable.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, Router, get
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from summarizer.errors import PROBLEM_BASE, NotFound, RateLimited, SummarizerError, UpstreamUnavailable, error_types

ASSETS = Path(__file__).resolve().parent / "docs_assets"
ASSETS_URL = "/docs/assets"
# Redoc inlines the schema in a <script> and styles itself inline; it renders a search worker from a blob.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


class OfflineRedoc(RedocRenderPlugin):
    """Redoc at the root of `/docs`, its script served by this service."""

    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSETS_URL}/redoc.standalone.js",
            google_fonts=False,
            path="/",
            favicon="",  # Litestar's default is an image on a CDN
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        return page.replace(b"<head>", f'<head><meta http-equiv="Content-Security-Policy" content="{CSP}">'.encode(), 1)

    def receive_router(self, router: Router) -> None:
        router.register(create_static_files_router(path="/assets", directories=[ASSETS], include_in_schema=False))


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 44em; margin: 2em auto; padding: 0 1em }}
code {{ background: #f3f3f3; padding: 0 .2em }}</style></head>
<body>{body}</body></html>
"""


def when(cls: type[SummarizerError]) -> str:
    """When a problem type is answered, in one paragraph: the class's docstring (the base's is about code)."""
    if cls is SummarizerError:
        return "An unexpected error on the service's side (a bug); its log has the details under the request id."
    return " ".join((cls.__doc__ or cls.title).split())


def _describe(cls: type[SummarizerError]) -> str:
    doc = html.escape(when(cls))
    parents = [c.__name__ for c in cls.__mro__[1:] if issubclass(c, SummarizerError)]
    retry = ""
    if issubclass(cls, (UpstreamUnavailable, RateLimited)):
        retry = (
            "<p>Retrying can succeed: wait the seconds in the <code>Retry-After</code> header "
            "(also <code>retry_after_s</code> in the body).</p>"
        )
    return (
        f"<h1>{html.escape(cls.title)}</h1>"
        f"<p>HTTP <strong>{cls.status_code}</strong> · slug <code>{cls.slug}</code> · "
        f"<code>type</code>: <code>{PROBLEM_BASE}{cls.slug}</code></p>"
        f"<p>{doc}</p>{retry}"
        f"<p>Python: <code>summarizer.errors.{cls.__name__}</code>"
        f"{' (a ' + ', '.join(parents) + ')' if parents else ''}; "
        "<code>summarizer.client</code> raises it for this problem.</p>"
        '<p><a href="/problems">All problem types</a> · <a href="/docs">API reference</a></p>'
    )


@get("/problems", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def problem_index() -> str:
    rows = "".join(
        f'<tr><td>{cls.status_code}</td><td><a href="/problems/{slug}"><code>{slug}</code></a></td>'
        f"<td>{html.escape(cls.title)}</td></tr>"
        for slug, cls in sorted(error_types().items(), key=lambda item: (item[1].status_code, item[0]))
    )
    table = f"<table><tr><th>status</th><th>type</th><th>title</th></tr>{rows}</table>"
    return _PAGE.format(
        title="Problem types",
        body=f"<h1>Problem types</h1><p>Every error is RFC 9457 "
        f"<code>application/problem+json</code> with <code>type</code> "
        f"<code>{PROBLEM_BASE}&lt;slug&gt;</code>.</p>{table}",
    )


@get("/problems/{slug:str}", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def problem_page(slug: FromPath[str]) -> Any:
    cls = error_types().get(slug)
    if cls is None:
        raise NotFound(f"no problem type {slug!r}; see /problems")
    return _PAGE.format(title=html.escape(cls.title), body=_describe(cls))


LINKS = {
    "docs": "/docs",
    "openapi": "/docs/openapi.json",
    "summaries": "/v1/summaries",
    "batches": "/v1/batches",
    "prompts": "/v1/prompts",
    "problems": "/problems",
    "health": "/health",
    "ready": "/ready",
}


@get("/", include_in_schema=False, sync_to_thread=False)
def root(request: Request[Any, Any, Any]) -> Response[Any]:
    """A browser is sent to the reference (302 to `/docs`); anything else gets the links as JSON.

    It was a 404: a person trying the service's address learnt nothing from it.
    """
    if "text/html" in request.headers.get("accept", ""):
        return Redirect("/docs", status_code=302)
    return Response({"name": "summarizer", "links": LINKS})
