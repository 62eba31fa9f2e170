"""One article as the lab draws it: every predicted item on its spans with the scorer's verdict, every gold item.

The verdicts are the scorer's own (`ArticleScore.fields[...]`: matches, false positives, misses, and the
speaker checks), tied back to the items they came from by the labels the scorer reports. Nothing is scored
again here; `check_labels` makes sure the tie is exact (every false positive and miss of the scorer found
once), so a change in how the scorer names items cannot quietly paint the wrong spans.

Verdicts: `correct` (matched a required gold item), `optional` (matched an optional one: not counted),
`fp` (false positive: matched nothing), `missed` (a required gold item nothing matched, drawn where the gold
text occurs), `dropped` (removed by grounding, `meta.dropped`), `unscored` (a field the gold file does not
cover). A matched quote whose speaker is wrong keeps `correct` and gets `speaker_right: false`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from summarizer.evals.gold import GoldCase
from summarizer.evals.runner import CaseOutput
from summarizer.evals.scoring import FIELDS, ArticleScore
from summarizer.schemas import Span, Summary
from summarizer.text.article import Article

log = logging.getLogger("summarizer.lab")

Verdict = Literal["correct", "optional", "fp", "missed", "dropped", "unscored"]
SpanPair = tuple[int, int]


class Item(BaseModel):
    field: str
    label: str
    verdict: Verdict
    spans: list[SpanPair] = Field(default_factory=list)
    gold: str | None = Field(default=None, description="The gold item it matched.")
    speaker: str | None = None
    gold_speaker: str | None = None
    speaker_right: bool | None = None
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.field}:{' '.join(self.label.casefold().split())}"


class VariantView(BaseModel):
    state: str
    error: str | None = None
    headline: str = ""
    summary: str = ""
    items: list[Item] = Field(default_factory=list)
    incomplete: list[dict[str, str]] = Field(default_factory=list)


class GoldItem(BaseModel):
    field: str
    label: str
    optional: bool
    spans: list[SpanPair] = Field(default_factory=list)
    speaker: str | None = None


class ArticleView(BaseModel):
    slug: str
    text: str
    fields: list[str]
    gold_summary: str | None
    gold: list[GoldItem]
    variants: dict[str, VariantView]


def _pairs(spans: Sequence[Span]) -> list[SpanPair]:
    return [(s.start, s.end) for s in spans]


def _located(article: Article, text: str) -> list[SpanPair]:
    span = article.locate(text)
    return [] if span is None else [(span.start, span.end)]


def _predicted(summary: Summary, article: Article) -> dict[str, list[tuple[str, list[SpanPair], dict[str, Any]]]]:
    """Each field's items as (the label the scorer reports, spans, extras), in the answer's order.

    A span outside the text (a quote that is not in the article says 0-0) is not drawn.
    """
    size = len(article.text)
    fields = _fields(summary, article)
    return {
        name: [(label, [(s, e) for s, e in spans if 0 <= s < e <= size], extra) for label, spans, extra in items]
        for name, items in fields.items()
    }


def _fields(summary: Summary, article: Article) -> dict[str, list[tuple[str, list[SpanPair], dict[str, Any]]]]:
    return {
        "parties": [(p.name, _pairs(p.mentions), {"detail": p.kind}) for p in summary.parties],
        "locations": [(loc.name, _pairs(loc.mentions), {"detail": loc.kind}) for loc in summary.locations],
        "outcomes": [(o.description, _located(article, o.description), {"detail": o.status}) for o in summary.outcomes],
        "quotes": [(q.text, [(q.start, q.end)], {"speaker": q.speaker}) for q in summary.quotes],
        "contested_claims": [
            (f"{c.claim} ({c.claimant})", _located(article, c.evidence) or _located(article, c.claim), {})
            for c in summary.contested_claims
        ],
    }


def gold_items(case: GoldCase) -> list[GoldItem]:
    """Every gold item, with where the article says it (names by mention, sentences and quotes verbatim)."""
    article, gold = Article(case.text), case.gold
    items: list[GoldItem] = []
    for p in gold.parties:
        items.append(GoldItem(field="parties", label=p.name, optional=p.optional, spans=_mentions(article, p)))
    for g in gold.locations:
        items.append(GoldItem(field="locations", label=g.name, optional=g.optional, spans=_mentions(article, g)))
    for o in gold.outcomes:
        items.append(
            GoldItem(field="outcomes", label=o.description, optional=o.optional, spans=_located(article, o.description))
        )
    for q in gold.quotes:
        items.append(
            GoldItem(
                field="quotes", label=q.text, optional=q.optional, spans=_located(article, q.text), speaker=q.speaker
            )
        )
    for c in gold.contested_claims:
        label = f"{c.claim} ({c.claimant or 'anyone'})"
        spans = _located(article, c.evidence) if c.evidence else _located(article, c.claim)
        items.append(GoldItem(field="contested_claims", label=label, optional=c.optional, spans=spans))
    return items


def _mentions(article: Article, item: Any) -> list[SpanPair]:
    return _pairs(article.mentions([item.name, *item.aliases]))


def _dropped(article: Article, output: CaseOutput) -> list[Item]:
    """`meta.dropped` as items: `value: reason`, drawn where the value occurs in the text (often nowhere)."""
    if output.response is None:
        return []
    items = []
    for group in output.response.meta.dropped:
        field = group.field.split(".")[0]
        for value in group.values:
            name, _, reason = value.rpartition(": ") if ": " in value else (value, "", "")
            name = name.removesuffix("…")
            spans = _pairs(article.mentions([name])) if field in ("parties", "locations") else _located(article, name)
            if group.field.endswith(".speaker"):
                spans = _pairs(article.mentions([name]))
            items.append(
                Item(field=field, label=name, verdict="dropped", spans=spans, detail=f"{group.field}: {reason}".strip())
            )
    return items


class LabelMismatch(AssertionError):
    """The scorer's labels no longer name the items they came from (see `check_labels`)."""


