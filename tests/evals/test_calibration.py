"""Calibration of the summary's confidences: the expected calibration error and its bins, by hand."""

from __future__ import annotations

import pytest

from summarizer.evals.calibration import calibrate, calibrate_all
from summarizer.evals.gold import GoldCase, GoldFile, GoldParty, GoldQuote
from summarizer.evals.scoring import score_article
from summarizer.schemas import Party, Quote, Summary


def test_a_perfectly_calibrated_set_has_no_error_and_an_overconfident_one_has_its_gap() -> None:
    honest = [(0.75, True), (0.75, True), (0.75, True), (0.75, False)]
    assert calibrate(honest).ece == pytest.approx(0.0)  # type: ignore[union-attr]
    proud = [(0.95, True), (0.95, False), (0.15, False), (0.15, False)]
    found = calibrate(proud)
    assert found is not None
    assert found.ece == pytest.approx(0.5 * 0.45 + 0.5 * 0.15)
    assert [(b.low, b.count, b.accuracy) for b in found.bins] == [(0.1, 2, 0.0), (0.9, 2, 0.5)]
    assert calibrate([]) is None
    assert calibrate([(1.0, True)]).bins[0].high == 1.0  # type: ignore[union-attr]


def test_rows_pool_over_articles_per_field() -> None:
    found = calibrate_all([{"parties": [(0.8, True)]}, {"parties": [(0.8, False)], "outcomes": [(0.2, False)]}])
    assert found["parties"].count == 2 and found["parties"].ece == pytest.approx(0.3)
    assert found["outcomes"].ece == pytest.approx(0.2)


TEXT = 'Ann Lee met Bob Stone in Oslo. "We agreed," said Ann Lee.'


def test_the_scorer_records_each_scored_prediction_with_its_confidence_and_whether_it_was_right() -> None:
    gold = GoldFile(
        article="a", article_sha256="0" * 64, fields=["parties", "quotes"],
        parties=[GoldParty(name="Ann Lee", kind="person"), GoldParty(name="Oslo Council", kind="organization",
                                                                      optional=True)],
        quotes=[GoldQuote(text="We agreed,", speaker="Ann Lee", partial=False)],
    )  # fmt: skip
    start = TEXT.index("We agreed")
    summary = Summary(
        headline="h", summary="s",
        parties=[Party(name="Ann Lee", kind="person", confidence=0.9), Party(name="Bob Stone", kind="person",
                 confidence=0.4), Party(name="Oslo Council", kind="organization", confidence=0.7),
                 Party(name="Oslo", kind="other")],
        quotes=[Quote(text="We agreed,", speaker="Bob Stone", partial=False, start=start, end=start + 10,
                      speaker_confidence=0.8)],
    )  # fmt: skip
    scored = score_article(GoldCase(gold=gold, text=TEXT), summary)
    # the optional party is neither right nor wrong; the one without a confidence is left out
    assert sorted(scored.confidence["parties"]) == [(0.4, False), (0.9, True)]
    assert scored.confidence["quotes.speaker"] == [(0.8, False)]
    assert "quotes" not in scored.confidence
