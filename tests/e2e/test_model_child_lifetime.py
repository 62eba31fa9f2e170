"""`summarizer serve` on the embedded model: its llama.cpp child never outlives the service.

The stand-in child in tests/reliability covers LlamaServer on its own; this runs the real service
and the real model server, the way `make run` does, and then takes the service down.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from bench.serving import serve_subprocess

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")]


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped) counts as gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pid: int, timeout_s: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_model_server_goes_down_with_the_service(how: signal.Signals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_LLM_BASE_URL", raising=False)  # no upstream: the embedded model
    with serve_subprocess({}, timeout_s=180) as served:
        ready = httpx.get(f"{served.base_url}/ready", timeout=10)
        assert ready.status_code == 200, ready.text  # the service reached its own model server
        models = [pid for pid in children(served.process.pid) if b"llama_cpp.server" in cmdline(pid)]
        assert len(models) == 1, served.logs()[-2000:]
        served.process.send_signal(how)
        served.process.wait(60)
        assert wait_gone(models[0]), f"llama.cpp server {models[0]} outlived the service ({how.name})"


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
