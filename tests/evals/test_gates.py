"""How the live gate sizes its deadlines: from a speed probe of the same run, never a fixed wall clock."""

from __future__ import annotations

import pytest

from summarizer.evals.config import Probe, Speed
from tests.evals.gates import CONFIG, gold_cases

PROBE = Probe(seconds=15.0, prompt_tokens=250, completion_tokens=32, text_chars=939)


def test_a_machine_twice_as_slow_gets_twice_the_time() -> None:
    speed = Speed()
    slow = PROBE.model_copy(update={"seconds": 30.0})
    assert speed.deadline(slow, 2035, 1024) == pytest.approx(2 * speed.deadline(PROBE, 2035, 1024))


def test_a_longer_article_or_a_higher_token_cap_gets_more_time() -> None:
    speed = Speed()
    assert speed.deadline(PROBE, 4000, 1024) > speed.deadline(PROBE, 2000, 1024)
    assert speed.deadline(PROBE, 2000, 2048) > speed.deadline(PROBE, 2000, 1024)


def test_half_speed_still_fits_the_live_gate() -> None:
    # The live articles at half the idle speed of this machine (the probe: ~250 prompt tokens at ~28 tok/s
    # and 32 decoded at ~7 tok/s, ~15 s; 30 s at half speed) stay under the cap,
    # so the gate runs and judges answers rather than failing on the machine.
    live = CONFIG.live
    halved = PROBE.model_copy(update={"seconds": 2 * PROBE.seconds})
    worst = max(live.speed.deadline(halved, len(case.text), 1024) for case in gold_cases(live.articles))
    assert worst < live.speed.max_deadline_s
