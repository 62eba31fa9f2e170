"""`summarizer prompts [list | show ID@V]`: the prompt templates, and what one sends to the model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from summarizer.cli.common import guarded, load_settings

if TYPE_CHECKING:
    from summarizer.cli.preview import Preview

prompts_app = typer.Typer(help="Prompt templates: list them, or see what one sends to the model.")


@prompts_app.callback(invoke_without_command=True)
def prompts(ctx: typer.Context) -> None:
    """Prompt templates: list them (the default), or see what one sends to the model."""
    if ctx.invoked_subcommand is None:
        list_prompts()


@prompts_app.command("list")
def list_prompts() -> None:
    """List prompt templates: id@version, strategy, hash, and the default marked with *."""

    def run() -> None:
        from summarizer.prompts import PromptLibrary

        settings = load_settings()
        library = PromptLibrary.load(settings.prompts_dir)
        default = library.get(settings.default_prompt)
        for ref in library.refs():
            p = library.get(ref)
            mark = "*" if p is default else " "
            print(f"{mark} {ref}\t{p.meta.strategy}\t{p.hash}\t{p.meta.description.strip().splitlines()[0]}")

    guarded(run)


@prompts_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(metavar="ID[@V]", help="The prompt, e.g. summarize-hybrid@2.")],
    article: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Article text to render it with (default: the seed article, evals/articles)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The request bodies as JSON, exactly as sent.")] = False,
) -> None:
    """Print every request the prompt sends for an article: its messages and tool schema, exactly as sent.

    The requests are made by the real pipeline (template, instructor, openai SDK) and recorded
    instead of sent: no model is called or started. Each is answered with nothing, so a call that
    builds on an earlier answer shows what it is sent when that answer is missing.
    """

    def run() -> None:
        import asyncio

        from summarizer.cli.preview import preview, seed_text
        from summarizer.cli.summarize import read_article

        settings = load_settings()
        text = read_article(str(article)) if article is not None else seed_text()
        result = asyncio.run(preview(settings, ref, text))
        if as_json:
            print(json.dumps([{"task": r.task, "request": r.body} for r in result.requests], indent=2))
        else:
            print(_readable(result, "the seed article" if article is None else str(article), len(text)))

    guarded(run)


def _readable(result: Preview, source: str, chars: int) -> str:
    """The requests for a person: each message's text as it is (no escaping), then the tool schema."""
    prompt = result.prompt
    lines = [
        f"{prompt.ref} · hash {prompt.hash} · strategy {prompt.meta.strategy} · {source} ({chars} characters)",
    ]
    if not result.requests:
        lines.append("no model call: this prompt's strategy answers from code alone")
        return "\n".join(lines)
    lines.append(f"{len(result.requests)} model call{'s' if len(result.requests) > 1 else ''}")
    for number, request in enumerate(result.requests, start=1):
        body = request.body
        lines += ["", f"=== call {number} of {len(result.requests)}: task {request.task} ==="]
        sampling = {k: body[k] for k in ("model", "temperature", "max_tokens") if k in body}
        lines.append(" · ".join(f"{k} {v}" for k, v in sampling.items()))
        for message in body.get("messages", []):
            lines += ["", f"--- {message.get('role')} ---", str(message.get("content") or "")]
        for tool in body.get("tools", []):
            function = tool.get("function", {})
            lines += ["", f"--- tool {function.get('name')} ---", json.dumps(function, indent=2)]
        if "tool_choice" in body:
            lines += ["", f"--- tool_choice --- {json.dumps(body['tool_choice'])}"]
        if "response_format" in body:
            lines += ["", "--- response_format ---", json.dumps(body["response_format"], indent=2)]
    return "\n".join(lines)
