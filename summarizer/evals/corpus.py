"""Gold files from an annotated corpus: PolNeAR quotes, FNC-1 disputed claims, CNN/DailyMail highlights.

The dev corpus (`../shared/corpus-dev`, see its README) is for local measurement only: its texts must
never enter the repository. So this writes a folder shaped like `evals/` *outside* it
(`OUT/articles/<slug>.txt`, byte-for-byte copies, and `OUT/gold/<slug>.yaml`), and every `eval`
command works on it as on the committed gold (`eval run --gold OUT/gold`).

- `<slug>.quotes.json` (PolNeAR) becomes a gold file with `fields: [quotes]`: every direct quote with
  its resolved speaker. Fragments (three words or fewer) and quotes whose speaker nobody named are
  optional: a prediction of one is neither rewarded nor punished.
- `<slug>.claims.json` (FNC-1) becomes a gold file with `fields: [contested_claims]`: the disputed
  claim, its disagree headline as an alias, the claimant (null when the body names none: any claimant
  is then accepted), who disputes it and the disputing sentence. Automatic FNC-1 gold (not read by
  hand) adds its other disagree headlines (`claim_aliases`); its claimant is unknown, so any is accepted.
- `<slug>.outcomes.json` (CNN/DailyMail) becomes a gold file with `fields: [outcomes]`: the publisher's
  highlight bullets, with no status (the bullets do not say one; status accuracy skips them).
- Every gold file carries its article's `split` (`tune` or `check`, from the item or the corpus's
  `manifest.json`), so `eval run --split check` reports only what no rule was tuned on.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.table import Table

from summarizer.evals.gold import SPLITS, GoldClaim, GoldError, GoldFile, GoldOutcome, GoldQuote

_SLUG = re.compile(r"[^a-z0-9-]+")
UNKNOWN_SPEAKER = "(unnamed)"


@dataclass
class ImportReport:
    """What was converted, for the command's table and JSON line."""

    quote_articles: int = 0
    quotes: int = 0
    optional_quotes: int = 0
    unresolved_speakers: int = 0
    claim_articles: int = 0
    claims: int = 0
    claims_without_claimant: int = 0
    outcome_articles: int = 0
    outcomes: int = 0
    tune: int = 0
    check: int = 0
    skipped: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}

    def table(self) -> Table:
        grid = Table(title="imported gold")
        grid.add_column("what")
        grid.add_column("count", justify="right")
        for key, value in self.counts().items():
            grid.add_row(key.replace("_", " "), str(len(value) if isinstance(value, list) else value))
        return grid


def _slug(stem: str) -> str:
    return _SLUG.sub("-", stem.lower()).strip("-")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: unreadable JSON: {exc}") from exc


def _quotes(items: Any, path: Path, report: ImportReport) -> list[GoldQuote]:
    if not isinstance(items, list):
        raise GoldError(f"{path}: expected a list of quotes")
    quotes = []
    for index, item in enumerate(items):
        try:
            text, speaker = str(item["text"]).strip(), item.get("speaker")
        except (KeyError, TypeError) as exc:
            raise GoldError(f"{path}: quote [{index}] has no text") from exc
        if not text:
            continue
        first = next((c for c in text if c.isalpha()), "")
        optional = bool(item.get("fragment")) or not speaker
        quotes.append(
            GoldQuote(text=text, speaker=speaker or UNKNOWN_SPEAKER, partial=first.islower(), optional=optional)
        )
        report.optional_quotes += optional
        report.unresolved_speakers += not speaker
    return quotes


