"""Prometheus metrics, in a registry of their own per app so two apps (or two tests) never collide.

HTTP-level series are recorded by `summarizer.api.observability`; summary-level ones (upstream
calls, failures by kind, retries, re-asks, tokens) by `Summarizer` when each summary ends.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from summarizer.llm.budget import CallScope

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """Every series the service exports."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "summarizer_http_requests",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            "summarizer_http_request_duration_seconds",
            "HTTP request latency.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.summaries = Counter(
            "summarizer_summaries", "Summaries by outcome (ok, or the problem type slug).", ["outcome"], registry=r
        )
        self.upstream_calls = Counter("summarizer_upstream_calls", "HTTP calls made to the upstream LLM.", registry=r)
        self.upstream_errors = Counter(
            "summarizer_upstream_errors",
            "Failed upstream calls by kind (http_503, timeout, ...).",
            ["kind"],
            registry=r,
        )
        self.retries = Counter("summarizer_upstream_retries", "Transport retries of upstream calls.", registry=r)
        self.reasks = Counter("summarizer_reasks", "Re-asks after invalid model output.", registry=r)
        self.tokens = Counter("summarizer_tokens", "Tokens spent, failed attempts included.", ["kind"], registry=r)

    def observe_summary(self, scope: CallScope, outcome: str) -> None:
        self.summaries.labels(outcome).inc()
        self.upstream_calls.inc(scope.upstream_calls)
        for kind in scope.failures:
            self.upstream_errors.labels(kind).inc()
        self.retries.inc(scope.transport_retries)
        self.reasks.inc(scope.reasks)
        self.tokens.labels("prompt").inc(scope.usage.prompt_tokens)
        self.tokens.labels("completion").inc(scope.usage.completion_tokens)

    def render(self) -> bytes:
        return generate_latest(self.registry)
