"""Two `summarizer serve` processes on one machine (issue 17): never silently one queue.

Real processes, real embedded valkey-server, real in-serve workers. The second serve with the same
data directory joins the first's queue and says so in its log, naming the queue and its owner; when
the owner stops (its valkey stops with it), the second takes the queue over and its batches go on.
A second serve given its own `SUMMARIZER_QUEUE_DIR` gets a queue of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.serving import Served, fake_upstream_env, serve_subprocess
from bench.upstream import healthy
from tests.jobs.conftest import wait_for
from tests.jobs.test_batches import articles
from tests.support.fake_upstream import FakeUpstream

START_S = 120.0  # two services on a shared 2-core machine: a generous bound on start-up, not a measure


def queue_lines(served: Served) -> list[dict[str, Any]]:
    """The JSON log lines of `served` about its queue (`"event": "queue"`), in order."""
    found = []
    for line in served.logs().splitlines():
        if line.startswith("{") and (entry := json.loads(line)).get("event") == "queue":
            found.append(entry)
    return found


def saying(served: Served, words: str) -> Callable[[], list[dict[str, Any]]]:
    return lambda: [entry for entry in queue_lines(served) if words in entry["message"]]


async def finished(base_url: str, prefix: str) -> dict[str, Any]:
    """Send a two-article batch to `base_url`; its status once every article is done."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        created = await http.post("/v1/batches", json={"articles": articles(2, prefix)})
        assert created.status_code == 202, created.text
        batch = created.json()["id"]
        status = await wait_for(
            lambda: http.get(f"/v1/batches/{batch}"),
            lambda r: r.status_code == 200 and r.json()["status"] == "completed",
            what=f"batch {batch} on {base_url}",
        )
    result: dict[str, Any] = status.json()
    return result


async def test_a_second_serve_says_whose_queue_it_joined_and_takes_it_over_when_that_one_stops(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    upstream._responder = healthy
    env = fake_upstream_env(upstream.base_url, str(tmp_path / "cache"), LOG_LEVEL="INFO")
    socket = f"unix://{tmp_path / 'cache' / 'queue' / 'valkey.sock'}"
    with serve_subprocess(env, timeout_s=START_S) as first, serve_subprocess(env, timeout_s=START_S) as second:
        (started,) = queue_lines(first)
        assert started["queue"] == socket and "started the embedded batch queue" in started["message"]
        (joined,) = queue_lines(second)
        assert joined["level"] == "warning" and joined["queue"] == socket
        assert "joined the embedded batch queue" in joined["message"]
        assert joined["queue_owner"]["pid"] == first.process.pid
        assert joined["queue_owner"]["api"] == first.base_url
        assert first.base_url in joined["message"] and "SUMMARIZER_QUEUE_DIR" in joined["message"]

        first.process.terminate()  # the owner stops, and its valkey-server with it
        first.process.wait(60)
        await wait_for(saying(second, "took over"), bool, timeout_s=30, what="the second serve to take the queue over")
        status = await finished(second.base_url, "after")
    assert status["counts"]["succeeded"] == 2


async def test_a_second_serve_with_its_own_queue_dir_gets_its_own_queue(upstream: FakeUpstream, tmp_path: Path) -> None:
    upstream._responder = healthy
    env = fake_upstream_env(upstream.base_url, str(tmp_path / "cache"), LOG_LEVEL="INFO")
    own = {**env, "SUMMARIZER_QUEUE_DIR": str(tmp_path / "own-queue")}
    with serve_subprocess(env, timeout_s=START_S) as first, serve_subprocess(own, timeout_s=START_S) as second:
        (theirs,), (ours,) = queue_lines(first), queue_lines(second)
        assert "started" in theirs["message"] and "started" in ours["message"]
        assert ours["queue"] == f"unix://{tmp_path / 'own-queue' / 'valkey.sock'}" != theirs["queue"]
        status = await finished(second.base_url, "own")
        async with httpx.AsyncClient(base_url=first.base_url, timeout=30) as http:
            elsewhere = await http.get(f"/v1/batches/{status['id']}")
    assert status["counts"]["succeeded"] == 2
    assert elsewhere.status_code == 404  # not in the first serve's queue
