"""Human-readable reports of a run: `report.md` for a quick read, `report.html` to see each article.

The HTML puts every article's misses and false positives next to its text, with predicted spans
highlighted (quotes by their offsets, parties and locations by their mentions), so a prompt engineer
can see at a glance what the model picked up and what it invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from jinja2 import Environment
from markupsafe import Markup

from summarizer.evals.aggregate import RunScores, headline
from summarizer.evals.scoring import FIELDS
from summarizer.schemas import Summary


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def markdown(run: RunScores) -> str:
    lines = [f"# Eval run: {run.meta.get('prompt', '?')} on {run.meta.get('model', '?')}", ""]
    lines += [f"- {key}: {value}" for key, value in run.meta.items() if key not in {"errors"}]
    lines += ["", "| field | P micro | R micro | F1 micro | P macro | R macro | F1 macro | tp | fp | fn |"]
    lines += ["|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, field in run.fields.items():
        m = field.macro
        macro = (m.precision, m.recall, m.f1) if m else (None, None, None)
        cells = [_f(v) for v in (field.micro.precision, field.micro.recall, field.micro.f1, *macro)]
        cells += [str(field.counts.tp), str(field.counts.fp), str(field.counts.fn)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Speaker accuracy {_f(run.speaker_accuracy)}, fabricated-quote rate {_f(run.fabricated_rate)}, "
        f"outcome status accuracy {_f(run.status_accuracy)}.",
        "",
        "## Per article (F1)",
        "",
        "| article | " + " | ".join(FIELDS) + " | fabricated |",
        "|---|" + "---:|" * (len(FIELDS) + 1),
    ]
    for article in run.articles:
        cells = [_f(article.fields[f].counts.f1) if not article.fields[f].counts.empty else "—" for f in FIELDS]
        lines.append(f"| {article.article} | " + " | ".join(cells) + f" | {article.fabricated.hits} |")
    errors = run.meta.get("errors") or {}
    if errors:
        lines += ["", "## Errors (scored as empty summaries)", ""]
        lines += [f"- {slug}: {message}" for slug, message in errors.items()]
    for article in run.articles:
        lines += ["", f"## {article.article}", ""]
        for name in FIELDS:
            result = article.fields[name]
            if result.misses:
                lines.append(f"- **{name}** missed: " + "; ".join(f"“{m}”" for m in result.misses))
            if result.false_positives:
                lines.append(f"- **{name}** false positives: " + "; ".join(f"“{m}”" for m in result.false_positives))
    lines += ["", "```json", str(headline(run)), "```", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    kind: str
    label: str


def _marks(summary: Summary) -> list[_Mark]:
    found = [_Mark(q.start, q.end, "quote", f"quote · {q.speaker}") for q in summary.quotes if q.end > q.start]
    found += [_Mark(s.start, s.end, "party", f"party · {p.name}") for p in summary.parties for s in p.mentions]
    found += [
        _Mark(s.start, s.end, "location", f"location · {loc.name}") for loc in summary.locations for s in loc.mentions
    ]
    return found


def highlighted(text: str, summary: Summary) -> Markup:
    """The article as HTML with predicted spans wrapped in <mark>; quotes win where spans overlap."""
    order = {"quote": 0, "party": 1, "location": 2}
    chosen: list[_Mark] = []
    for mark in sorted(_marks(summary), key=lambda m: (order[m.kind], m.start)):
        if 0 <= mark.start < mark.end <= len(text) and not any(
            m.start < mark.end and mark.start < m.end for m in chosen
        ):
            chosen.append(mark)
    out, cursor = [], 0
    for mark in sorted(chosen, key=lambda m: m.start):
        out.append(escape(text[cursor : mark.start]))
        body = escape(text[mark.start : mark.end])
        out.append(f'<mark class="{mark.kind}" title="{escape(mark.label)}">{body}</mark>')
        cursor = mark.end
    out.append(escape(text[cursor:]))
    return Markup("".join(out))  # noqa: S704 - every piece of text was escaped above


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval {{ meta.prompt }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}
.case{display:grid;grid-template-columns:3fr 2fr;gap:1.5em;border-top:2px solid #444;margin-top:2em;padding-top:.5em}
.text{white-space:pre-wrap;font-family:Georgia,serif;max-height:40em;overflow:auto}
mark.quote{background:#ffe08a}mark.party{background:#b9e4ff}mark.location{background:#c8f2c2}
.miss{color:#a40000}.fp{color:#8a4b00}.err{color:#a40000;font-weight:bold}li{margin:.2em 0}
</style></head><body>
<h1>Eval: {{ meta.prompt }} · {{ meta.model }}</h1>
<p>{% for k, v in meta.items() if k != "errors" %}{{ k }}: {{ v }}{{ " · " if not loop.last }}{% endfor %}</p>
<table><tr><th>field</th><th>P</th><th>R</th><th>F1</th><th>macro F1</th><th>tp</th><th>fp</th><th>fn</th></tr>
{% for name, f in run.fields.items() %}<tr><td>{{ name }}</td><td>{{ "%.2f"|format(f.micro.precision) }}</td>
<td>{{ "%.2f"|format(f.micro.recall) }}</td><td>{{ "%.2f"|format(f.micro.f1) }}</td>
<td>{{ "%.2f"|format(f.macro.f1) if f.macro else "—" }}</td><td>{{ f.counts.tp }}</td><td>{{ f.counts.fp }}</td>
<td>{{ f.counts.fn }}</td></tr>{% endfor %}</table>
<p>Speaker accuracy {{ fmt(run.speaker_accuracy) }} · fabricated-quote rate {{ fmt(run.fabricated_rate) }}.
Highlights: <mark class="quote">quote</mark> <mark class="party">party</mark>
<mark class="location">location</mark>.</p>
{% for a in run.articles %}<section class="case" id="{{ a.article }}">
<div><h2>{{ a.article }}</h2>{% if errors.get(a.article) %}<p class="err">{{ errors[a.article] }}</p>{% endif %}
<div class="text">{{ texts[a.article] }}</div></div>
<div>{% for name, r in a.fields.items() %}<h3>{{ name }} <small>F1 {{ "%.2f"|format(r.counts.f1) }}
(tp {{ r.counts.tp }}, fp {{ r.counts.fp }}, fn {{ r.counts.fn }})</small></h3><ul>
{% for m in r.misses %}<li class="miss">missed: {{ m }}</li>{% endfor %}
{% for p in r.false_positives %}<li class="fp">false positive: {{ p }}</li>{% endfor %}
{% for p, g in r.matches %}<li>✓ {{ p }}{% if p != g %} ≈ {{ g }}{% endif %}</li>{% endfor %}
</ul>{% endfor %}
<p>Speakers right {{ a.speaker.hits }}/{{ a.speaker.total }} ·
fabricated quotes {{ a.fabricated.hits }}/{{ a.fabricated.total }}</p>
</div></section>{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=True)


def html(run: RunScores, texts: Mapping[str, str], summaries: Mapping[str, Summary]) -> str:
    marked = {slug: highlighted(texts[slug], summaries[slug]) for slug in texts}
    return _ENV.from_string(_PAGE).render(
        run=run, meta=run.meta, errors=run.meta.get("errors") or {}, texts=marked, fmt=_f
    )
