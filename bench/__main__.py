"""`python -m bench`: run every benchmark; exit non-zero if any of them fails its invariants."""

from __future__ import annotations

import sys

from bench import batches, cache, lab, load, local_model, stream

BENCHMARKS = [load.main, cache.main, stream.main, batches.main, lab.main, local_model.main]

if __name__ == "__main__":
    sys.exit(max(benchmark([]) for benchmark in BENCHMARKS))
