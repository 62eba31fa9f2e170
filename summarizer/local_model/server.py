"""Run llama.cpp's OpenAI-compatible server as a child process that never outlives us.

Started with a health-wait (the port answers `/v1/models`), stopped with SIGTERM then SIGKILL, and
tied to our lifetime on Linux with PR_SET_PDEATHSIG so even a killed parent takes it down.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx

from summarizer.errors import LocalModelError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def die_with_parent(parent: int) -> Callable[[], None]:
    """Runs in the child before exec: ask Linux to SIGTERM it when its parent dies.

    A parent that died between fork and prctl would never send the signal, so the child checks
    that its parent is still the one that forked it, and exits at once if not.
    """

    def arm() -> None:
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return arm


def terminate(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM, and SIGKILL if the child is still there after `grace_s`; returns once it is gone."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Supervised:
    """A child server we start and stop: `start` is `spawn` + `wait_healthy` (stopping it if that fails).

    `spawn` and `wait_healthy` are separate so the service can fork on its long-lived event-loop
    thread (PR_SET_PDEATHSIG) and wait on another; the CLI, tests and benchmarks call `start`.
    """

    def spawn(self) -> None:
        raise NotImplementedError

    def wait_healthy(self) -> None:
        raise NotImplementedError

    def stop(self, grace_s: float = 10.0) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        self.spawn()
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class LlamaServerConfig:
    model: Path
    host: str = "127.0.0.1"
    port: int = 0
    n_ctx: int = 8192
    n_threads: int | None = None
    prompt_cache: bool = False
    prompt_lookup_drafts: bool = False
    flash_attn: bool = False  # llama-cpp-python's default; on CPU it was reported slower for prompts
    n_batch: int | None = None  # None: the server's defaults (512 logical, 512 physical)
    n_ubatch: int | None = None
    start_timeout_s: float = 180.0
    verbose: bool = False  # llama.cpp's per-call timings in the log (bench.local_model reads them)

    def command(self, port: int) -> list[str]:
        cmd = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--host", self.host,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--cache", "true" if self.prompt_cache else "false",
            "--verbose", "true" if self.verbose else "false",
        ]  # fmt: skip
        # llama-cpp-python's own default is half the cores: one thread on a 2-core machine.
        cmd += ["--n_threads", str(self.n_threads or os.cpu_count() or 1)]
        if self.prompt_lookup_drafts:
            cmd += ["--draft_model", "prompt-lookup-decoding"]
        cmd += ["--flash_attn", "true" if self.flash_attn else "false"]
        for flag, value in (("--n_batch", self.n_batch), ("--n_ubatch", self.n_ubatch)):
            if value is not None:
                cmd += [flag, str(value)]
        return cmd


class LlamaServer(Supervised):
    """One llama.cpp server process; use as a context manager.

    `command` replaces the llama.cpp command line (each `{port}` in it becomes the chosen port): tests
    use it to supervise a tiny stand-in server with the same lifetime guarantees.
    """

    def __init__(
        self,
        config: LlamaServerConfig,
        command: Sequence[str] | None = None,
    ) -> None:
        self.config = config
        self.port = config.port or free_port(config.host)
        self._command = list(command) if command is not None else None
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def spawn(self) -> None:
        """Start the child without waiting for it.

        PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process, so
        call this from a thread that lives as long as the service (the event loop's), and do the
        slow `wait_healthy` elsewhere.
        """
        if self._command is not None:
            self._spawn([part.replace("{port}", str(self.port)) for part in self._command])
            return
        if not self.config.model.is_file():
            raise LocalModelError(f"model file not found: {self.config.model}")
        if importlib.util.find_spec("llama_cpp") is None:  # a lookup, not an import: this runs on the event loop
            raise LocalModelError(
                "llama-cpp-python is not installed; install the 'local' extra (make install) "
                "or set SUMMARIZER_LLM_BASE_URL to use another OpenAI-compatible server"
            )
        self._spawn(self.config.command(self.port))

    def _spawn(self, command: list[str]) -> None:
        self._process = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent(os.getpid()) if sys.platform == "linux" else None,
        )

    def wait_healthy(self) -> None:
        """Block until the server answers `/v1/models`; `LocalModelError` if it exits or takes too long."""
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            if self._process is None:
                raise LocalModelError("llama.cpp server was not started (or already stopped)")
            if self._process.poll() is not None:
                raise LocalModelError(
                    f"llama.cpp server exited with code {self._process.returncode} while starting; "
                    f"last output: {self.log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return
            if elapsed > self.config.start_timeout_s:
                raise LocalModelError(
                    f"llama.cpp server did not become healthy within {self.config.start_timeout_s:.0f}s; "
                    f"last output: {self.log_tail()}"
                )
            time.sleep(0.5)

    @property
    def log_path(self) -> Path:
        """Where the child's output goes (deleted on `stop`)."""
        return Path(self._log.name)

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = Path(self._log.name).read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(no output)"

    def stop(self, grace_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is not None:
            terminate(process, grace_s)
        self._log.close()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
