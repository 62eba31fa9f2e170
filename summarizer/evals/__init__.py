"""How we know summaries are good: gold files, scorers, a cached runner, reports and comparisons.

Everything here reads the public `Summary` shape, so saved outputs can be re-scored without a model.
"""
