"""Render the settings as the README's configuration table, so docs cannot drift from code.

`python -m summarizer.cli.settings_doc` rewrites the table in README.md; a test compares the two.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_core import PydanticUndefined

from summarizer.settings import Settings

BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"


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


def write_readme(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n" + settings_table() + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    write_readme(Path(__file__).resolve().parents[2] / "README.md")
