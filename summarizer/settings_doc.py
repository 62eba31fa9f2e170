"""Render the settings as the README's configuration table, so docs cannot drift from code.

`python -m summarizer.settings_doc` prints the table; a test compares it with the README.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_core import PydanticUndefined

from summarizer.settings import Settings

BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"


def _default(name: str) -> str:
    field = Settings.model_fields[name]
    if field.default_factory is not None:
        return "`~/.cache/summarizer`" if name == "cache_dir" else "(computed)"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "unset"
    if isinstance(value, Path):
        return "`prompts/`" if name == "prompts_dir" else f"`{value}`"
    if hasattr(value, "get_secret_value"):
        return "`not-needed`"
    return f"`{value}`"


def settings_table() -> str:
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `SUMMARIZER_{name.upper()}` | {_default(name)} | {field.description or ''} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
