"""A readable terminal rendering of a summary (`summarize --pretty`)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from summarizer.schemas import SummaryResponse


def print_summary(console: Console, result: SummaryResponse) -> None:
    s, meta = result.summary, result.meta
    console.print(f"[bold]{s.headline}[/]")
    console.print(s.summary, soft_wrap=True)

    parties = Table("party", "kind", "role", "mentions", title="Parties", title_justify="left")
    for p in s.parties:
        parties.add_row(p.name, p.kind, p.role, str(len(p.mentions)))
    places = Table("location", "kind", "role", title="Locations", title_justify="left")
    for loc in s.locations:
        places.add_row(loc.name, loc.kind, loc.role)
    outcomes = Table("outcome", "status", "parties", title="Outcomes", title_justify="left")
    for o in s.outcomes:
        outcomes.add_row(o.description, o.status, ", ".join(o.parties))
    quotes = Table("speaker", "quote", "span", title="Quotes", title_justify="left")
    for q in s.quotes:
        quotes.add_row(
            q.speaker or "[dim](unattributed)[/]",
            f"“{q.text}”" + (" (partial)" if q.partial else ""),
            f"{q.start}-{q.end}",
        )
    claims = Table("claim", "claimant", "disputed by", "evidence", title="Contested claims", title_justify="left")
    for c in s.contested_claims:
        claims.add_row(c.claim, c.claimant, ", ".join(c.disputed_by), c.evidence)
    for table in (parties, places, outcomes, quotes, claims):
        if table.row_count:
            console.print(table)
    for item in meta.incomplete:
        console.print(f"[yellow]incomplete: {item.field}[/] [dim]({item.reason})[/]")
    if meta.dropped:
        console.print("[dim]dropped: " + ", ".join(f"{d.field} {d.count}" for d in meta.dropped) + "[/]")
    console.print(
        f"[dim]{meta.model} · prompt {meta.prompt.id}@{meta.prompt.version} ({meta.prompt.hash}) · "
        f"{meta.usage.prompt_tokens}+{meta.usage.completion_tokens} tokens · {meta.attempts} calls · "
        f"{meta.latency_ms} ms[/]"
    )
