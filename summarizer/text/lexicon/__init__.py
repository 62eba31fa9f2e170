"""Word lists the rules read (countries, first names, speech and denial verbs, titles), as data files.

One entry a line in `<name>.txt` beside this module; blank lines and `#` comments are skipped. Kept
out of the code so a list can grow without touching a rule, and so a reviewer sees at a glance
what a rule knows. They are part of an answer's fingerprint (`summarizer.fingerprint.code_version`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> frozenset[str]:
    """The entries of `<name>.txt`, as written (the caller normalises them as its rule compares)."""
    text = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
