"""Human-readable reports of a run: `report.md` for a quick read, `report.html` to see each article.

The HTML opens with an index of per-article F1 ("n/a" where there was nothing to find, "not labelled"
where the gold file does not cover the field), then puts every article's text beside what was scored:
predicted spans highlighted (quotes by their offsets, parties and locations by their mentions), missed
gold quotes outlined in the text, the predicted headline and summary beside the gold summary, every
matched quote with its predicted and gold speaker (wrong ones marked), and what the service said
about its own answer (incomplete groups, dropped and coerced items).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from jinja2 import Environment
from markupsafe import Markup

from summarizer.evals.aggregate import RunScores, headline, health
from summarizer.evals.gold import GoldCase
from summarizer.evals.scoring import FIELDS, ArticleScore
from summarizer.schemas import Summary
from summarizer.text.article import Article


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _calibration(run: RunScores) -> list[str]:
    """The reliability table: per field carrying confidence, its ECE and each bin's confidence vs share right."""
    if not run.calibration:
        return []
    lines = ["", "## Calibration", "", "| field | ECE | items | bin | mean confidence | share right | items in bin |"]
    lines.append("|---|---:|---:|---|---:|---:|---:|")
    for name, found in run.calibration.items():
        for index, b in enumerate(found.bins):
            head = f"| {name} | {found.ece:.3f} | {found.count} |" if index == 0 else "| | | |"
            lines.append(f"{head} {b.low:.1f}–{b.high:.1f} | {b.confidence:.2f} | {b.accuracy:.2f} | {b.count} |")
    return lines


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
        *_calibration(run),
        "",
        "## Per article (F1)",
        "",
        "| article | " + " | ".join(FIELDS) + " | fabricated |",
        "|---|" + "---:|" * (len(FIELDS) + 1),
    ]
    for article in run.articles:
        cells = [f1_cell(article, f) for f in FIELDS]
        lines.append(f"| {article.article} | " + " | ".join(cells) + f" | {article.fabricated.hits} |")
    errors = run.meta.get("errors") or {}
    if errors:
        lines += ["", "## Errors (scored as empty summaries)", ""]
        lines += [f"- {slug}: {message}" for slug, message in errors.items()]
    for article in run.articles:
        lines += ["", f"## {article.article}", ""]
        for name in FIELDS:
            result = article.fields.get(name)
            if result is None:  # the gold does not cover this field (`fields:`)
                continue
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


def _marks(summary: Summary, missed: Sequence[str], text: str) -> list[_Mark]:
    found = [
        _Mark(q.start, q.end, "quote", f"quote · {q.speaker or 'speaker unknown'}")
        for q in summary.quotes
        if q.end > q.start
    ]
    article = Article(text)
    for quote in missed:
        if (span := article.locate(quote)) is not None:
            found.append(_Mark(span.start, span.end, "missed", "missed gold quote"))
    found += [_Mark(s.start, s.end, "party", f"party · {p.name}") for p in summary.parties for s in p.mentions]
    found += [
        _Mark(s.start, s.end, "location", f"location · {loc.name}") for loc in summary.locations for s in loc.mentions
    ]
    return found


def highlighted(text: str, summary: Summary, missed: Sequence[str] = ()) -> Markup:
    """The article as HTML with predicted spans and missed gold quotes wrapped in <mark>.

    Where spans overlap, quotes win over missed quotes, and those over party and place mentions.
    """
    order = {"quote": 0, "missed": 1, "party": 2, "location": 3}
    chosen: list[_Mark] = []
    for mark in sorted(_marks(summary, missed, text), key=lambda m: (order[m.kind], m.start)):
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


def f1_cell(score: ArticleScore, field: str) -> str:
    """An article's F1 for a field: "n/a" when there was nothing to find and nothing was predicted."""
    if field not in score.fields:
        return "not labelled"
    counts = score.fields[field].counts
    return "n/a" if counts.f1 is None else f"{counts.f1:.2f}"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval {{ meta.prompt }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}
