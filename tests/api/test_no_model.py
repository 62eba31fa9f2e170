"""An answer no model wrote: `summarize-rules` never starts, downloads or calls a model, and `meta.model`
is null whenever no model call answered (the rules, or the rules' fallback after every call failed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeAlias

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from bench.serving import serve_subprocess
from bench.upstream import healthy
from summarizer.api import create_app
from summarizer.settings import Settings
from tests.support.fake_upstream import FakeUpstream, tool_call
from tests.support.scripts import seed_text

Client: TypeAlias = AsyncTestClient[Litestar]
RULES = "summarize-rules@1"


def ask(prompt: str) -> dict[str, Any]:
    return {"article": {"text": seed_text()}, "prompt": prompt}


async def test_rules_never_contact_the_upstream_and_name_no_model(client: Client, upstream: FakeUpstream) -> None:
    models_at_start = upstream.model_lists  # the service's start asks the default's model (grouped@4) once
    response = await client.post("/v1/summaries", json=ask(RULES))
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert meta["model"] is None and meta["attempts"] == 0 and meta["prompt"]["id"] == "summarize-rules"
    assert (upstream.calls, upstream.model_lists) == (0, models_at_start)


async def test_model_is_named_only_when_a_model_call_answered(client: Client, upstream: FakeUpstream) -> None:
    """Before: a hybrid answer that fell back to the rules after both answers were unusable said `fake-model`."""
    upstream.enqueue(tool_call('{"not": "json'), tool_call('{"not": "json'))  # the call and its re-ask
    fallback = await client.post("/v1/summaries", json=ask("summarize-hybrid@2"))
    assert fallback.status_code == 200, fallback.text
    meta = fallback.json()["meta"]
    assert meta["incomplete"] and meta["attempts"] == 2 and meta["model"] is None
    upstream._responder = healthy
    answered = await client.post("/v1/summaries", json=ask("summarize-hybrid@2"))
    assert answered.json()["meta"]["model"] == "fake-model"


def no_model_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """No upstream URL (the embedded model), nothing cached, the rules as the default."""
    return Settings(cache_dir=tmp_path / "cache", default_prompt=RULES, rate_limit_requests=0, **overrides)


async def test_a_service_whose_default_needs_no_model_starts_none(tmp_path: Path) -> None:
    """Before: the lifespan fetched and started llama.cpp whatever the default prompt was."""
    settings = no_model_settings(tmp_path, local_model_path=tmp_path / "no-such-model.gguf")
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/ready")).status_code == 200
        response = await client.post("/v1/summaries", json=ask(RULES))
        assert response.status_code == 200 and response.json()["meta"]["model"] is None
        assert not client.app.state.summarizer.llm.connected
        # A prompt that needs the model starts it on demand: here the file is missing, so 503, not a hang.
        needs_model = await client.post("/v1/summaries", json=ask("summarize-hybrid@2"))
        assert needs_model.status_code == 503 and needs_model.json()["type"].endswith("/local-model")
        assert "no-such-model.gguf" in needs_model.json()["detail"]


def llama_children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is `pid` that mention llama."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and "llama" in cmdline:
            found.append(cmdline)
    return found


def test_summarizer_serve_with_the_rules_downloads_and_starts_no_model(tmp_path: Path) -> None:
    """`summarizer serve` with no model cached, no upstream URL, and no way to download (a refusing proxy):
    before, it tried to fetch 1.1 GB and exited; now it serves the rules at once."""
    refused = "http://127.0.0.1:9"
    env = {
        "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache"),
        "SUMMARIZER_DEFAULT_PROMPT": RULES,
        "SUMMARIZER_RATE_LIMIT_REQUESTS": "0",
        "SUMMARIZER_LOG_LEVEL": "WARNING",
        **{name: refused for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")},
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }
    assert "SUMMARIZER_LLM_BASE_URL" not in os.environ
    with serve_subprocess(env, timeout_s=120) as served:
        response = httpx.post(f"{served.base_url}/v1/summaries", json=ask(RULES), timeout=120)
        assert response.status_code == 200, response.text
        assert response.json()["meta"]["model"] is None
        assert llama_children(served.process.pid) == []
    assert not (tmp_path / "cache" / "models").exists()