def _claim(data: Any, path: Path) -> GoldClaim:
    if not isinstance(data, dict) or not data.get("claim"):
        raise GoldError(f"{path}: expected an object with a claim")
    headline = data.get("claim_headline")
    disputed = [data.get("disputed_by"), *(data.get("also_disputed_by") or [])]
    evidence = data.get("evidence_sentence")
    aliases = (
        [headline, *(data.get("claim_aliases") or [])] if isinstance(data.get("claim_aliases"), list | None) else []
    )
    return GoldClaim(
        claim=str(data["claim"]),
        claim_aliases=[str(a) for a in dict.fromkeys(aliases) if a and a != data["claim"]],
        claimant=data.get("claimant") or None,
        disputed_by=[str(d) for d in disputed if d],
        evidence=str(evidence.get("text", "")) if isinstance(evidence, dict) else "",
    )


def _outcomes(data: Any, path: Path) -> list[GoldOutcome]:
    bullets = data.get("highlights") if isinstance(data, dict) else None
    if not isinstance(bullets, list) or not bullets:
        raise GoldError(f"{path}: expected an object with a list of highlights")
    return [GoldOutcome(description=str(b).strip()) for b in bullets if str(b).strip()]


def _splits(source: Path) -> dict[str, str]:
    """Article stem -> split, from the corpus's manifest (PolNeAR quote files carry none of their own)."""
    manifest = source / "manifest.json"
    if not manifest.is_file():
        return {}
    data = _read_json(manifest)
    items = data.get("articles") if isinstance(data, dict) else None
    return {
        str(item["id"]): str(item["split"])
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get("id") and item.get("split") in SPLITS
    }


def _split(data: Any, stem: str, splits: dict[str, str]) -> str | None:
    own = data.get("split") if isinstance(data, dict) else None
    return own if own in SPLITS else splits.get(stem)


def _dump(gold: GoldFile) -> str:
    data = gold.model_dump(mode="json", exclude_defaults=False)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def import_corpus(source: Path, out: Path) -> ImportReport:
    """Convert every `<stem>.txt` with a `.quotes.json` or `.claims.json` beside it; see the module docstring."""
    if not source.is_dir():
        raise GoldError(f"no such corpus folder: {source}")
    report = ImportReport()
    splits = _splits(source)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    for text_path in sorted(source.glob("*.txt")):
        stem = text_path.name.removesuffix(".txt")
        quotes_path, claims_path = source / f"{stem}.quotes.json", source / f"{stem}.claims.json"
        outcomes_path = source / f"{stem}.outcomes.json"
        data = text_path.read_bytes()
        base: dict[str, Any] = {"article": _slug(stem), "article_sha256": hashlib.sha256(data).hexdigest()}
        if quotes_path.is_file():
            raw = _read_json(quotes_path)
            quotes = _quotes(raw, quotes_path, report)
            base["split"] = _split(raw, stem, splits)
            gold = GoldFile.model_validate({**base, "fields": ["quotes"], "quotes": quotes})
            report.quote_articles += 1
            report.quotes += len(quotes)
        elif claims_path.is_file():
            raw = _read_json(claims_path)
            claim = _claim(raw, claims_path)
            base["split"] = _split(raw, stem, splits)
            gold = GoldFile.model_validate({**base, "fields": ["contested_claims"], "contested_claims": [claim]})
            report.claim_articles += 1
            report.claims += 1
            report.claims_without_claimant += claim.claimant is None
        elif outcomes_path.is_file():
            raw = _read_json(outcomes_path)
            outcomes = _outcomes(raw, outcomes_path)
            base["split"] = _split(raw, stem, splits)
            gold = GoldFile.model_validate({**base, "fields": ["outcomes"], "outcomes": outcomes})
            report.outcome_articles += 1
            report.outcomes += len(outcomes)
        else:
            report.skipped.append(text_path.name)
            continue
        report.tune += gold.split == "tune"
        report.check += gold.split == "check"
        (out / "articles" / f"{gold.article}.txt").write_bytes(data)
        (out / "gold" / f"{gold.article}.yaml").write_text(_dump(gold), encoding="utf-8")
    if not report.quote_articles and not report.claim_articles and not report.outcome_articles:
        raise GoldError(f"{source}: no <name>.txt with a .quotes.json, .claims.json or .outcomes.json beside it")
    return report
