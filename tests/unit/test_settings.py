"""Where settings point by default: prompts from the checkout, or from the wheel's copy."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from summarizer.settings import Settings, default_prompts_dir

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_own_prompts_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_PROMPTS_DIR", raising=False)
    assert Settings().prompts_dir == ROOT / "prompts"


def test_an_installed_wheel_uses_the_copy_the_build_puts_in_the_package(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    installed = site / "summarizer"
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    shipped_at = site / wheel["force-include"]["prompts"]
    shipped_at.mkdir(parents=True)
    (site / "prompts").mkdir()  # another distribution's folder beside the package must not win
    assert default_prompts_dir(installed) == shipped_at
