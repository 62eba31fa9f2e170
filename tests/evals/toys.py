"""A tiny article and gold file for scorer tests, so each test reads as a story."""

from __future__ import annotations

import hashlib
from typing import Any

from summarizer.evals.gold import GoldCase, GoldFile
from summarizer.schemas import Party, Quote, Summary
from summarizer.text.article import Article

TEXT = (
    "Dr. José Álvarez, the mayor of Springfield, said the bridge will reopen in May. "
    '"We will rebuild it stronger," Álvarez said. The transport union disputed the date, '
    "saying repairs need a year. Police closed the road on Monday.\n"
)


def case(**fields: Any) -> GoldCase:
    gold = GoldFile(article="toy", article_sha256=hashlib.sha256(TEXT.encode()).hexdigest(), **fields)
    return GoldCase(gold=gold, text=TEXT)


def party(name: str, *aliases: str) -> Party:
    return Party(name=name, kind="person", aliases=list(aliases))


def quote(text: str, speaker: str) -> Quote:
    span = Article(TEXT).locate(text)
    start, end = (span.start, span.end) if span else (0, 0)
    return Quote(text=text, speaker=speaker, partial=False, start=start, end=end)


def summary(**fields: Any) -> Summary:
    return Summary(headline="h", summary="s", **fields)


ALVAREZ = {"name": "José Álvarez", "kind": "person", "aliases": ["Álvarez", "mayor of Springfield"]}
UNION = {"name": "transport union", "kind": "organization"}
POLICE = {"name": "Police", "kind": "organization", "optional": True}
