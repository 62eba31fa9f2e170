"""Runs over HTTP: progress streamed per cell, the server answering while the model works, cancel, cache, fresh.

The lab is served for real on loopback; the fake upstream answers from the gold files, slowly where a
test needs a call to be in flight.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.serving import serve_in_thread
from summarizer.evals.runner import read_outputs
from summarizer.lab.app import create_lab_app
from tests.lab.conftest import gold_folder, lab_settings
from tests.lab.model import GoldModel
from tests.support.fake_upstream import FakeUpstream, Reply, delayed

SLUGS = ["wikinews-stampede", "wikinews-worship"]
VARIANT = "summarize-grouped@4"


class Slow:
    """GoldModel, each answer `seconds` late (changeable while the server runs)."""

    def __init__(self, seconds: float) -> None:
        self.model = GoldModel()
        self.seconds = seconds

    def __call__(self, request: dict[str, Any]) -> Reply:
        return delayed(self.model(request), self.seconds)


@pytest.fixture
def served(tmp_path: Path, prompts_copy: Path) -> Iterator[tuple[str, Slow, FakeUpstream, str]]:
    gold = gold_folder(tmp_path / "g", SLUGS)
    slow = Slow(0.3)
    with FakeUpstream(slow) as upstream:
        settings = lab_settings(tmp_path, upstream, gold, lab_concurrency=1)
        with serve_in_thread(create_lab_app(settings)) as url:
            yield url, slow, upstream, str(gold)


def events(url: str, after: int, until: Any, seen: list[dict[str, Any]], on_event: Any = None) -> None:
    """Read the lab's event stream until `until(seen)` holds."""
    with httpx.stream("GET", f"{url}/lab/api/events", params={"after": after}, timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                seen.append({"type": kind, **json.loads(line.removeprefix("data: "))})
                if on_event is not None:
                    on_event(seen[-1])
                if until(seen):
                    return


def board(client: httpx.Client, gold: str) -> dict[str, Any]:
    answer: dict[str, Any] = client.get("/lab/api/board", params={"gold": gold, "variants": VARIANT}).json()
    return answer


def states(seen: list[dict[str, Any]], slug: str) -> list[str]:
    return [e["cell"]["state"] for e in seen if e["type"] == "cell" and e["slug"] == slug]


def test_progress_is_streamed_per_cell_while_the_server_keeps_answering(
    served: tuple[str, Slow, FakeUpstream, str],
) -> None:
    url, _slow, _upstream, gold = served
    client = httpx.Client(base_url=url, timeout=30)
    seq = board(client, gold)["seq"]
    seen: list[dict[str, Any]] = []
    answered_meanwhile: list[str] = []

    def look(event: dict[str, Any]) -> None:  # a model call is in flight: the server must still answer
        if event["type"] == "cell" and event["cell"]["state"] == "running" and not answered_meanwhile:
            cells = board(client, gold)["cells"]
            answered_meanwhile.extend(c[event["slug"]]["state"] for c in cells.values())

    def finished(seen: list[dict[str, Any]]) -> bool:
        return any(e["type"] == "column" and e["totals"]["answered"] == 2 for e in seen)

    reader = threading.Thread(target=events, args=(url, seq, finished, seen, look))
    reader.start()
    assert client.post("/lab/api/run", json={"gold": gold, "variants": [VARIANT]}).json()["queued"] == 2
    reader.join(120)
    assert not reader.is_alive()
    for slug in SLUGS:
        assert states(seen, slug) == ["queued", "running", "done"], slug
    assert answered_meanwhile == ["running"]
    done = [e for e in seen if e["type"] == "cell" and e["cell"]["state"] == "done"]
    assert all(e["cell"]["calls"] >= 2 and e["cell"]["tokens"] > 0 and e["cell"]["f1"] for e in done)


def test_cancel_stops_the_run_and_a_rerun_finishes_it(served: tuple[str, Slow, FakeUpstream, str]) -> None:
    url, slow, upstream, gold = served
    slow.seconds = 30.0  # the first call hangs until cancelled
    client = httpx.Client(base_url=url, timeout=30)
    seq = board(client, gold)["seq"]
    seen: list[dict[str, Any]] = []
    reader = threading.Thread(target=events, args=(url, seq, lambda s: "running" in states(s, SLUGS[0]), seen))
    reader.start()
    client.post("/lab/api/run", json={"gold": gold, "variants": [VARIANT]})
    reader.join(60)
    assert client.post("/lab/api/cancel", json={"gold": gold, "variants": [VARIANT]}).json()["cancelled"] == 1
    snapshot = board(client, gold)
    column = snapshot["variants"][0]
    assert {c["state"] for c in snapshot["cells"][column["column"]].values()} == {"cancelled"}
    assert not column["totals"]["running"] and column["to_ask"] == 2
    assert read_outputs(Path(column["run_dir"])) == {}, "a cancelled article leaves nothing in the run"

    slow.seconds = 0.0
    calls = upstream.calls
    client.post("/lab/api/run", json={"gold": gold, "variants": [VARIANT]})
    for _ in range(600):
        snapshot = board(client, gold)
        if snapshot["variants"][0]["totals"]["complete"] and not snapshot["variants"][0]["totals"]["running"]:
            break
        threading.Event().wait(0.1)
    assert {c["state"] for c in snapshot["cells"][column["column"]].values()} == {"done"}
    assert upstream.calls > calls
    assert (Path(column["run_dir"]) / "scores.json").is_file(), "a complete column is an eval run directory"

    calls = upstream.calls  # cached: a re-run of one article costs nothing; a fresh one asks again
    client.post("/lab/api/run", json={"gold": gold, "variants": [VARIANT], "articles": [SLUGS[0]]})
    client.post("/lab/api/run", json={"gold": gold, "variants": [VARIANT], "articles": [SLUGS[1]], "fresh": True})
    for _ in range(600):
        if not board(client, gold)["variants"][0]["totals"]["running"]:
            break
        threading.Event().wait(0.1)
    lines = (Path(column["run_dir"]) / "outputs.jsonl").read_text().splitlines()
    last = {json.loads(line)["article"]: json.loads(line) for line in lines}
    assert last[SLUGS[0]]["cached"] is True and last[SLUGS[1]]["cached"] is False
    assert upstream.calls > calls


def test_bad_requests_are_problems(served: tuple[str, Slow, FakeUpstream, str]) -> None:
    url, _slow, _upstream, gold = served
    client = httpx.Client(base_url=url, timeout=30)
    unknown = client.get("/lab/api/board", params={"gold": "nowhere", "variants": VARIANT})
    assert unknown.status_code == 422 and "unknown gold set" in unknown.json()["detail"]
    assert unknown.headers["content-type"].startswith("application/problem+json")
    missing = client.get("/lab/api/board", params={"gold": gold, "variants": "summarize-grouped@99"})
    assert missing.status_code == 422 and "summarize-grouped@99" in missing.json()["detail"]
    article = client.get("/lab/api/article", params={"gold": gold, "variants": VARIANT, "slug": "nope"})
    assert article.status_code == 422
    draft = client.get("/lab/api/drafts/draft-0000")
    assert draft.status_code == 422 and "no draft" in draft.json()["detail"]
