"""The package's public surface is what `__all__` lists, and the error tree maps to HTTP in one place."""

from __future__ import annotations

import pytest

import summarizer
from summarizer import errors


def test_public_names() -> None:
    assert sorted(summarizer.__all__) == sorted(
        [
            "ArticleIn",
            "Settings",
            "Summarizer",
            "Summary",
            "SummaryResponse",
            "SummarizerError",
            "create_app",
            "SCHEMA_VERSION",
        ]
    )
    for name in summarizer.__all__:
        assert getattr(summarizer, name) is not None


@pytest.mark.parametrize(
    ("exc", "status", "slug"),
    [
        (errors.InputError("x"), 422, "invalid-input"),
        (errors.ArticleTooLarge("x"), 413, "article-too-large"),
        (errors.PromptNotFound("x"), 422, "prompt-not-found"),
        (errors.InvalidModelOutput("x"), 502, "invalid-model-output"),
        (errors.UpstreamUnavailable("x", retry_after_s=2.4), 503, "upstream-unavailable"),
        (errors.UpstreamTimeout("x"), 504, "deadline-exceeded"),
        (errors.LocalModelError("x"), 503, "local-model"),
    ],
)
def test_problem_mapping(exc: errors.SummarizerError, status: int, slug: str) -> None:
    problem = errors.problem_for(exc)
    assert problem.status == status and problem.type.endswith("/" + slug)
    assert problem.body()["detail"] == "x"
    if isinstance(exc, errors.UpstreamUnavailable):
        assert problem.headers == {"Retry-After": "2"}


def test_readme_configuration_table_matches_settings() -> None:
    from pathlib import Path

    from summarizer.cli.settings_doc import BEGIN, END, settings_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)].strip()
    assert table == settings_table(), "regenerate with: python -m summarizer.cli.settings_doc"


def test_readme_strategies_table_matches_the_strategy_objects() -> None:
    from pathlib import Path

    from summarizer.cli.settings_doc import STRATEGIES_BEGIN, STRATEGIES_END, strategies_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index(STRATEGIES_BEGIN) + len(STRATEGIES_BEGIN) : readme.index(STRATEGIES_END)].strip()
    assert table == strategies_table(), "regenerate with: python -m summarizer.cli.settings_doc"
