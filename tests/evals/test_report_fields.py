"""A gold file that covers only some fields (`fields: [quotes]`, as the corpus-dev import writes) must report."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.console import Console

from summarizer.evals.config import load_config
from summarizer.evals.gold import load_gold
from summarizer.evals.results import write_results
from summarizer.evals.runner import CaseOutput
from summarizer.evals.variants import perfect
from summarizer.schemas import PromptInfo, SummaryMeta, SummaryResponse, UsageInfo

TEXT = 'The mayor said "we will rebuild the bridge by spring" on Monday.\n'


def test_a_quotes_only_gold_file_gets_a_markdown_and_html_report(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles" / "bridge.txt").write_text(TEXT, encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    (tmp_path / "gold" / "bridge.yaml").write_text(
        f"article: bridge\narticle_sha256: {sha}\nfields: [quotes]\nquotes:\n"
        "  - text: we will rebuild the bridge by spring\n    speaker: The mayor\n    partial: false\n",
        encoding="utf-8",
    )
    [case] = load_gold(tmp_path / "gold")
    answer = perfect(case).model_copy(update={"quotes": []})  # the quote is missed
    meta = SummaryMeta(
        model="m", prompt=PromptInfo(id="p", version=1, hash="h"), schema_version="1.2",
        usage=UsageInfo(prompt_tokens=1, completion_tokens=1), attempts=1, reasks=0, latency_ms=1,
    )  # fmt: skip
    response = SummaryResponse(summary=answer, meta=meta)
    outputs = {"bridge": CaseOutput(article="bridge", cached=False, seconds=1, response=response)}
    run_dir = tmp_path / "run"
    run = write_results(run_dir, [case], outputs, {"prompt": "p@1"}, Console(file=None), load_config().scoring)
    assert set(run.articles[0].fields) == {"quotes"}
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "we will rebuild the bridge by spring" in markdown and "parties" not in markdown.split("## bridge")[1]
    assert (run_dir / "report.html").is_file()
