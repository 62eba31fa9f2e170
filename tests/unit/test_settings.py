"""Where settings point by default: prompts from the checkout, or from the wheel's copy."""

from __future__ import annotations

import tomllib
from pathlib import Path

from summarizer.settings import Settings, default_prompts_dir

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_own_prompts_folder() -> None:
    assert Settings().prompts_dir == ROOT / "prompts"


def test_an_installed_wheel_uses_the_copy_the_build_puts_in_the_package(tmp_path: Path) -> None:
    installed = tmp_path / "site-packages" / "summarizer"  # no prompts/ beside it, as after `pip install`
    installed.mkdir(parents=True)
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    shipped_at = tmp_path / "site-packages" / wheel["force-include"]["prompts"]
    assert default_prompts_dir(installed) == shipped_at
