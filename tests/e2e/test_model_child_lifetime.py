"""`summarizer serve` on the embedded model: its llama.cpp child never outlives the service.

The stand-in child in tests/reliability covers LlamaServer on its own; this runs the real service
and the real model server, the way `make run` does, and then takes the service down.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from bench.serving import serve_subprocess
from tests.support.processes import alive, children, cmdline, wait_gone

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_model_server_goes_down_with_the_service(how: signal.Signals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_LLM_BASE_URL", raising=False)  # no upstream: the embedded model
    model: int | None = None
    try:
        with serve_subprocess({}, timeout_s=400) as served:
            ready = httpx.get(f"{served.base_url}/ready", timeout=10)
            assert ready.status_code == 200, ready.text  # the service reached its own model server
            pid = served.process.pid
            models = [child for child in children(pid) if b"llama_cpp.server" in cmdline(child)]
            assert len(models) == 1, served.logs()[-2000:]
            model = models[0]
            # Forked by the main (event-loop) thread: PR_SET_PDEATHSIG follows the forking thread,
            # so a child of a worker thread would die when that thread ends, or miss the signal.
            assert model in children(pid, thread=pid)
            served.process.send_signal(how)
            served.process.wait(60)
            assert wait_gone(model, timeout_s=20), f"llama.cpp server {model} outlived the service ({how.name})"
    finally:
        if model is not None and alive(model):
            os.kill(model, signal.SIGKILL)  # never leave a real model server running for the rest of the suite
