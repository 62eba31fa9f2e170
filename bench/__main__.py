"""`python -m bench`: run every benchmark; exit non-zero if any of them fails its invariants."""

from __future__ import annotations

import sys

from bench import load

BENCHMARKS = [load.main]

if __name__ == "__main__":
    sys.exit(max(benchmark([]) for benchmark in BENCHMARKS))
