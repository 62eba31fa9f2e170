"""`eval import-corpus` on a tiny synthetic corpus in the corpus-dev layout (never its real text)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.evals.gold import load_gold
from summarizer.evals.scoring import score_article
from summarizer.schemas import ContestedClaim, Quote, Summary

QUOTED = (
    'The mayor spoke on Monday.\n\n"We will rebuild the bridge," said Ann Lee. "It is ours."\n\n'
    'A man said "no way" and left.\n'
)
CLAIMED = "A blog reported that the bridge is haunted. The city council denied the report on Tuesday.\n"


def span(text: str, part: str) -> dict[str, int]:
    start = text.index(part)
    return {"start": start, "end": start + len(part)}


def corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "polnear-dev-01-bridge.txt").write_text(QUOTED, newline="")
    quotes = [
        {"text": "We will rebuild the bridge", **span(QUOTED, "We will rebuild the bridge"), "speaker": "Ann Lee",
         "fragment": False, "resolved": True},
        {"text": "It is ours.", **span(QUOTED, "It is ours."), "speaker": "Ann Lee", "fragment": True,
         "resolved": True},
        {"text": "no way", **span(QUOTED, "no way"), "speaker": None, "fragment": True, "resolved": False},
    ]  # fmt: skip
    (folder / "polnear-dev-01-bridge.quotes.json").write_text(json.dumps(quotes))
    (folder / "fnc1-train-7-haunted.txt").write_text(CLAIMED, newline="")
    claim = {
        "claim": "The bridge is haunted.", "claim_headline": "Haunted bridge scares town", "claimant": "A blog",
        "disputed_by": "The city council", "also_disputed_by": [],
        "evidence_sentence": {"text": "The city council denied the report on Tuesday.", "start": 44, "end": 91},
    }  # fmt: skip
    (folder / "fnc1-train-7-haunted.claims.json").write_text(json.dumps(claim))
    (folder / "README.md").write_text("not an article\n")
    return folder


def test_import_writes_gold_that_loads_and_scores_only_its_fields(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "corpus-dev"
    result = CliRunner().invoke(app, ["eval", "import-corpus", str(corpus(tmp_path / "corpus")), "--out", str(out)])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert (counts["quote_articles"], counts["quotes"], counts["optional_quotes"]) == (1, 3, 2)
    assert (counts["claim_articles"], counts["claims"], counts["unresolved_speakers"]) == (1, 1, 1)
    cases = {c.slug: c for c in load_gold(out / "gold")}
    assert (out / "articles" / "polnear-dev-01-bridge.txt").read_bytes() == QUOTED.encode()
    quotes, claims = cases["polnear-dev-01-bridge"], cases["fnc1-train-7-haunted"]
    assert quotes.gold.fields == ["quotes"] and claims.gold.fields == ["contested_claims"]
    assert claims.gold.contested_claims[0].claim_aliases == ["Haunted bridge scares town"]

    start = QUOTED.index("We will")
    said = Quote(text="We will rebuild the bridge", speaker="Lee", partial=False, start=start, end=start + 26)
    scored = score_article(quotes, Summary(headline="h", summary="s", quotes=[said]))
    assert set(scored.fields) == {"quotes"} and scored.fields["quotes"].counts.f1 == 1.0
    assert (scored.speaker.hits, scored.speaker.total) == (1, 1)
    denied = ContestedClaim(claim="the bridge is haunted", claimant="a blog")
    assert (
        score_article(claims, Summary(headline="h", summary="s", contested_claims=[denied]))
        .fields["contested_claims"]
        .counts.tp
        == 1
    )


def test_a_folder_without_annotations_is_refused_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["eval", "import-corpus", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "no <name>.txt with a .quotes.json" in result.stderr
