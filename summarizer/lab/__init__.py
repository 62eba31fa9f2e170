"""The prompt lab: one page where a prompt engineer runs prompt variants over a gold set and sees, on the
article itself, what a template change does.

It runs everything through `summarizer.evals` (runner, fingerprint cache, scorer, paired bootstrap) and
never copies it: `runs` (columns, cells, events), `article` (verdicts on spans), `drafts` (prompts written
in the page), `routes` (HTTP under `/lab`), `export` (one self-contained HTML file), `app` (the standalone
`summarizer lab` server; `summarizer serve` mounts the same routes with `SUMMARIZER_LAB_IN_SERVE`).
"""
