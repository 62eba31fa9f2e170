"""The article view's verdicts are the scorer's, tied to the right items, on the right spans."""

from __future__ import annotations

from collections import Counter

import pytest

from summarizer.evals.config import load_config
from summarizer.evals.gold import GoldCase, load_gold
from summarizer.evals.predictions import read_predictions
from summarizer.evals.runner import CaseOutput
from summarizer.evals.scoring import score_article
from summarizer.evals.variants import VARIANTS
from summarizer.lab.article import LabelMismatch, check_labels, variant_view
from summarizer.schemas import SCHEMA_VERSION, ItemCount, PromptInfo, Summary, SummaryMeta, SummaryResponse, UsageInfo
from tests.lab.model import GOLD, ROOT

CASES = load_gold(GOLD)
SCORING = load_config(ROOT / "evals" / "thresholds.yaml").scoring
RECORDED = read_predictions(ROOT / "evals" / "recorded" / "summarize-grouped@4", [c.slug for c in CASES])


def output(case: GoldCase, summary: Summary, dropped: list[ItemCount] | None = None) -> CaseOutput:
    meta = SummaryMeta(
        model="m", prompt=PromptInfo(id="p", version=1, hash="h"), schema_version=SCHEMA_VERSION,
        usage=UsageInfo(prompt_tokens=1, completion_tokens=1), attempts=1, reasks=0, latency_ms=1,
        dropped=dropped or [],
    )  # fmt: skip
    return CaseOutput(
        article=case.slug,
        cached=False,
        seconds=0.1,
        response=SummaryResponse.model_construct(summary=summary, meta=meta),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.slug)
@pytest.mark.parametrize("answer", ["recorded", *VARIANTS])
def test_every_verdict_is_the_scorers_on_every_gold_file(case: GoldCase, answer: str) -> None:
    summary = RECORDED[case.slug] if answer == "recorded" else VARIANTS[answer](case)
    score = score_article(case, summary, SCORING)
    view = variant_view(case, output(case, summary), score, "done")
    assert view.error is None
    for field, result in score.fields.items():
        verdicts = Counter(i.verdict for i in view.items if i.field == field)
        assert verdicts["fp"] == result.counts.fp and verdicts["missed"] == result.counts.fn, field
        assert verdicts["correct"] == result.counts.tp, field
    wrong = sorted((i.gold or "", i.speaker or "") for i in view.items if i.speaker_right is False)
    assert wrong == sorted((c.text, c.predicted or "") for c in score.speakers if not c.right)
    for item in view.items:
        for start, end in item.spans:
            assert 0 <= start < end <= len(case.text)


def test_a_false_positive_and_a_miss_sit_on_their_spans() -> None:
    case = next(c for c in CASES if c.slug == "seed-belarus-talks")
    perfect = VARIANTS["perfect"](case)
    belarus = next(loc for loc in perfect.locations if loc.name == "Belarus")
    parties = [p for p in perfect.parties if p.name != "Ukraine"]
    parties.append(parties[0].model_copy(update={"name": "Belarus", "aliases": [], "mentions": belarus.mentions}))
    summary = perfect.model_copy(update={"parties": parties})
    view = variant_view(case, output(case, summary), score_article(case, summary, SCORING), "done")
    [wrong] = [i for i in view.items if i.verdict == "fp"]
    [missed] = [i for i in view.items if i.verdict == "missed"]
    assert (wrong.field, wrong.label) == ("parties", "Belarus")
    assert {case.text[s:e] for s, e in wrong.spans} == {"Belarus"}
    assert (missed.field, missed.label) == ("parties", "Ukraine")
    assert {case.text[s:e] for s, e in missed.spans} == {"Ukraine"}
    assert len(missed.spans) == case.text.count("Ukraine")


def test_dropped_items_are_drawn_where_the_article_has_them() -> None:
    case = next(c for c in CASES if c.slug == "seed-belarus-talks")
    dropped = [
        ItemCount(field="parties", count=1, values=["Atlantis Council: not named in the article"]),
        ItemCount(field="quotes.speaker", count=1, values=["Medinsky: not one of the parties"]),
    ]
    summary = VARIANTS["perfect"](case)
    view = variant_view(case, output(case, summary, dropped), score_article(case, summary, SCORING), "done")
    gone = {i.label: i for i in view.items if i.verdict == "dropped"}
    assert gone["Atlantis Council"].spans == [] and "not named" in gone["Atlantis Council"].detail
    assert gone["Medinsky"].spans and all(case.text[s:e] == "Medinsky" for s, e in gone["Medinsky"].spans)


def test_labels_that_no_longer_name_the_items_are_caught() -> None:
    case = CASES[0]
    summary = VARIANTS["invented"](case)
    score = score_article(case, summary, SCORING)
    view = variant_view(case, output(case, summary), score, "done")
    renamed = [i.model_copy(update={"label": i.label + " (renamed)"}) if i.verdict == "fp" else i for i in view.items]
    with pytest.raises(LabelMismatch):
        check_labels(renamed, score)
