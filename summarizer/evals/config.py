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


class Speed(_Strict):
    """How fast the machine was when the live floors were set, measured in one run of the live test.

    The live gate scales each article's deadline by how much slower a speed probe (one fixed, short
    model call) runs now than it did then, so a slow or busy machine gets more time instead of a red
    build; only answers are judged.
    """

    probe_s: float = Field(gt=0, description="Seconds the speed probe took in the reference run.")
    slowest_article_s: float = Field(gt=0, description="Seconds the slowest live article took in that run.")
    margin: float = Field(default=4.0, ge=1, description="Deadline per article: the slowest article times this.")
    max_deadline_s: float = Field(
        default=900.0,
        gt=0,
        description="Cap of one article's scaled deadline; the test's timeout sits above them all.",
    )

    def deadline(self, probe_s: float) -> float:
        """One article's deadline on a machine whose probe took `probe_s`: never shorter than the reference's."""
        slowdown = max(1.0, probe_s / self.probe_s)
        return min(self.max_deadline_s, self.slowest_article_s * self.margin * slowdown)


class LiveGate(Gate):
    speed: Speed | None = None


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
