"""A scripted OpenAI-compatible upstream, served over real HTTP on loopback.

Tests enqueue replies (tool calls, statuses, faults) and read back what was requested, so the real
openai SDK, instructor and our retry code run unmodified. The server is a few dozen lines of raw
asyncio HTTP/1.1 on purpose: faults such as a reset mid-body or a hang need control of the socket.

    with FakeUpstream() as upstream:
        upstream.enqueue(tool_call({...}), status(429, headers={"Retry-After": "1"}))
        ... point SUMMARIZER_LLM_BASE_URL at upstream.base_url ...
        assert upstream.calls == 2
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Self


@dataclass
class Reply:
    """One scripted answer. `kind` picks the behaviour; the rest are its parameters."""

    kind: str
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def tool_call(
    arguments: dict[str, Any] | str, *, finish_reason: str = "stop", usage: tuple[int, int] = (100, 20)
) -> Reply:
    """A chat completion calling the tool the request forced; `arguments` may be raw (invalid) JSON text."""
    return Reply("tool_call", body={"arguments": arguments, "finish_reason": finish_reason, "usage": usage})


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
    return Reply("status", status=code, body=body, headers=headers or {})


def html(code: int = 200) -> Reply:
    return Reply(
        "raw", status=code, body="<html><body>Bad gateway page</body></html>", headers={"content-type": "text/html"}
    )


def hang(seconds: float) -> Reply:
    """Accept the request, then say nothing for `seconds` (a read timeout on the client)."""
    return Reply("hang", seconds=seconds)


def delayed(reply: Reply, seconds: float) -> Reply:
    """`reply`, sent after `seconds` (a model that takes its time; the connection stays open)."""
    return replace(reply, seconds=seconds)


def reset_mid_body() -> Reply:
    """Send headers and half a body, then abort the connection."""
    return Reply("reset")


Responder = Callable[[dict[str, Any]], Reply]


class FakeUpstream:
    """The server. Use as a context manager; replies are consumed in order, one per request."""

    def __init__(self, responder: Responder | None = None) -> None:
        self._queue: deque[Reply] = deque()
        self._responder = responder
        self.model_info: dict[str, Any] = {}  # extra fields of the model list entry (e.g. max_model_len)
        self.requests: list[dict[str, Any]] = []
        self.model_lists = 0  # GET /models requests (not in `calls`): the context probe, /ready
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    # --- scripting -------------------------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def calls(self) -> int:
        """Chat-completion requests received (model listing excluded)."""
        return len(self.requests)

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Self:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop)
        self._server = future.result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            current = asyncio.current_task()
            handlers = [t for t in asyncio.all_tasks() if t is not current]
            for task in handlers:
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)

        with contextlib.suppress(TimeoutError):
            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- HTTP ------------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, path, _ = request_line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if not await self._answer(method, path, body, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()

    async def _answer(self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        if method == "GET" and path.endswith("/models"):
            with self._lock:
                self.model_lists += 1
            model = {"id": "fake-model", "object": "model", **self.model_info}
            self._write(writer, 200, {"object": "list", "data": [model]})
            await writer.drain()
            return True
        request = json.loads(body or b"{}")
        with self._lock:
            self.requests.append(request)
            reply = self._queue.popleft() if self._queue else None
        if reply is None:
            reply = self._responder(request) if self._responder else status(500, {"error": "no scripted reply"})
        if reply.kind == "hang":
            await asyncio.sleep(reply.seconds)
            return False
        if reply.seconds:
            await asyncio.sleep(reply.seconds)
        if reply.kind == "reset":
            writer.write(
                b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{"id": "x", '
            )
            await writer.drain()
            writer.transport.abort()
            return False
        if reply.kind == "raw":
            self._write(writer, reply.status, reply.body, reply.headers)
        elif reply.kind == "status":
            self._write(
                writer, reply.status, reply.body or {"error": {"message": f"scripted {reply.status}"}}, reply.headers
            )
        else:
            self._write(writer, 200, completion(request, reply.body))
        await writer.drain()
        return True

    @staticmethod
    def _write(writer: asyncio.StreamWriter, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        head = {"content-type": "application/json", "content-length": str(len(payload)), **(headers or {})}
        lines = [f"HTTP/1.1 {code} Scripted"] + [f"{k}: {v}" for k, v in head.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)


def completion(request: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat completion calling the tool the request named in `tool_choice`."""
    choice = request.get("tool_choice")
    name = (
        choice["function"]["name"]
        if isinstance(choice, dict)
        else request.get("tools", [{}])[0].get("function", {}).get("name", "tool")
    )
    arguments = spec["arguments"]
    prompt_tokens, completion_tokens = spec["usage"]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls" if spec["finish_reason"] == "stop" else spec["finish_reason"],
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {
                                "name": name,
                                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                            },
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
