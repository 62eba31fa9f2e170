"""The OpenAPI reference's example answer: a real run of the default prompt on the seed article.

`python -m summarizer.api.example` runs `SUMMARIZER_DEFAULT_PROMPT` on the seed article through the
configured upstream, or the embedded local model (about a minute on 2 cores), and writes the answer
to `summarizer/api/examples/seed-belarus-talks.json` (served in `/docs`) and into README.md between
its `seed-example` markers. An answer with `meta.incomplete`, or that no model wrote, is refused:
the example shows what the default does when it works.

`tests/api/test_contract.py` runs the default prompt through the fake upstream and fails when the
committed example was made with another prompt, template version or schema version: /docs showed
a schema-1.0 `summarize-grouped@4` answer long after both had changed.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

from summarizer.evals.paths import EXAMPLES, PACKAGE, SEED, seed_text

EXAMPLE = EXAMPLES / f"{SEED}.json"
README = PACKAGE.parent / "README.md"
BEGIN, END = "<!-- seed-example:begin -->", "<!-- seed-example:end -->"


def example_response() -> dict[str, Any]:
    """The committed answer: `{"summary": ..., "meta": ...}` as `POST /v1/summaries` gave it."""
    answer: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return answer


def render(response: dict[str, Any]) -> str:
    """Indented JSON with each `mentions` list on one line (spans are many and say little one by one)."""
    spans: list[str] = []

    def marked(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: _park(spans, value) if key == "mentions" else marked(value) for key, value in node.items()}
        if isinstance(node, list):
            return [marked(item) for item in node]
        return node

    text = json.dumps(marked(response), indent=2, ensure_ascii=False)
    return re.sub(r'"@@span(\d+)@@"', lambda match: spans[int(match.group(1))], text)


def _park(spans: list[str], value: Any) -> str:
    spans.append(json.dumps(value, ensure_ascii=False))
    return f"@@span{len(spans) - 1}@@"


def readme_example(readme: str) -> dict[str, Any]:
    """The answer the README shows, parsed from between its markers."""
    block = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)]
    answer: dict[str, Any] = json.loads(block.strip().removeprefix("```json").removesuffix("```"))
    return answer


def write(response: dict[str, Any], readme: Path = README) -> None:
    rendered = render(response)
    EXAMPLE.write_text(rendered + "\n", encoding="utf-8")
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n```json\n" + rendered + "\n```\n" + text[end:], encoding="utf-8")


async def _run() -> dict[str, Any]:
    from summarizer.runtime import open_upstream
    from summarizer.schemas import ArticleIn
    from summarizer.service import build_summarizer
    from summarizer.settings import Settings

    settings = Settings()
    async with open_upstream(settings, announce=lambda message: print(message, file=sys.stderr)) as upstream:
        answer = await build_summarizer(settings, upstream.llm).summarize(ArticleIn(text=seed_text()))
    return answer.model_dump(mode="json")


def main() -> int:
    response = asyncio.run(_run())
    meta = response["meta"]
    if meta["incomplete"] or meta["model"] is None:
        print(f"not written: the answer is no complete model answer ({meta['incomplete']})", file=sys.stderr)
        return 1
    write(response)
    prompt = meta["prompt"]
    print(f"wrote {EXAMPLE} and {README}: {prompt['id']}@{prompt['version']}, {meta['latency_ms']} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
