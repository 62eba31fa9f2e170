"""The answers of a long article's windows -> one answer: one party per real-world thing, events spread out.

A window only knows its own text, so the same person comes back from several windows, under the
full name in one and the surname in the next ("Vladimir Putin", then "Putin"). Drafts are merged by
the NLP pass's name identity (`NameIndex`: reading order, surnames fold into the fullest earlier form)
before they are grounded once in the whole article, which gives every mention span across windows.
Quotes need no merge: they are found once in the whole text by code, so a quote in an overlap is
one quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from summarizer.pipeline.drafts import PartyDraft
from summarizer.text.names import NameIndex

T = TypeVar("T")


def party_drafts(per_window: Sequence[Sequence[PartyDraft]]) -> list[PartyDraft]:
    """One draft per name identity, in first-seen order; the other windows' names become its aliases."""
    index = NameIndex()
    keyed: list[tuple[str, PartyDraft]] = [
        (index.key(draft.name, person=draft.kind == "person"), draft) for drafts in per_window for draft in drafts
    ]
    merged: dict[str, PartyDraft] = {}
    for key, draft in keyed:
        key = index.canonical(key)  # a surname seen first may have joined a later full name
        first = merged.get(key)
        if first is None:
            merged[key] = draft
            continue
        # The fullest form names the party; every other form is an alias, so all its mentions count.
        name = max((first.name, draft.name), key=lambda n: (len(n.split()), len(n)))
        forms = [first.name, draft.name, *first.aliases, *draft.aliases]
        aliases = list(dict.fromkeys(f for f in forms if f != name))
        merged[key] = first.model_copy(update={"name": name, "aliases": aliases, "role": first.role or draft.role})
    return list(merged.values())


def interleave(per_window: Sequence[Sequence[T]], limit: int) -> tuple[list[T], list[T]]:
    """Up to `limit` items taken window by window in turn (the 1st of each, then the 2nd, ...): a long
    article's outcomes come from all of it, not only its beginning. Returns (kept, left out)."""
    order: list[T] = []
    for rank in range(max(map(len, per_window), default=0)):
        ranked = [w[rank] for w in per_window if rank < len(w)]
        room = limit - len(order)
        if 0 < room < len(ranked):  # more windows than room: evenly spaced ones, so the end is not lost
            step = (len(ranked) - 1) / max(room - 1, 1)
            chosen = {round(i * step) for i in range(room)}
            ranked = [item for n, item in enumerate(ranked) if n in chosen] + [
                item for n, item in enumerate(ranked) if n not in chosen
            ]
        order += ranked
    kept = set(map(id, order[:limit]))
    in_reading_order = [item for window in per_window for item in window]
    return [i for i in in_reading_order if id(i) in kept], order[limit:]
