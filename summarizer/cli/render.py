"""A readable terminal rendering of a summary (`summarize --pretty`)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from summarizer.schemas import SummaryResponse


def print_summary(console: Console, result: SummaryResponse) -> None:
    """Everything from the article or the model is escaped: Rich reads `[...]` in a string as a style
    tag, and a quotation like "[the minister] said" lost its brackets."""
    s, meta = result.summary, result.meta
    console.print(f"[bold]{escape(s.headline)}[/]")
    console.print(s.summary, soft_wrap=True, markup=False)

    parties = Table("party", "kind", "role", "mentions", title="Parties", title_justify="left")
    for p in s.parties:
        parties.add_row(escape(p.name), p.kind, escape(p.role), str(len(p.mentions)))
    places = Table("location", "kind", "role", title="Locations", title_justify="left")
    for loc in s.locations:
        places.add_row(escape(loc.name), loc.kind, escape(loc.role))
    outcomes = Table("outcome", "status", "parties", title="Outcomes", title_justify="left")
    for o in s.outcomes:
        outcomes.add_row(escape(o.description), o.status, escape(", ".join(o.parties)))
    quotes = Table("speaker", "quote", "span", title="Quotes", title_justify="left")
    for q in s.quotes:
        quotes.add_row(
            escape(q.speaker) if q.speaker else "[dim](unattributed)[/]",
            escape(f"“{q.text}”" + (" (partial)" if q.partial else "")),
            f"{q.start}-{q.end}",
        )
    claims = Table("claim", "claimant", "disputed by", "evidence", title="Contested claims", title_justify="left")
    for c in s.contested_claims:
        claims.add_row(escape(c.claim), escape(c.claimant), escape(", ".join(c.disputed_by)), escape(c.evidence))
    for table in (parties, places, outcomes, quotes, claims):
        if table.row_count:
            console.print(table)
    for item in meta.incomplete:
        console.print(f"[yellow]incomplete: {item.field}[/] [dim]({escape(item.reason)})[/]")
    if meta.dropped:
        console.print("[dim]dropped: " + ", ".join(f"{d.field} {d.count}" for d in meta.dropped) + "[/]")
    console.print(
        f"[dim]{meta.model or 'no model'} · prompt {meta.prompt.id}@{meta.prompt.version} ({meta.prompt.hash}) · "
        f"{meta.usage.prompt_tokens}+{meta.usage.completion_tokens} tokens · {meta.attempts} calls · "
        f"{meta.latency_ms} ms[/]"
    )
