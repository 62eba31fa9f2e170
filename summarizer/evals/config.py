"""The evals' knobs and gates, read from evals/thresholds.yaml so that changing a bar is a reviewed diff."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import ConfigurationError
from summarizer.evals.aggregate import RunScores
from summarizer.evals.paths import DEFAULT_PATH
from summarizer.evals.scoring import FIELDS, ScoringConfig

__all__ = ["DEFAULT_PATH", "CompareConfig", "EvalConfig", "Gate", "load_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CompareConfig(_Strict):
    margin: float = Field(default=0.05, ge=0, description="F1 drop tolerated before `compare` fails.")
    resamples: int = Field(default=2000, ge=100)
    seed: int = 20240601
    fields: list[str] = Field(default_factory=lambda: list[str](FIELDS))


class Gate(_Strict):
    """Floors a run must reach: micro F1 per field, speaker accuracy, and a ceiling on fabrication."""

    prompt: str | None = None
    articles: list[str] = Field(default_factory=list)
    min_f1: dict[str, float] = Field(default_factory=dict)
    min_speaker_accuracy: float | None = None
    max_fabricated_rate: float | None = None

    def failures(self, run: RunScores) -> list[str]:
        found = [
            f"{name} F1 {run.fields[name].micro.f1:.3f} < {floor}"
            for name, floor in self.min_f1.items()
            if run.fields[name].micro.f1 < floor
        ]
        speaker = run.speaker_accuracy
        if self.min_speaker_accuracy is not None and speaker is not None and speaker < self.min_speaker_accuracy:
            found.append(f"speaker accuracy {speaker:.3f} < {self.min_speaker_accuracy}")
        rate = run.fabricated_rate
        if self.max_fabricated_rate is not None and rate is not None and rate > self.max_fabricated_rate:
            found.append(f"fabricated-quote rate {rate:.3f} > {self.max_fabricated_rate}")
        return found


class EvalConfig(_Strict):
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    compare: CompareConfig = Field(default_factory=CompareConfig)
    replay: Gate = Field(default_factory=Gate)
    live: Gate = Field(default_factory=Gate)


def load_config(path: Path = DEFAULT_PATH) -> EvalConfig:
    """The config at `path`; defaults when the file does not exist (e.g. outside the repository)."""
    if not path.is_file():
        return EvalConfig()
    try:
        return EvalConfig.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"{path}: {exc}") from exc
