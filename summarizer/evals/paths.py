"""Where the evals' files live in a checkout; a module of its own so the CLI can name them in its
options without importing the scorers (rapidfuzz, scipy) just to print `--help`."""

from __future__ import annotations

from pathlib import Path

DEFAULT_PATH = Path("evals/thresholds.yaml")
GOLD_DIR = Path("evals/gold")
