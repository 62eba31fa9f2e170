"""What a prompt sends: every model request of one summary, recorded instead of sent.

`summarizer prompts show ID@V [--article FILE]` prints these. They are not rebuilt here from the
template: the real `Summarizer` runs the prompt on the article, with an `LLMClient` whose HTTP
transport keeps each chat-completion request (the JSON body the openai SDK puts on the wire, after
instructor has added the tool schema with every field description, and after the strategy has
added what the NLP pass found) and answers it with a completion that has no tool call.

instructor finds no answer in that (it is not re-asked: `llm_reasks` is 0 here), so the strategy
goes on as after any failed call: each later field group is still asked, with what an earlier
answer would have given it missing (grouped's quote attribution gets no parties), and hybrid falls
back to the rules. No model is called, started or downloaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from summarizer.errors import InputError, UpstreamError
from summarizer.evals.paths import seed_text
from summarizer.llm.client import LLMClient
from summarizer.prompts import Prompt, PromptLibrary
from summarizer.schemas import ArticleIn
from summarizer.service import build_summarizer
from summarizer.settings import Settings

__all__ = ["Preview", "SentRequest", "preview", "seed_text"]

NOWHERE = "http://preview.invalid/v1"  # never resolved: the transport answers every request itself


@dataclass(frozen=True)
class SentRequest:
    """One model call: the task that made it and its JSON body, exactly as it would go on the wire."""

    task: str
    body: dict[str, Any]


@dataclass
class Preview:
    prompt: Prompt
    requests: list[SentRequest] = field(default_factory=list)


class _Recorder(LLMClient):
    """The real client; it only notes which task is asking, so each recorded body can be named."""

    task = ""

    async def extract(self, response_model: Any, messages: Any, context: Any, **kwargs: Any) -> Any:
        self.task = kwargs.get("task") or response_model.__name__
        return await super().extract(response_model, messages, context, **kwargs)


def _no_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A well-formed completion without a tool call: the call ends, with nothing for instructor to read."""
    return {
        "id": "preview",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", ""),
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ""}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


async def preview(settings: Settings, prompt_ref: str, text: str, prompts: PromptLibrary | None = None) -> Preview:
    """The requests `prompt_ref` sends for `text` under `settings` (model, sampling, mode, windows)."""
    library = prompts or PromptLibrary.load(settings.prompts_dir)
    result = Preview(library.get(prompt_ref))
    try:
        article = ArticleIn(text=text)
    except ValidationError as exc:
        raise InputError(f"article: {exc.errors()[0]['msg']}") from exc
    # One call at a time (each body is named by the task asking), none repeated, nothing counted.
    quiet = settings.model_copy(
        update={"llm_reasks": 0, "llm_transport_retries": 0, "window_concurrency": 1, "breaker_threshold": 0}
    )

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/chat/completions"):
            body = json.loads(request.content)
            result.requests.append(SentRequest(llm.task, body))
            return httpx.Response(200, json=_no_answer(body))
        return httpx.Response(404, json={"error": {"message": "not sent: a preview"}})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    llm = _Recorder(quiet, settings.llm_base_url or NOWHERE, http_client=http)
    try:
        await build_summarizer(quiet, llm, library).summarize(article, result.prompt.ref)
    except UpstreamError:
        pass  # no call answered and no rules to fall back on: the requests are what was asked for
    finally:
        await llm.close()
        await http.aclose()
    return result
