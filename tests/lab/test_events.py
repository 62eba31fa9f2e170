"""The lab's event log: numbered, resumable, and honest when a reader cannot resume."""

from __future__ import annotations

import asyncio

import pytest

from summarizer.lab.runs import Event, EventLog


def test_a_reader_resumes_after_the_last_number_it_heard() -> None:
    log = EventLog()
    for n in range(3):
        log.publish("cell", {"n": n})
    assert [e.data["n"] for e in log.since(0) or []] == [0, 1, 2]
    assert [e.data["n"] for e in log.since(2) or []] == [2]
    assert log.since(3) == []


def test_a_reader_that_cannot_resume_is_told_to_reload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EventLog, "KEEP", 2)
    log = EventLog()
    for n in range(5):
        log.publish("cell", {"n": n})
    assert log.since(1) is None, "events 2 and 3 are forgotten"
    assert [e.seq for e in log.since(3) or []] == [4, 5]
    assert log.since(9) is None, "a number from another (restarted) server"


async def test_follow_streams_new_events_keeps_alive_and_ends() -> None:
    log = EventLog()
    got: list[Event | None] = []

    async def read() -> None:
        async for event in log.follow(0, keepalive_s=0.05, lifetime_s=0.5):
            got.append(event)

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.12)
    log.publish("cell", {"n": 1})
    await asyncio.wait_for(reader, 5)
    events = [e for e in got if e is not None]
    assert [e.data for e in events] == [{"n": 1}]
    assert None in got, "keep-alives while nothing happens"


async def test_follow_from_the_future_says_reset() -> None:
    log = EventLog()
    got = [e async for e in log.follow(7, keepalive_s=0.05, lifetime_s=1)]
    assert len(got) == 1 and got[0] is not None and got[0].type == "reset" and got[0].seq == 0
