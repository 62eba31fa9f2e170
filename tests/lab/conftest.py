"""The lab served for real on loopback (uvicorn in a thread) over the scripted fake upstream.

Each test gets its own copy of `prompts/` (saving a draft writes there), its own eval cache and runs
folder, and a gold folder of committed gold files (evals/gold) with their articles.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.serving import serve_in_thread
from summarizer.lab.app import create_lab_app
from summarizer.settings import Settings
from tests.lab.model import GOLD, ROOT, GoldModel
from tests.support.fake_upstream import FakeUpstream

KEY = "lab-key-1"


@dataclass
class ServedLab:
    url: str
    settings: Settings
    model: GoldModel
    upstream: FakeUpstream
    gold: Path
    prompts: Path


def gold_folder(target: Path, slugs: list[str] | None = None) -> Path:
    """Committed gold files (all, or `slugs`) and their articles, copied under `target`."""
    (target / "gold").mkdir(parents=True)
    (target / "articles").mkdir()
    for path in sorted(GOLD.glob("*.yaml")):
        if slugs is None or path.stem in slugs:
            shutil.copy(path, target / "gold" / path.name)
            shutil.copy(GOLD.parent / "articles" / f"{path.stem}.txt", target / "articles")
    return target / "gold"


def lab_settings(tmp: Path, upstream: FakeUpstream, gold: Path, **extra: object) -> Settings:
    return Settings(
        llm_base_url=upstream.base_url,
        llm_model="fake-model",
        llm_transport_retries=0,
        llm_retry_max_wait_s=0.01,
        cache_dir=tmp / "cache",
        lab_runs_dir=tmp / "runs",
        prompts_dir=tmp / "prompts",
        lab_gold_dirs=str(gold),
        default_prompt="summarize-grouped@4",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def prompts_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "prompts", tmp_path / "prompts")
    return tmp_path / "prompts"


def serve_lab(tmp: Path, gold: Path, **extra: object) -> Iterator[ServedLab]:
    model = GoldModel()
    with FakeUpstream(model) as upstream:
        settings = lab_settings(tmp, upstream, gold, **extra)
        with serve_in_thread(create_lab_app(settings)) as url:
            yield ServedLab(url, settings, model, upstream, gold, settings.prompts_dir)
