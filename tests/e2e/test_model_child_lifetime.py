"""`summarizer serve` on the embedded model: its llama.cpp child never outlives the service.

The stand-in child in tests/reliability covers LlamaServer on its own; this runs the real service
and the real model server, the way `make run` does, and then takes the service down.
"""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from bench.serving import serve_subprocess
from tests.support.processes import children, cmdline, wait_gone

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")]


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
        assert wait_gone(models[0], timeout_s=20), f"llama.cpp server {models[0]} outlived the service ({how.name})"
