"""Whose embedded queue is this: started here, or joined from another process (and which), said in the log.

Every process given one data directory (`SUMMARIZER_QUEUE_DIR`, else `queue/` under the cache dir)
shares one valkey-server and so one batch queue: a batch sent to either `summarizer serve` is worked
by both, each with its own upstream. Wanted for replicas, a surprise for two instances started
independently, so joining is never silent: the log names the queue and the process that owns it.

The server belongs to the process that started it and stops with it. A process that joined
watches it and, when the owner stops, takes it over (same data, same socket: its connections
reconnect on their own), so its batches go on instead of failing with `queue-unavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from summarizer.errors import ConfigurationError
from summarizer.jobs.valkey import QueueServer, ping
from summarizer.settings import Settings

log = logging.getLogger("summarizer.jobs")
WATCH_S = 1.0  # how often a process that joined another's queue checks that it still answers


def embedded_server(settings: Settings) -> QueueServer:
    """The queue server of this data directory; `owner` is what we write about ourselves if we start it."""
    owner = {
        "command": "summarizer serve",
        "api": f"http://{settings.host}:{settings.port}",
        "upstream": _upstream(settings),
    }
    return QueueServer(settings.queue_dir or settings.cache_dir / "queue", owner=owner)


def _upstream(settings: Settings) -> str:
    return f"{settings.llm_base_url or 'the embedded model'} ({settings.llm_model})"


@contextlib.asynccontextmanager
async def embedded_queue(settings: Settings, watch_s: float = WATCH_S) -> AsyncIterator[QueueServer]:
    """Start this data directory's queue server or join the running one; stop it (if ours) on exit."""
    server = embedded_server(settings)
    server.spawn()  # on the loop thread, which lives as long as the service (PR_SET_PDEATHSIG)
    watcher: asyncio.Task[None] | None = None
    try:
        await asyncio.to_thread(server.wait_healthy)
        announce(settings, server)
        if not server.owned:
            watcher = asyncio.create_task(take_over_when_gone(settings, server, watch_s))
        yield server
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await asyncio.to_thread(server.stop)


def announce(settings: Settings, server: QueueServer) -> None:
    """One log line: the queue we started, or the queue we joined and the process that owns it."""
    fields = {"event": "queue", "queue": server.url, "queue_dir": str(server.data_dir)}
    if server.owned:
        log.info("started the embedded batch queue %s (valkey pid %s)", server.url, server.pid, extra=fields)
        return
    owner = server.current_owner()
    who = f"{owner.get('command', 'another process')} pid {owner.get('pid', '?')} ({owner.get('api', '?')})"
    theirs, ours = owner.get("upstream"), _upstream(settings)
    differs = f"; it summarizes with {theirs}, this one with {ours}" if theirs and theirs != ours else ""
    log.warning(
        "joined the embedded batch queue %s owned by %s: its batches and this instance's are one queue, "
        "worked by both%s; set SUMMARIZER_QUEUE_DIR for a queue of this instance's own",
        server.url,
        who,
        differs,
        extra={**fields, "queue_owner": owner},
    )


async def take_over_when_gone(settings: Settings, server: QueueServer, every_s: float) -> None:
    """Watch a joined queue; when it stops answering (its owner stopped), start it again here."""
    owner = server.current_owner().get("pid")
    while not server.owned:
        await asyncio.sleep(every_s)
        if await asyncio.to_thread(ping, server.socket_path):
            continue  # (a server too busy to answer within the ping's second is found again below)
        server.spawn()  # on the loop thread (PR_SET_PDEATHSIG); joins instead if another process was quicker
        try:
            await asyncio.to_thread(server.wait_healthy)
        except ConfigurationError as exc:  # the old server still holds the lock, or the new one failed
            log.warning("the embedded batch queue %s stopped answering: %s", server.url, exc)
            continue
        if not server.owned:
            if server.current_owner().get("pid") != owner:  # another process took it over first: say whose
                owner = server.current_owner().get("pid")
                announce(settings, server)
            continue
        log.warning(
            "took over the embedded batch queue %s: its owner stopped (valkey pid %s)",
            server.url,
            server.pid,
            extra={"event": "queue", "queue": server.url, "queue_dir": str(server.data_dir)},
        )
