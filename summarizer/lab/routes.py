"""The lab's HTTP surface under `/lab`: the page and its assets (open, like `/docs`), and its JSON API.

The API (`/lab/api/...`) is behind the service's API keys when it has any; the page asks for the key and
sends it as `X-API-Key`, so progress is streamed with `fetch` (server-sent events over a response body),
not `EventSource`, which cannot send a header. Everything slow is awaited or sent to a thread by `Lab`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.static_files import create_static_files_router
from pydantic import BaseModel, Field

from summarizer.errors import InputError
from summarizer.lab.article import article_view
from summarizer.lab.drafts import DRAFT_PREFIX, DraftCheck, SavePlan
from summarizer.lab.export import export_html
from summarizer.lab.runs import Column, Lab

ASSETS = Path(__file__).resolve().parent / "assets"
PREFIX = "/lab"
OPEN_PAGES = (PREFIX, f"{PREFIX}/", f"{PREFIX}/assets")
"""What needs no API key: the page and its static files (they hold no data; the API does)."""
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"


class DraftIn(BaseModel):
    text: str = Field(max_length=200_000)


class DraftOut(BaseModel):
    key: str
    ref: str
    hash: str
    text: str


class BoardIn(BaseModel):
    gold: str
    variants: list[str] = Field(min_length=1, max_length=12)


class RunIn(BoardIn):
    articles: list[str] | None = Field(default=None, description="Re-run these articles (default: every one).")
    only: list[str] | None = Field(default=None, description="Run only these of the board's variants.")
    fresh: bool = Field(default=False, description="Ask the model again even when the cache has an answer.")


def _variants(raw: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))


async def _board(lab: Lab, gold: str, variants: list[str]) -> list[tuple[str, Column]]:
    """Each variant key with its column (a saved draft and its released version share one)."""
    keys = list(dict.fromkeys(variants))
    return list(zip(keys, await lab.board(gold, keys), strict=True))


async def _snapshot(lab: Lab, gold: str, variants: list[str]) -> dict[str, Any]:
    seq = lab.events.seq  # before reading the cells: an event after it is re-applied, never lost
    pairs = await _board(lab, gold, variants)
    cases = pairs[0][1].cases
    return {
        "gold": gold,
        "seq": seq,
        "articles": [{"slug": c.slug, "chars": len(c.text)} for c in cases],
        "variants": [
            {
                "key": key,
                "ref": c.prompt.ref,
                "draft": key.startswith(DRAFT_PREFIX),
                "hash": c.prompt.hash,
                "column": c.id,
                "run_dir": str(c.run_dir),
                "to_ask": await lab.to_ask(c),
                "totals": c.totals(lab.config).model_dump(),
            }
            for key, c in pairs
        ],
        "cells": {c.id: {slug: cell.model_dump() for slug, cell in c.cells.items()} for _, c in pairs},
    }


async def _article(lab: Lab, gold: str, variants: list[str], slug: str) -> dict[str, Any]:
    pairs = await _board(lab, gold, variants)
    case = pairs[0][1].case.get(slug)
    if case is None:
        raise InputError(f"no article {slug!r} in {gold}")

    def build() -> dict[str, Any]:
        answers = {
            key: (c.outputs.get(slug), c.scores.get(slug), c.cells[slug].state if slug in c.cells else "pending")
            for key, c in pairs
        }
        return article_view(case, answers).model_dump(mode="json")

    return await asyncio.to_thread(build)


async def _compare(lab: Lab, side_a: tuple[str, Column], side_b: tuple[str, Column]) -> dict[str, Any]:
    (key_a, a), (key_b, b) = side_a, side_b
    result = await lab.comparison(a, b)
    return {
        "a": key_a,
        "b": key_b,
        "complete": a.totals(lab.config).complete and b.totals(lab.config).complete,
        "deltas": [d.model_dump() for d in result.deltas],
        "regressed": result.regressed,
        "only_a": result.only_a,
        "only_b": result.only_b,
        "failed_a": result.failed_a,
        "failed_b": result.failed_b,
    }


def lab_router(lab_of: Callable[[], Lab]) -> Router:
    """The page, its assets and its API, bound to the lab `lab_of()` returns (built by the app that mounts it)."""
    page = (ASSETS / "lab.html").read_text(encoding="utf-8")

    async def provide_lab() -> Lab:
        return lab_of()

    @get("/", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
    def lab_page() -> Response[str]:
        return Response(page, media_type=MediaType.HTML, headers={"Content-Security-Policy": CSP})

    @get("/api/setup", include_in_schema=False)
    async def setup(lab: NamedDependency[Lab]) -> dict[str, Any]:
        library = lab.drafts.library
        prompts = [library.get(ref) for ref in library.refs()]
        return {
            "gold_sets": [{"id": g.id, "articles": len(await lab.cases(g))} for g in lab.gold_sets.values()],
            "prompts": [
                {
                    "ref": p.ref,
                    "id": p.meta.id,
                    "version": p.meta.version,
                    "strategy": p.meta.strategy,
                    "hash": p.hash,
                    "description": " ".join(p.meta.description.split()),
                }
                for p in prompts
            ],
            "drafts": [{"key": key, "ref": p.ref, "hash": p.hash} for key, p in lab.drafts.known()],
            "default_prompt": lab.settings.default_prompt,
            "model": lab.settings.llm_model,
            "concurrency": lab.concurrency,
            "fields": ["parties", "locations", "outcomes", "quotes", "contested_claims"],
            "margin": lab.config.compare.margin,
        }

    @get("/api/prompts/{ref:str}/next", include_in_schema=False)
    async def next_draft(lab: NamedDependency[Lab], ref: FromPath[str]) -> dict[str, str]:
        return {"ref": ref, "text": await asyncio.to_thread(lab.drafts.next_text, ref)}

    @post("/api/drafts/check", include_in_schema=False, status_code=200)
    async def check_draft(lab: NamedDependency[Lab], data: JSONBody[DraftIn]) -> DraftCheck:
        return await asyncio.to_thread(lab.drafts.summary, data.text)

    @post("/api/drafts", include_in_schema=False, status_code=201)
    async def add_draft(lab: NamedDependency[Lab], data: JSONBody[DraftIn]) -> DraftOut:
        key, prompt = await asyncio.to_thread(lab.drafts.add, data.text)
        return DraftOut(key=key, ref=prompt.ref, hash=prompt.hash, text=data.text)

    @get("/api/drafts/{key:str}", include_in_schema=False)
    async def get_draft(lab: NamedDependency[Lab], key: FromPath[str]) -> DraftOut:
        prompt = lab.drafts.get(key)
        return DraftOut(key=key, ref=prompt.ref, hash=prompt.hash, text=lab.drafts.text(key))

    @get("/api/drafts/{key:str}/plan", include_in_schema=False)
    async def plan_draft(lab: NamedDependency[Lab], key: FromPath[str]) -> SavePlan:
        return await asyncio.to_thread(lab.drafts.plan, key)

    @post("/api/drafts/{key:str}/save", include_in_schema=False, status_code=201)
    async def save_draft(lab: NamedDependency[Lab], key: FromPath[str]) -> SavePlan:
        return await asyncio.to_thread(lab.drafts.save, key)

    @get("/api/board", include_in_schema=False)
    async def board(lab: NamedDependency[Lab], gold: FromQuery[str], variants: FromQuery[str]) -> dict[str, Any]:
        return await _snapshot(lab, gold, _variants(variants))

    @post("/api/run", include_in_schema=False, status_code=202)
    async def run(lab: NamedDependency[Lab], data: JSONBody[RunIn]) -> dict[str, Any]:
        pairs = await _board(lab, data.gold, data.variants)
        columns = [c for key, c in pairs if data.only is None or key in data.only]
        queued = lab.start(list({c.id: c for c in columns}.values()), data.articles, fresh=data.fresh)
        return {"queued": queued, "seq": lab.events.seq}  # the page is busy until it has heard up to `seq`

    @post("/api/cancel", include_in_schema=False, status_code=200)
    async def cancel(lab: NamedDependency[Lab], data: JSONBody[BoardIn]) -> dict[str, Any]:
        return {"cancelled": lab.cancel(await lab.board(data.gold, data.variants))}

    @get("/api/compare", include_in_schema=False)
    async def compare_variants(
        lab: NamedDependency[Lab], gold: FromQuery[str], a: FromQuery[str], b: FromQuery[str]
    ) -> dict[str, Any]:
        return await _compare(lab, (a, await lab.column(gold, a)), (b, await lab.column(gold, b)))

    @get("/api/article", include_in_schema=False)
    async def article(
        lab: NamedDependency[Lab], gold: FromQuery[str], variants: FromQuery[str], slug: FromQuery[str]
    ) -> dict[str, Any]:
        return await _article(lab, gold, _variants(variants), slug)

    @get("/api/events", include_in_schema=False)
    async def events(lab: NamedDependency[Lab], after: FromQuery[int] = 0) -> ServerSentEvent:
        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            async for event in lab.events.follow(after):
                if event is None:
                    yield ServerSentEventMessage(data=None, comment="keep-alive")
                else:
                    yield ServerSentEventMessage(event=event.type, id=event.seq, data=json.dumps(event.data))

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @get("/api/export", include_in_schema=False)
    async def export(
        lab: NamedDependency[Lab],
        request: Request[Any, Any, Any],
        gold: FromQuery[str],
        variants: FromQuery[str],
        baseline: FromQuery[str],
    ) -> Response[str]:
        keys = _variants(variants)
        snapshot = await _snapshot(lab, gold, keys)
        columns = dict(await _board(lab, gold, keys))
        if baseline not in columns:
            raise InputError(f"the baseline {baseline!r} is not one of the variants")
        base = (baseline, columns[baseline])
        comparisons = {}
        for key, column in columns.items():
            if key != baseline and column.scores and base[1].scores:
                comparisons[key] = await _compare(lab, base, (key, column))
        articles = {a["slug"]: await _article(lab, gold, keys, a["slug"]) for a in snapshot["articles"]}
        bundle = {
            "board": snapshot,
            "compare": comparisons,
            "articles": articles,
            "state": request.query_params.get("state", ""),
        }
        page_html = await asyncio.to_thread(export_html, bundle, page)
        name = f"lab-{gold.replace('/', '-')}-{'-vs-'.join(keys)}.html".replace("@", "v")
        return Response(
            page_html,
            media_type=MediaType.HTML,
            headers={"Content-Disposition": f'attachment; filename="{name[:150]}"'},
        )

    return Router(
        path=PREFIX,
        route_handlers=[
            lab_page,
            setup,
            next_draft,
            check_draft,
            add_draft,
            get_draft,
            plan_draft,
            save_draft,
            board,
            run,
            cancel,
            compare_variants,
            article,
            events,
            export,
            create_static_files_router(path="/assets", directories=[ASSETS], include_in_schema=False),
        ],
        dependencies={"lab": Provide(provide_lab)},
    )
