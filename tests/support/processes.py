"""Looking at processes through /proc (Linux): is one alive, whose children are they, what runs."""

from __future__ import annotations

import time
from pathlib import Path


def alive(pid: int) -> bool:
    """True while `pid` runs; a zombie (dead, not yet reaped) counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_gone(pid: int, timeout_s: float = 10.0) -> bool:
    """Poll until `pid` is gone; False if it still runs after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def children(pid: int, thread: int | None = None) -> list[int]:
    """Direct children of `pid`, whichever of its threads forked them (or only those `thread` forked)."""
    tasks = [Path(f"/proc/{pid}/task/{thread}")] if thread is not None else Path(f"/proc/{pid}/task").iterdir()
    found: list[int] = []
    for task in tasks:
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
