"""One fingerprint of an answer: everything that can change what the service returns for an article.

Two answers with the same fingerprint are interchangeable, so a cache keyed by it never serves a
stale one. The eval cache uses it now; the production response cache will use the same function.
What goes in, and why each part:

- the article's sha256 (the input itself);
- the prompt file's content hash (instructions, task messages, strategy choice);
- the JSON schema of every draft model: their field descriptions are part of what the model reads;
- the strategy name and a version of the code that turns drafts into a summary (a hash of its source);
- the model id, and the sha256 of the model file when the embedded model serves it;
- the sampling settings: temperature, max_tokens, instructor mode;
- the upstream URL (another server is another model, whatever it is called); "local" for the
  embedded child, whose port changes every start while its model file does not;
- the summary schema version, and the spaCy pipeline's name and version for the strategies that use it;
- how a long article is read: window size, overlap and the configured context.

Nothing here knows about evals or HTTP: it is a pure function of settings, prompt and text.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from summarizer.local_model.fetch import sha256_of
from summarizer.local_model.releases import QWEN_CODER_1_5B
from summarizer.pipeline.drafts import DRAFT_MODELS
from summarizer.pipeline.strategies import STRATEGIES
from summarizer.prompts import Prompt
from summarizer.schemas import SCHEMA_VERSION
from summarizer.settings import Settings

CODE_MODULES = (
    "summarizer.text.article",
    "summarizer.pipeline.assemble",
    "summarizer.pipeline.confidence",
    "summarizer.pipeline.drafts",
    "summarizer.pipeline.guard",
    "summarizer.pipeline.ledger",
    "summarizer.pipeline.merge",
    "summarizer.pipeline.run",
    "summarizer.pipeline.strategies.base",
    "summarizer.pipeline.strategies.candidates",
    "summarizer.pipeline.strategies.grouped",
    "summarizer.pipeline.strategies.hybrid",
    "summarizer.pipeline.strategies.rules",
    "summarizer.pipeline.strategies.single",
    "summarizer.text.candidates",
    "summarizer.text.entities",
    "summarizer.text.names",
    "summarizer.text.quotes",
    "summarizer.text.salience",
    "summarizer.text.speakers",
    "summarizer.text.windows",
)
"""The code between the model's drafts and the answer; a change to any of it is a new code version."""


class Fingerprint(BaseModel):
    """Everything that can change an answer; `key` is its hash."""

    model_config = ConfigDict(frozen=True)

    article_sha256: str
    prompt_hash: str
    draft_schemas: str
    strategy: str
    code_version: str
    model: str
    model_file_sha256: str | None
    temperature: float
    max_tokens: int
    instructor_mode: str
    upstream: str
    schema_version: str = SCHEMA_VERSION
    nlp_pipeline: str | None = None
    # How a long article is read (windows): a different cut is a different answer.
    reading: str | None = None

    @property
    def key(self) -> str:
        material = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


class AnswerSpec(BaseModel):
    """A fingerprint without its article: what one run (one prompt, model and setting) shares."""

    model_config = ConfigDict(frozen=True)

    parts: dict[str, str | float | int | None]

    def fingerprint(self, text: str) -> Fingerprint:
        article = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return Fingerprint.model_validate({**self.parts, "article_sha256": article})


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def draft_schemas_hash(models: tuple[type[BaseModel], ...] = DRAFT_MODELS) -> str:
    schemas = {model.__name__: model.model_json_schema() for model in models}
    return _sha256(json.dumps(schemas, sort_keys=True))


@cache
def code_version(modules: tuple[str, ...] = CODE_MODULES) -> str:
    """A hash of the source files of `modules` and of the rules' word lists (`summarizer.text.lexicon`),
    read without importing them (spaCy is heavy)."""
    digest = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ImportError(f"fingerprint: no source for {name}")
        digest.update(Path(spec.origin).read_bytes())
    lexicon = importlib.util.find_spec("summarizer.text.lexicon")
    assert lexicon is not None and lexicon.origin is not None
    for path in sorted(Path(lexicon.origin).parent.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def nlp_pipeline_id(settings: Settings, strategy: str) -> str | None:
    """`name@version` of the spaCy pipeline when the strategy uses it (loading it the first time), else None."""
    if not STRATEGIES[strategy].needs_nlp:
        return None
    from summarizer.text.nlp import pipeline_id  # spaCy only for the strategies that need it

    return pipeline_id(settings.nlp_pipeline)


def model_file_sha256(settings: Settings) -> str | None:
    """The sha256 of the GGUF the embedded server would load; None when an upstream URL is configured.

    The bundled model's hash is pinned (and verified on download); a custom file is hashed once and
    remembered beside the cache by path, size and modification time, so a run does not re-read 1 GB.
    """
    if not settings.uses_local_model:
        return None
    path = settings.local_model_path
    if path is None:
        return QWEN_CODER_1_5B.sha256
    stat = path.stat()
    memo = settings.cache_dir / "model-hashes.json"
    known: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(memo.read_text(encoding="utf-8"))
    tag = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    if tag not in known:
        known[tag] = sha256_of(path)
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(json.dumps(known, indent=1), encoding="utf-8")
    return known[tag]


def answer_spec(
    settings: Settings,
    prompt: Prompt,
    model_file: str | None,
    drafts: tuple[type[BaseModel], ...] = DRAFT_MODELS,
) -> AnswerSpec:
    """The fingerprint parts shared by every article answered with these settings and this prompt.

    `model_file` is `model_file_sha256(settings)`, passed in so the caller decides when to pay for it.
    """
    return AnswerSpec(
        parts={
            "prompt_hash": prompt.hash,
            "draft_schemas": draft_schemas_hash(drafts),
            "strategy": prompt.meta.strategy,
            "code_version": code_version(),
            "model": settings.llm_model,
            "model_file_sha256": model_file,
            "temperature": settings.llm_temperature,
            "max_tokens": settings.llm_max_tokens,
            "instructor_mode": settings.llm_mode,
            "upstream": settings.llm_base_url or "local",
            "schema_version": SCHEMA_VERSION,
            "nlp_pipeline": nlp_pipeline_id(settings, prompt.meta.strategy),
            "reading": _reading(settings),
        }
    )


def _reading(settings: Settings) -> str:
    """The window settings; the context is the configured one (a server's reported context is not known
    here, but the upstream URL already names that server)."""
    context = settings.llm_context_tokens or (settings.local_ctx if settings.uses_local_model else None)
    return f"window={settings.window_chars},overlap={settings.window_overlap_chars},context={context}"


def fingerprint(settings: Settings, prompt: Prompt, text: str, model_file: str | None = None) -> Fingerprint:
    """The fingerprint of the answer to `text` (see the module docstring)."""
    return answer_spec(settings, prompt, model_file).fingerprint(text)


__all__ = ["DRAFT_MODELS", "AnswerSpec", "Fingerprint", "answer_spec", "fingerprint", "model_file_sha256"]
