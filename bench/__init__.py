"""Benchmarks: `python -m bench` runs them; each prints its figures and exits non-zero on a broken invariant."""
