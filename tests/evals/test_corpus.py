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


HIGHLIGHTED = "The council voted to close the old bridge.\n\nRepairs will start in May.\n"
REPORTED = "A tabloid reported that the lake is dry. Officials called the story false.\n"


def split_corpus(folder: Path) -> Path:
    """The layout of the current corpus: splits (PolNeAR's only in the manifest), highlights, automatic claims."""
    corpus(folder)
    (folder / "cnndm-001-bridge.txt").write_text(HIGHLIGHTED, newline="")
    bullets = {"highlights": ["Council votes to close the old bridge.", "Repairs start in May."], "split": "check"}
    (folder / "cnndm-001-bridge.outcomes.json").write_text(json.dumps(bullets))
    (folder / "fnc1-train-9-lake.txt").write_text(REPORTED, newline="")
    automatic = {
        "claim": "The lake is dry", "claim_headline": "URGENT: The lake is dry",
        "claim_aliases": ["Lake vanishes overnight"], "claimant": None, "disputed_by": None,
        "also_disputed_by": [], "evidence_sentence": None, "hand_checked": False, "split": "tune",
    }  # fmt: skip
    (folder / "fnc1-train-9-lake.claims.json").write_text(json.dumps(automatic))
    haunted = json.loads((folder / "fnc1-train-7-haunted.claims.json").read_text())
    (folder / "fnc1-train-7-haunted.claims.json").write_text(json.dumps({**haunted, "split": "check"}))
    manifest = {"articles": [{"id": "polnear-dev-01-bridge", "split": "tune"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_import_keeps_each_articles_split_and_reads_highlights_and_automatic_claims(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["eval", "import-corpus", str(split_corpus(tmp_path / "corpus")), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert (counts["outcome_articles"], counts["outcomes"], counts["tune"], counts["check"]) == (1, 2, 2, 2)
    cases = {c.slug: c for c in load_gold(out / "gold")}
    assert {slug: c.gold.split for slug, c in cases.items()} == {
        "polnear-dev-01-bridge": "tune",
        "fnc1-train-7-haunted": "check",
        "cnndm-001-bridge": "check",
        "fnc1-train-9-lake": "tune",
    }
    highlights = cases["cnndm-001-bridge"].gold
    assert highlights.fields == ["outcomes"] and [o.status for o in highlights.outcomes] == [None, None]
    lake = cases["fnc1-train-9-lake"].gold.contested_claims[0]
    assert lake.claimant is None and lake.claim_aliases == ["URGENT: The lake is dry", "Lake vanishes overnight"]
    assert [c.slug for c in load_gold(out / "gold", split="check")] == ["cnndm-001-bridge", "fnc1-train-7-haunted"]


def test_eval_score_restricted_to_a_split_scores_only_that_side(tmp_path: Path) -> None:
    out = tmp_path / "out"
    CliRunner().invoke(app, ["eval", "import-corpus", str(split_corpus(tmp_path / "corpus")), "--out", str(out)])
    predictions = tmp_path / "predictions"
    predictions.mkdir()
    said = Summary(headline="h", summary="s", outcomes=[{"description": "Council votes to close the old bridge.",
                                                         "confidence": 0.9}])  # fmt: skip
    (predictions / "cnndm-001-bridge.json").write_text(said.model_dump_json())
    args = ["eval", "score", "--gold", str(out / "gold"), "--predictions", str(predictions), "--out", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "--split", "check"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["articles"] == 2 and line["outcomes_f1"] == 0.6667 and "quotes_f1" not in line
    assert line["outcomes_ece"] == 0.1  # one outcome given 0.9, and it was right
    refused = CliRunner().invoke(app, [*args, "--split", "dev"])
    assert refused.exit_code == 2 and "dev" in refused.output
