"""Process lifetimes: in-flight requests survive SIGTERM, and the model child never outlives its parent."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.serving import serve_subprocess
from bench.upstream import healthy
from summarizer.local_model.server import LlamaServer, LlamaServerConfig
from tests.support.fake_upstream import FakeUpstream, Reply
from tests.support.processes import alive, wait_gone
from tests.support.scripts import seed_text

SLOW_REPLY_S = 1.0

# A stand-in for llama.cpp: answers /v1/models on the port it is given, and nothing else.
FAKE_MODEL_SERVER = textwrap.dedent(
    """
    import http.server, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.send_header("content-type", "application/json"); self.end_headers()
            self.wfile.write(b'{"object": "list", "data": []}')
        def log_message(self, *args):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """
)


def slow(request: dict[str, Any]) -> Reply:
    time.sleep(SLOW_REPLY_S)  # blocks the fake upstream's loop: fine, one request at a time here
    return healthy(request)


def test_sigterm_lets_the_in_flight_request_finish() -> None:
    with FakeUpstream(responder=slow) as upstream:
        env = {
            "SUMMARIZER_LLM_BASE_URL": upstream.base_url,
            "SUMMARIZER_LLM_MODEL": "fake-model",
            "SUMMARIZER_REQUEST_DEADLINE_S": "30",
            "SUMMARIZER_DEFAULT_PROMPT": "summarize-grouped@4",  # three calls: the SIGTERM lands between them
        }
        with serve_subprocess(env) as served:
            result: dict[str, Any] = {}

            def call() -> None:
                try:
                    result["response"] = httpx.post(
                        f"{served.base_url}/v1/summaries", json={"article": {"text": seed_text()}}, timeout=30
                    )
                except httpx.HTTPError as exc:
                    result["error"] = exc

            client = threading.Thread(target=call)
            client.start()
            deadline = time.monotonic() + 10
            while upstream.calls == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            assert upstream.calls == 1  # the request is in flight, mid-way through its model calls
            served.process.send_signal(signal.SIGTERM)
            client.join(30)
            assert served.process.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once drained
            logs = served.logs()

    assert "error" not in result, result.get("error")
    response = result["response"]
    assert response.status_code == 200, response.text
    assert upstream.calls == 3  # every call of the grouped summary ran after the SIGTERM arrived
    summary_lines = [json.loads(line) for line in logs.splitlines() if '"event": "summary"' in line]
    assert len(summary_lines) == 1  # JSON logs, one line per summary
    assert summary_lines[0]["outcome"] == "ok"
    assert summary_lines[0]["request_id"] == response.headers["x-request-id"]


def _fake_llama(tmp_path: Path) -> LlamaServer:
    script = tmp_path / "fake_llama.py"
    script.write_text(FAKE_MODEL_SERVER)
    config = LlamaServerConfig(model=tmp_path / "unused.gguf", start_timeout_s=20)
    return LlamaServer(config, command=[sys.executable, str(script), "{port}"])


def test_stop_terminates_the_child(tmp_path: Path) -> None:
    server = _fake_llama(tmp_path).start()
    pid = server.pid
    assert pid is not None and alive(pid)
    assert httpx.get(f"{server.base_url}/models").status_code == 200
    server.stop()
    assert not alive(pid)


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_child_dies_with_its_parent(tmp_path: Path, how: signal.Signals) -> None:
    """A parent process starts the stand-in model, then is killed without any chance to clean up."""
    script = tmp_path / "fake_llama.py"
    script.write_text(FAKE_MODEL_SERVER)
    parent_code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from summarizer.local_model.server import LlamaServer, LlamaServerConfig
        config = LlamaServerConfig(model=Path("unused.gguf"), start_timeout_s=20)
        server = LlamaServer(config, command=[sys.executable, {str(script)!r}, "{{port}}"]).start()
        print(server.pid, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[2]
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert alive(child)
        parent.send_signal(how)
        parent.wait(10)
        assert wait_gone(child), "the model child outlived its parent"
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()
