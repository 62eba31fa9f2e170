"""The example article every surface shows: the seed (`evals/articles/seed-belarus-talks.txt`).

The OpenAPI reference uses it as its request example and `summarizer prompts show` renders a
prompt with it when no article is given. A wheel carries a copy (pyproject.toml's force-include),
so an installed package finds it without the checkout; the committed example answer sits beside
it in `summarizer/api/examples/`.
"""

from __future__ import annotations

from pathlib import Path

SEED = "seed-belarus-talks"
PACKAGE = Path(__file__).resolve().parent
EXAMPLES = PACKAGE / "api" / "examples"


def shipped(name: str, checkout: Path) -> Path:
    """The wheel's copy of an example file, else the checkout's (as `default_prompts_dir` does)."""
    copy = EXAMPLES / name
    return copy if copy.is_file() else checkout


def seed_path() -> Path:
    return shipped(f"{SEED}.txt", PACKAGE.parent / "evals" / "articles" / f"{SEED}.txt")


def seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")
