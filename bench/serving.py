"""The API served for real on loopback: uvicorn in a thread of this process, or `summarizer serve` as a child.

Both bind a free 127.0.0.1 port; nothing here listens on another interface.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from summarizer.local_model.server import free_port


@contextmanager
def serve_in_thread(app: Any, **config: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on its own thread and event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@dataclass
class Served:
    """A `summarizer serve` child: where it listens, the process, and the file its logs go to."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")


def fake_upstream_env(base_url: str, cache_dir: str, **settings: str) -> dict[str, str]:
    """The environment of a `summarizer serve` on the fake upstream: no rate limit, quiet logs, its own cache dir.

    `settings` adds or overrides SUMMARIZER_* variables, named without the prefix (`RESPONSE_CACHE="off"`).
    """
    return {
        "SUMMARIZER_LLM_BASE_URL": base_url,
        "SUMMARIZER_LLM_MODEL": "fake-model",
        "SUMMARIZER_RATE_LIMIT_REQUESTS": "0",
        "SUMMARIZER_CACHE_DIR": cache_dir,
        "SUMMARIZER_LOG_LEVEL": "WARNING",
        **{f"SUMMARIZER_{name}": value for name, value in settings.items()},
    }


@contextmanager
def serve_subprocess(env: dict[str, str], *, timeout_s: float = 30.0) -> Iterator[Served]:
    """Run `summarizer serve` as a child with `env` (SUMMARIZER_* settings) on a free port.

    Its stdout and stderr go to a temporary file; on exit it gets SIGTERM (SIGKILL after 30 s).
    """
    port = free_port()
    full_env = {**os.environ, **env, "SUMMARIZER_HOST": "127.0.0.1", "SUMMARIZER_PORT": str(port)}
    command = [sys.executable, "-c", "from summarizer.cli import main; main()", "serve"]
    with tempfile.TemporaryDirectory(prefix="summarizer-serve-") as folder:
        log_path = Path(folder) / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, env=full_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        served = Served(f"http://127.0.0.1:{port}", process, log_path)
        try:
            _wait_healthy(served, timeout_s)
            yield served
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_healthy(served: Served, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if served.process.poll() is not None:
            raise RuntimeError(f"summarizer serve exited with {served.process.returncode}: {served.logs()[-2000:]}")
        try:
            if httpx.get(f"{served.base_url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"summarizer serve did not become healthy: {served.logs()[-2000:]}")
        time.sleep(0.1)
