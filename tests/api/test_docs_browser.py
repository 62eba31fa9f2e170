"""The docs page renders in a real headless browser with the network cut off: no CDN may be needed.

The app is served for real (uvicorn on loopback); Debian's chromium is driven by playwright (never
a browser playwright downloads). Every request to anything but 127.0.0.1 is aborted and recorded,
so a page that needs a CDN fails here twice: it renders nothing, and the list of blocked requests
is not empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route

from bench.serving import serve_in_thread
from summarizer.api import create_app
from summarizer.api.contract import package_version
from summarizer.settings import Settings
from tests.support.browser import headless_chromium
from tests.support.fake_upstream import FakeUpstream


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with FakeUpstream() as upstream:
        keyed = Settings(llm_base_url=upstream.base_url, llm_model="fake-model", api_keys="k-1")
        with serve_in_thread(create_app(keyed)) as base_url:
            yield base_url


def test_docs_render_offline_with_routes_problems_and_key_schemes(browser: Browser, served: str) -> None:
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context()
    context.route("**/*", only_loopback)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served}/docs", wait_until="load")
    page.locator("h2", has_text="Summarize an article").wait_for(timeout=30_000)  # Redoc rendered the operation
    text = page.inner_text("body")
    context.close()

    assert blocked == [], f"the docs page asked the internet for {blocked}"
    assert errors == []
    assert "/v1/summaries" in text
    for slug in ("unsupported-media-type", "rate-limited", "circuit-open", "deadline-exceeded", "invalid-input"):
        assert slug in text, slug
    assert "BearerAuth" in text and "ApiKeyAuth" in text
    assert package_version() in text


def test_a_problem_type_page_is_served_by_the_service(browser: Browser, served: str) -> None:
    page = browser.new_page()
    page.goto(f"{served}/problems/circuit-open")  # open even though this service requires an API key
    assert page.inner_text("h1") == "Upstream LLM failing; not calling it for now"
    assert "Retry-After" in page.inner_text("body")
    page.click("text=All problem types")
    assert page.url == f"{served}/problems"
    assert "unsupported-media-type" in page.inner_text("table")
    page.close()