def check_labels(items: list[Item], score: ArticleScore) -> None:
    """Every false positive and miss the scorer counted is on exactly one item here, per field."""
    for name, result in score.fields.items():
        fps = Counter(i.label for i in items if i.field == name and i.verdict == "fp")
        missed = Counter(i.label for i in items if i.field == name and i.verdict == "missed")
        if fps != Counter(result.false_positives) or missed != Counter(result.misses):
            raise LabelMismatch(f"{score.article}: the scorer's {name} labels do not name the answer's items")


def variant_view(case: GoldCase, output: CaseOutput | None, score: ArticleScore | None, state: str) -> VariantView:
    """One variant's answer to `case` with every item's verdict, from the scorer's `score` of that answer."""
    if output is None or score is None:
        return VariantView(state=state)
    article = Article(case.text)
    summary = output.response.summary if output.response else Summary.model_construct(headline="", summary="")
    golds = gold_items(case)
    gold_by_label = {(g.field, g.label): g for g in golds}
    items: list[Item] = []
    checks = Counter((c.text, c.predicted) for c in score.speakers)
    for name, predicted in _predicted(summary, article).items():
        result = score.fields.get(name)
        if result is None:
            items += [
                Item(field=name, label=label, verdict="unscored", spans=spans, **extra)
                for label, spans, extra in predicted
            ]
            continue
        matches = Counter(result.matches)
        matched_gold: dict[str, list[str]] = {}
        for p_label, g_label in result.matches:
            matched_gold.setdefault(p_label, []).append(g_label)
        for label, spans, extra in predicted:
            item = Item(field=name, label=label, verdict="fp", spans=spans, **extra)
            candidates = matched_gold.get(label, [])
            pair = next(((label, g) for g in candidates if matches[(label, g)] > 0), None)
            if pair is not None:
                matches[pair] -= 1
                gold = gold_by_label.get((name, pair[1]))
                item.gold = pair[1]
                item.verdict = "optional" if gold is not None and gold.optional else "correct"
                if name == "quotes" and gold is not None:
                    _speaker(item, gold.speaker, score, checks)
            items.append(item)
        missed = Counter(result.misses)
        for gold in golds:
            if gold.field == name and missed[gold.label] > 0:
                missed[gold.label] -= 1
                items.append(
                    Item(field=name, label=gold.label, verdict="missed", spans=gold.spans, speaker=gold.speaker)
                )
    error = output.error
    try:
        check_labels(items, score)
    except LabelMismatch as exc:
        log.warning("lab: %s", exc)
        error = f"{error or ''} (the lab could not tie every verdict to its item: {exc})".strip()
    items += _dropped(article, output)
    return VariantView(
        state=state,
        error=error,
        headline=summary.headline,
        summary=summary.summary,
        items=items,
        incomplete=[{"field": i.field, "reason": i.reason} for i in score.incomplete],
    )


def _speaker(
    item: Item, gold_speaker: str | None, score: ArticleScore, checks: Counter[tuple[str, str | None]]
) -> None:
    """The scorer's speaker check of a matched quote (`QuoteCheck`: keyed by the gold text and predicted speaker)."""
    key = (item.gold or "", item.speaker)
    if checks[key] > 0:
        checks[key] -= 1
        check = next(c for c in score.speakers if (c.text, c.predicted) == key)
        item.gold_speaker, item.speaker_right = check.gold, check.right
    else:
        item.gold_speaker = gold_speaker


def article_view(
    case: GoldCase,
    answers: Mapping[str, tuple[CaseOutput | None, ArticleScore | None, str]],
) -> ArticleView:
    """The article with the gold and every variant's items: `answers` maps a variant to (output, score, state)."""
    return ArticleView(
        slug=case.slug,
        text=case.text,
        fields=[f for f in FIELDS if f in case.gold.fields],
        gold_summary=case.gold.summary,
        gold=gold_items(case),
        variants={key: variant_view(case, *answer) for key, answer in answers.items()},
    )
