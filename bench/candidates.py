"""`python -m bench.candidates`: what the deterministic pass finds, and what the rules alone get right.

Recall of the candidates against the project's gold (evals/gold, matched with the evals' own name
and quote similarities), rules-only speaker accuracy there and on the corpus-dev PolNeAR quotes,
claim/denial pair recall on the corpus-dev FNC-1 claims, and parse time against article length.

corpus-dev is licensed for local measurement only: this script reads it where it lies
(`--corpus-dev`, default ../shared/corpus-dev) and prints aggregate numbers, never its text.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.evals.gold import GoldParty, load_gold
from summarizer.evals.matching import pair
from summarizer.evals.scoring import ScoringConfig, name_similarity, quote_similarity, text_similarity
from summarizer.text.article import Article
from summarizer.text.candidates import Candidates, find_candidates
from summarizer.text.nlp import load_pipeline, parse
from summarizer.text.speakers import QuoteAttribution

ROOT = Path(__file__).resolve().parent.parent
CFG = ScoringConfig()


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    def __str__(self) -> str:
        return f"{self.hits / self.total:.3f} ({self.hits}/{self.total})" if self.total else "n/a"


@dataclass
class SpeakerTally:
    overall: Tally = field(default_factory=Tally)
    sure: Tally = field(default_factory=Tally)
    unsure: Tally = field(default_factory=Tally)
    by_rule: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    in_options: Tally = field(default_factory=Tally)

    def add(self, attribution: QuoteAttribution | None, right: bool, option_right: bool) -> None:
        self.overall.add(right)
        if attribution is None:
            self.by_rule["(quote not found)"].add(False)
            return
        (self.unsure if attribution.unsure else self.sure).add(right)
        self.by_rule[attribution.rule].add(right)
        if attribution.unsure:
            self.in_options.add(option_right)


def _names(candidates: Candidates, speaker: str | None) -> list[str]:
    if speaker is None:
        return []
    for party in candidates.parties:
        if party.name == speaker:
            return [party.name, *party.aliases]
    return [speaker]


def _right(candidates: Candidates, speaker: str | None, gold: Sequence[str]) -> bool:
    names = _names(candidates, speaker)
    return bool(names) and name_similarity(names, gold) >= CFG.name_threshold


def _gold_names(name: str, parties: Sequence[GoldParty]) -> list[str]:
    for party in parties:
        if name in (party.name, *party.aliases):
            return [party.name, *party.aliases]
    return [name]


def gold_suite(timings: list[tuple[int, float, float]]) -> dict[str, str]:
    parties, places, quotes, claims = Tally(), Tally(), Tally(), Tally()
    speakers = SpeakerTally()
    counts = Counter[str]()
    for case in load_gold(ROOT / "evals" / "gold"):
        candidates = _run(case.text, timings)
        gold = case.gold
        counts["parties"] += len(candidates.parties)
        counts["places"] += len(candidates.places)
        counts["outcomes"] += len(candidates.outcomes)
        counts["claims"] += len(candidates.claims)
        matched_parties = pair(
            list(candidates.parties), gold.parties,
            lambda p, g: name_similarity([p.name, *p.aliases], [g.name, *g.aliases]), CFG.name_threshold,
        ).pairs  # fmt: skip
        hit_parties = {id(g) for _, g, _ in matched_parties}
        for party in gold.parties:
            if not party.optional:
                parties.add(id(party) in hit_parties)
        matched_places = pair(
            list(candidates.places), gold.locations,
            lambda p, g: name_similarity([p.name], [g.name, *g.aliases]), CFG.name_threshold,
        ).pairs  # fmt: skip
        hit_places = {id(g) for _, g, _ in matched_places}
        for place in gold.locations:
            if not place.optional:
                places.add(id(place) in hit_places)
        by_quote = {a.quote: a for a in candidates.attributions}
        quote_pairs = pair(
            list(candidates.quotes), gold.quotes, lambda p, g: quote_similarity(p.text, g.text), CFG.quote_threshold
        )
        found = {id(g): p for p, g, _ in quote_pairs.pairs}
        for g in gold.quotes:
            if g.optional:
                continue
            quotes.add(id(g) in found)
            attribution = by_quote.get(found[id(g)]) if id(g) in found else None
            gold_speaker = _gold_names(g.speaker, gold.parties)
            right = attribution is not None and _right(candidates, attribution.speaker, gold_speaker)
            options = attribution.options if attribution else ()
            speakers.add(attribution, right, any(_right(candidates, o, gold_speaker) for o in options))
        for claim in gold.contested_claims:
            if claim.optional:
                continue
            claims.add(
                any(
                    text_similarity(p.claim.text, claim.claim) >= CFG.text_threshold
                    or text_similarity(p.evidence.text, claim.evidence) >= CFG.text_threshold
                    for p in candidates.claims
                )
            )
    return {
        "gold parties recall": str(parties),
        "gold places recall": str(places),
        "gold quotation recall": str(quotes),
        "gold speaker accuracy (rules only, all gold quotes)": str(speakers.overall),
        "gold speaker accuracy, sure / unsure": f"{speakers.sure} / {speakers.unsure}",
        "gold speaker in options when unsure": str(speakers.in_options),
        "gold contested claims with a pair (claim or evidence)": str(claims),
        "gold candidates per article (parties/places/outcomes/pairs)": "/".join(
            f"{counts[k] / 13:.1f}" for k in ("parties", "places", "outcomes", "claims")
        ),
        **{f"gold speaker by rule: {rule}": str(t) for rule, t in sorted(speakers.by_rule.items())},
    }


def _run(text: str, timings: list[tuple[int, float, float]]) -> Candidates:
    started = time.perf_counter()
    doc = parse(text)
    parsed = time.perf_counter()
    candidates = find_candidates(Article(text), doc)
    timings.append((len(text), parsed - started, time.perf_counter() - parsed))
    return candidates


def _overlaps(a: tuple[int, int], b: tuple[int, int], share: float = 0.5) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and inter >= share * min(a[1] - a[0], b[1] - b[0])


def polnear_suite(corpus: Path, timings: list[tuple[int, float, float]]) -> dict[str, str]:
    quotes = Tally()
    speakers = SpeakerTally()
    named = SpeakerTally()
    unsure = 0
    total_attributions = 0
    for path in sorted(corpus.glob("polnear-*.quotes.json")):
        text = path.with_name(path.name.replace(".quotes.json", ".txt")).read_text(encoding="utf-8")
        with open(path.with_name(path.name.replace(".quotes.json", ".txt")), encoding="utf8", newline="") as handle:
            text = handle.read()
        candidates = _run(text, timings)
        total_attributions += len(candidates.attributions)
        unsure += sum(a.unsure for a in candidates.attributions)
        for item in json.loads(path.read_text(encoding="utf-8")):
            span = (item["start"], item["end"])
            match = next((a for a in candidates.attributions if _overlaps((a.quote.start, a.quote.end), span)), None)
            quotes.add(match is not None)
            if item["speaker"] is None:
                continue
            right = match is not None and _right(candidates, match.speaker, [item["speaker"]])
            options = match.options if match else ()
            option_right = any(_right(candidates, o, [item["speaker"]]) for o in options)
            speakers.add(match, right, option_right)
            if item["speaker_resolution"] == "named":
                named.add(match, right, option_right)
    return {
        "polnear quotation recall (all 339)": str(quotes),
        "polnear speaker accuracy (rules only, quotes with a speaker)": str(speakers.overall),
        "polnear speaker accuracy, named / inferred": f"{named.overall} / "
        + str(Tally(speakers.overall.hits - named.overall.hits, speakers.overall.total - named.overall.total)),
        "polnear speaker accuracy, sure / unsure": f"{speakers.sure} / {speakers.unsure}",
        "polnear unsure attributions (confidence < threshold)": f"{unsure} of {total_attributions}",
        "polnear speaker in options when unsure": str(speakers.in_options),
        **{f"polnear speaker by rule: {rule}": str(t) for rule, t in sorted(speakers.by_rule.items())},
    }


def fnc_suite(corpus: Path, timings: list[tuple[int, float, float]]) -> dict[str, str]:
    evidence, disputer, claimant, claim_text, pairs = Tally(), Tally(), Tally(), Tally(), Tally()
    disputer_options, claimant_options = Tally(), Tally()
    for path in sorted(corpus.glob("fnc1-*.claims.json")):
        with open(path.with_name(path.name.replace(".claims.json", ".txt")), encoding="utf8", newline="") as handle:
            text = handle.read()
        gold = json.loads(path.read_text(encoding="utf-8"))
        candidates = _run(text, timings)
        span = (gold["evidence_sentence"]["start"], gold["evidence_sentence"]["end"])
        hits = [p for p in candidates.claims if _overlaps((p.evidence.start, p.evidence.end), span)]
        evidence.add(bool(hits))
        pairs.add(bool(candidates.claims))
        if gold["disputed_by"]:
            names = [gold["disputed_by"], *gold["also_disputed_by"]]
            disputer.add(any(_right(candidates, p.disputer, names) for p in hits))
            disputer_options.add(any(_right(candidates, o, names) for p in hits for o in p.options))
        if gold["claimant"]:
            claimant.add(any(_right(candidates, p.claimant, [gold["claimant"]]) for p in hits))
            claimant_options.add(any(_right(candidates, o, [gold["claimant"]]) for p in hits for o in p.options))
        claim_text.add(
            any(
                text_similarity(p.claim.text, gold["claim"]) >= CFG.text_threshold
                or text_similarity(p.claim.text, gold["claim_headline"]) >= CFG.text_threshold
                for p in hits
            )
        )
    return {
        "fnc articles with any pair": str(pairs),
        "fnc evidence (denial) sentence among pairs": str(evidence),
        "fnc  ... and claim sentence matches the claim": str(claim_text),
        "fnc  ... and disputer right (rules)": str(disputer),
        "fnc  ... and claimant right (rules)": str(claimant),
        "fnc  ... disputer among the pair's numbered options": str(disputer_options),
        "fnc  ... claimant among the pair's numbered options": str(claimant_options),
    }


def timing_rows(timings: list[tuple[int, float, float]]) -> dict[str, str]:
    buckets: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for chars, parse_s, find_s in timings:
        bucket = "< 3k chars" if chars < 3000 else "3k-6k chars" if chars < 6000 else ">= 6k chars"
        buckets[bucket].append((chars, parse_s, find_s))
    rows = {}
    for name in ("< 3k chars", "3k-6k chars", ">= 6k chars"):
        items = buckets.get(name, [])
        if items:
            rows[f"time per article, {name} (n={len(items)})"] = (
                f"parse {statistics.median(i[1] for i in items) * 1000:.0f} ms, "
                f"find {statistics.median(i[2] for i in items) * 1000:.0f} ms (median)"
            )
    per_k = [(p + f) / (c / 1000) for c, p, f in timings if c]
    rows["time per 1,000 characters (median)"] = f"{statistics.median(per_k) * 1000:.1f} ms"
    return rows


def long_text_row() -> dict[str, str]:
    base = (ROOT / "evals" / "articles" / "wikinews-defector.txt").read_text(encoding="utf-8")
    text = ((base + "\n\n") * (500_000 // len(base) + 1))[:500_000]
    started = time.perf_counter()
    candidates = find_candidates(Article(text), parse(text))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "500,000-character text: time, peak RSS": f"{elapsed:.1f} s, {peak:.0f} MB "
        f"({len(candidates.quotes)} quotations, {len(candidates.parties)} parties)"
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.candidates", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dev", type=Path, default=ROOT.parent / "shared" / "corpus-dev")
    parser.add_argument("--long", action="store_true", help="also parse a 500,000-character text (about 30 s)")
    args = parser.parse_args(argv)
    load_pipeline()
    timings: list[tuple[int, float, float]] = []
    rows = gold_suite(timings)
    if args.corpus_dev.is_dir():
        rows |= polnear_suite(args.corpus_dev, timings)
        rows |= fnc_suite(args.corpus_dev, timings)
    else:
        print(f"(no corpus-dev at {args.corpus_dev}: gold only)", file=sys.stderr)
    rows |= timing_rows(timings)
    if args.long:
        rows |= long_text_row()
    width = max(len(k) for k in rows)
    print(f"| {'measure'.ljust(width)} | value |\n|{'-' * (width + 2)}|---|")
    for key, value in rows.items():
        print(f"| {key.ljust(width)} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
