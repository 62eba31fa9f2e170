"""Where the evals' files live, in a module of its own (the standard library only): the CLI names
them in its options without importing the scorers (rapidfuzz, scipy) just to print `--help`.

The seed article (`evals/articles/seed-belarus-talks.txt`) is also the example every surface shows:
the OpenAPI reference's request (`summarizer.api.example`) and `summarizer prompts show` without
`--article`. A wheel carries a copy (pyproject.toml's force-include) beside the committed example
answer in `summarizer/api/examples/`, so an installed package finds it without the checkout.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_PATH = Path("evals/thresholds.yaml")
GOLD_DIR = Path("evals/gold")

SEED = "seed-belarus-talks"
PACKAGE = Path(__file__).resolve().parents[1]
EXAMPLES = PACKAGE / "api" / "examples"


def shipped(name: str, checkout: Path) -> Path:
    """The wheel's copy of an example file, else the checkout's (as `default_prompts_dir` does)."""
    copy = EXAMPLES / name
    return copy if copy.is_file() else checkout


def seed_path() -> Path:
    return shipped(f"{SEED}.txt", PACKAGE.parent / "evals" / "articles" / f"{SEED}.txt")


def seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")
