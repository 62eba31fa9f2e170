"""Render the settings and the strategies as README tables, so docs cannot drift from code.

`python -m summarizer.cli.settings_doc` rewrites both tables in README.md; tests compare them.
The strategies table is read from the `Strategy` objects (`summarizer.pipeline.strategies`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic_core import PydanticUndefined

from summarizer.settings import Settings

BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"
STRATEGIES_BEGIN, STRATEGIES_END = "<!-- strategies-table:begin -->", "<!-- strategies-table:end -->"


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return {"cache_dir": "`~/.cache/summarizer`", "prompts_dir": "`prompts/`"}.get(name, "(computed)")
    value = field.default
    if value is PydanticUndefined or value is None:
        return "unset"
    if isinstance(value, Path):
        return f"`{value}`"
    if hasattr(value, "get_secret_value"):
        return "`not-needed`"
    return f"`{value}`"


def settings_table() -> str:
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `SUMMARIZER_{name.upper()}` | {_default(name)} | {field.description or ''} |")
    return "\n".join(rows)


def strategies_table() -> str:
    from summarizer.pipeline.strategies import STRATEGIES

    rows = ["| Strategy | What it does | Tasks a prompt defines | Long articles | NLP pass |", "|---|---|---|---|---|"]
    for s in STRATEGIES.values():
        tasks = ", ".join(f"`{t}`" for t in sorted(s.tasks)) or "none (no model call)"
        if not s.windowed:
            windows = "one call: must fit the context"
        else:
            windows = "in windows" + (f" (with a `{s.window_task}` task)" if s.window_task else "")
        rows.append(f"| `{s.name}` | {s.summary} | {tasks} | {windows} | {'yes' if s.needs_nlp else 'no'} |")
    return "\n".join(rows)


def _replace(text: str, begin: str, end: str, table: str) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + table + "\n" + text[stop:]


def write_readme(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = _replace(text, BEGIN, END, settings_table())
    text = _replace(text, STRATEGIES_BEGIN, STRATEGIES_END, strategies_table())
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_readme(Path(__file__).resolve().parents[2] / "README.md")
