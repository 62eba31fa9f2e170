"""`summarizer prompts`: the prompt templates, with versions and hashes."""

from __future__ import annotations

from summarizer.cli.common import guarded, load_settings
from summarizer.prompts import PromptLibrary


def list_prompts() -> None:
    """List prompt templates as id@version with their hash."""

    def run() -> None:
        library = PromptLibrary.load(load_settings().prompts_dir)
        for ref in library.refs():
            p = library.get(ref)
            print(f"{ref}\t{p.meta.strategy}\t{p.hash}\t{p.meta.description.strip().splitlines()[0]}")

    guarded(run)