.case{display:grid;grid-template-columns:3fr 2fr;gap:1.5em;border-top:2px solid #444;margin-top:2em;padding-top:.5em}
.text{white-space:pre-wrap;font-family:Georgia,serif;max-height:40em;overflow:auto}
.gist{display:grid;grid-template-columns:1fr 1fr;gap:1em;background:#f6f6f6;padding:.5em}
mark.quote{background:#ffe08a}mark.party{background:#b9e4ff}mark.location{background:#c8f2c2}
mark.missed{background:none;outline:2px dashed #c00}
.miss{color:#a40000}.fp{color:#8a4b00}.err{color:#a40000;font-weight:bold}.wrong{color:#a40000}
.flag{color:#8a4b00}li{margin:.2em 0}
</style></head><body>
<h1>Eval: {{ meta.prompt }} · {{ meta.model }}</h1>
<p>{% for k, v in meta.items() if k != "errors" %}{{ k }}: {{ v }}{{ " · " if not loop.last }}{% endfor %}</p>
<table><tr><th>field</th><th>P</th><th>R</th><th>F1</th><th>macro F1</th><th>tp</th><th>fp</th><th>fn</th></tr>
{% for name, f in run.fields.items() %}<tr><td>{{ name }}</td><td>{{ fmt(f.micro.precision) }}</td>
<td>{{ fmt(f.micro.recall) }}</td><td>{{ fmt(f.micro.f1) }}</td>
<td>{{ fmt(f.macro.f1) if f.macro else "—" }}</td><td>{{ f.counts.tp }}</td><td>{{ f.counts.fp }}</td>
<td>{{ f.counts.fn }}</td></tr>{% endfor %}</table>
<p>Speaker accuracy {{ fmt(run.speaker_accuracy) }} · fabricated-quote rate {{ fmt(run.fabricated_rate) }} ·
errors: {{ health.errors }}{% for key in ("incomplete", "dropped") if health[key] %} · {{ key }}:
{% for f, n in health[key].items() %}{{ f }} {{ n }}{{ ", " if not loop.last }}{% endfor %}{% endfor %}.
Highlights: <mark class="quote">quote</mark> <mark class="missed">missed gold quote</mark>
<mark class="party">party</mark> <mark class="location">location</mark>.</p>
<h2>Articles</h2>
<table id="index"><tr><th>article</th>{% for f in fields %}<th>{{ f }}</th>{% endfor %}<th>speakers</th>
<th>fabricated</th><th>problems</th></tr>
{% for a in run.articles %}<tr><td><a href="#{{ a.article }}">{{ a.article }}</a></td>
{% for f in fields %}<td>{{ f1(a, f) }}</td>{% endfor %}<td>{{ a.speaker.hits }}/{{ a.speaker.total }}</td>
<td>{{ a.fabricated.hits }}</td><td class="err">{{ "error" if a.error }}{{ " incomplete" if a.incomplete }}</td></tr>
{% endfor %}</table>
{% for a in run.articles %}{% set s = summaries[a.article] %}<section class="case" id="{{ a.article }}">
<div><h2>{{ a.article }}</h2>
{% if a.error or errors.get(a.article) %}<p class="err">error: {{ a.error or errors[a.article] }}</p>{% endif %}
{% if a.incomplete %}<p class="err">incomplete: {% for g in a.incomplete %}{{ g.field }}{% if g.reason %}
({{ g.reason }}){% endif %}{{ ", " if not loop.last }}{% endfor %}</p>{% endif %}
{% if a.dropped or a.coerced %}<p class="flag">{% if a.dropped %}dropped: {% for f, n in a.dropped.items() %}{{ f }}
{{ n }}{{ ", " if not loop.last }}{% endfor %}{% endif %}{% if a.coerced %} · coerced: {% for f, n in a.coerced.items()
%}{{ f }} {{ n }}{{ ", " if not loop.last }}{% endfor %}{% endif %}</p>{% endif %}
<div class="gist"><div><h3>predicted</h3><p><b class="headline">{{ s.headline or "(no headline)" }}</b></p>
<p class="summary">{{ s.summary or "(no summary)" }}</p></div><div><h3>gold</h3>
{% if gold[a.article].summary %}<p class="gold-summary">{{ gold[a.article].summary }}</p>{% elif
gold[a.article].outcomes %}<ul class="gold-summary">{% for o in gold[a.article].outcomes %}<li>{{ o.description }}</li>
{% endfor %}</ul>{% else %}<p class="gold-summary">(no gold summary)</p>{% endif %}</div></div>
<div class="text">{{ texts[a.article] }}</div></div>
<div>{% for name in fields %}{% set r = a.fields.get(name) %}<h3>{{ name }} <small>F1 {{ f1(a, name) }}
{% if r %}(tp {{ r.counts.tp }}, fp {{ r.counts.fp }}, fn {{ r.counts.fn }}){% endif %}</small></h3>
{% if r %}<ul class="{{ name }}">
{% for m in r.misses %}<li class="miss">missed: {{ m }}</li>{% endfor %}
{% for p in r.false_positives %}<li class="fp">false positive: {{ p }}</li>{% endfor %}
{% if name == "quotes" %}{% for q in a.speakers %}<li class="{{ 'said' if q.right else 'said wrong' }}">✓ {{ q.text }}
<br><small>speaker: {{ q.predicted or "unknown" }}{% if not q.right %} ✗ (gold: {{ q.gold }}){% endif %}
{% if q.optional %} · optional{% endif %}</small></li>{% endfor %}
{% else %}{% for p, g in r.matches %}<li>✓ {{ p }}{% if p != g %} ≈ {{ g }}{% endif %}</li>{% endfor %}{% endif %}
</ul>{% endif %}{% endfor %}
<p>Speakers right {{ a.speaker.hits }}/{{ a.speaker.total }} ·
fabricated quotes {{ a.fabricated.hits }}/{{ a.fabricated.total }}</p>
</div></section>{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=True)


def html(run: RunScores, cases: Sequence[GoldCase], summaries: Mapping[str, Summary]) -> str:
    by_slug = {case.slug: case for case in cases}
    missed = {a.article: a.fields["quotes"].misses if "quotes" in a.fields else [] for a in run.articles}
    marked = {
        a.article: highlighted(by_slug[a.article].text, summaries[a.article], missed[a.article]) for a in run.articles
    }
    return _ENV.from_string(_PAGE).render(
        run=run, meta=run.meta, errors=run.meta.get("errors") or {}, texts=marked, fmt=_f, f1=f1_cell,
        fields=FIELDS, summaries=summaries, gold={slug: case.gold for slug, case in by_slug.items()},
        health=health(run),
    )  # fmt: skip
