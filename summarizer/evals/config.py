"""The evals' knobs and gates, read from evals/thresholds.yaml so that changing a bar is a reviewed diff."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import ConfigurationError
from summarizer.evals.aggregate import RunScores
from summarizer.evals.scoring import FIELDS, ScoringConfig

DEFAULT_PATH = Path("evals/thresholds.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CompareConfig(_Strict):
    margin: float = Field(default=0.05, ge=0, description="F1 drop tolerated before `compare` fails.")
    resamples: int = Field(default=2000, ge=100)
    seed: int = 20240601
    fields: list[str] = Field(default_factory=lambda: list[str](FIELDS))


class Gate(_Strict):
    """Floors a run must reach: micro F1 per field, speaker accuracy, and a ceiling on fabrication.

    `prompt` is the prompt the floors were measured on; the gates in tests/evals require it to be the
    default prompt (`SUMMARIZER_DEFAULT_PROMPT`), so a change of the default fails until re-measured.
    """

    prompt: str | None = None
    articles: list[str] = Field(default_factory=list)
    min_f1: dict[str, float] = Field(default_factory=dict)
    min_speaker_accuracy: float | None = None
    max_fabricated_rate: float | None = None

    def failures(self, run: RunScores) -> list[str]:
        found = []
        for name, floor in self.min_f1.items():
            field = run.fields.get(name)
            f1 = field.micro.f1 if field is not None else None
            if f1 is None:  # a floor on a field the articles give nothing to find in is a gate that tests nothing
                found.append(f"{name} F1 undefined (nothing to find and nothing predicted) under a floor of {floor}")
            elif f1 < floor:
                found.append(f"{name} F1 {f1:.3f} < {floor}")
        speaker = run.speaker_accuracy
        if self.min_speaker_accuracy is not None and speaker is not None and speaker < self.min_speaker_accuracy:
            found.append(f"speaker accuracy {speaker:.3f} < {self.min_speaker_accuracy}")
        rate = run.fabricated_rate
        if self.max_fabricated_rate is not None and rate is not None and rate > self.max_fabricated_rate:
            found.append(f"fabricated-quote rate {rate:.3f} > {self.max_fabricated_rate}")
        return found


class Probe(BaseModel):
    """One fixed, short model call, timed: how fast this machine runs the model right now."""

    seconds: float
    prompt_tokens: int
    completion_tokens: int
    text_chars: int  # characters of article text in its prompt, to convert an article's length to tokens


class Speed(_Strict):
    """How the live gate sizes each article's deadline from a speed probe measured in the same run.

    An article's work is counted in prompt-token units: its text (converted with the probe's own
    tokens per character), the call's instructions and tool schema, and `max_tokens` decoded tokens
    (the worst case: a model that loops to its cap), each costing `decode_cost` prompt tokens. The
    probe's units and seconds give this machine's speed now, so a machine twice as slow, or as busy,
    gets twice the time: the gate judges answers, not the machine.
    """

    decode_cost: float = Field(
        default=4.0, gt=0, description="Prompt tokens one decoded token costs (local model: ~28 vs ~7 tok/s)."
    )
    overhead_tokens: int = Field(default=1200, ge=0, description="A call's instructions and tool schema, in tokens.")
    margin: float = Field(default=1.5, ge=1, description="Slack on top of the estimate.")
    max_deadline_s: float = Field(
        default=1200.0, gt=0, description="Longest deadline per article; a slower machine cannot run the gate."
    )

    def deadline(self, probe: Probe, article_chars: int, max_tokens: int) -> float:
        """Seconds one article may take on the machine the probe measured (uncapped)."""
        units = article_chars * probe.prompt_tokens / probe.text_chars + self.overhead_tokens
        units += self.decode_cost * max_tokens
        probe_units = probe.prompt_tokens + self.decode_cost * probe.completion_tokens
        return probe.seconds * units / probe_units * self.margin


class LiveGate(Gate):
    speed: Speed = Field(default_factory=Speed)


class EvalConfig(_Strict):
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    compare: CompareConfig = Field(default_factory=CompareConfig)
    replay: Gate = Field(default_factory=Gate)
    live: LiveGate = Field(default_factory=LiveGate)


def load_config(path: Path = DEFAULT_PATH) -> EvalConfig:
    """The config at `path`; defaults when the file does not exist (e.g. outside the repository)."""
    if not path.is_file():
        return EvalConfig()
    try:
        return EvalConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"{path}: {exc}") from exc
