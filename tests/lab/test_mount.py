"""`summarizer serve` mounts the lab when asked, behind the service's API keys; `summarizer lab` checks its input."""

from __future__ import annotations

import asyncio
from pathlib import Path

from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from summarizer.api import create_app
from summarizer.cli import app
from tests.lab.conftest import gold_folder, lab_settings
from tests.lab.model import GoldModel
from tests.support.fake_upstream import FakeUpstream

KEY = {"X-API-Key": "k-1"}


async def test_serve_mounts_the_lab_behind_the_same_keys_and_upstream(tmp_path: Path, prompts_copy: Path) -> None:
    gold = str(gold_folder(tmp_path / "g", ["wikinews-worship"]))
    with FakeUpstream(GoldModel()) as upstream:
        settings = lab_settings(tmp_path, upstream, Path(gold), lab_in_serve=True, api_keys="k-1")
        async with AsyncTestClient(app=create_app(settings)) as client:
            page = await client.get("/lab")
            assert page.status_code == 200 and "Prompt lab" in page.text
            assert "default-src 'self'" in page.headers["content-security-policy"]
            assert (await client.get("/lab/assets/lab.js")).status_code == 200
            refused = await client.get("/lab/api/setup")
            assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")
            assert (await client.get("/lab/api/setup", headers={"X-API-Key": "wrong"})).status_code == 401
            assert (await client.get("/v1/summaries", headers=KEY)).status_code != 401  # one key for both

            setup = (await client.get("/lab/api/setup", headers=KEY)).json()
            assert [g["id"] for g in setup["gold_sets"]] == [gold]
            body = {"gold": gold, "variants": ["summarize-grouped@4"]}
            assert (await client.post("/lab/api/run", json=body, headers=KEY)).json()["queued"] == 1
            params = {"gold": gold, "variants": "summarize-grouped@4"}
            for _ in range(600):
                board = (await client.get("/lab/api/board", params=params, headers=KEY)).json()
                if board["variants"][0]["totals"]["complete"] and not board["variants"][0]["totals"]["running"]:
                    break
                await asyncio.sleep(0.1)
            assert board["variants"][0]["totals"]["answered"] == 1
            assert upstream.calls >= 2, "answered through the service's upstream"


async def test_the_lab_is_not_mounted_by_default(tmp_path: Path, prompts_copy: Path) -> None:
    with FakeUpstream() as upstream:
        settings = lab_settings(tmp_path, upstream, tmp_path)
        async with AsyncTestClient(app=create_app(settings)) as client:
            assert (await client.get("/lab")).status_code == 404
            assert (await client.get("/lab/api/setup")).status_code == 404


def test_the_lab_command_refuses_a_missing_gold_folder_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["lab", "--gold", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "not a folder of gold files" in result.stderr
