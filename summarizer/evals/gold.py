"""Hand-labelled gold files: their schema, and a loader that refuses stale or unverifiable labels.

A gold file is only useful while it describes the exact bytes it was labelled on, so the loader checks
the article's sha256, and holds gold quotes to the same verbatim rule as model output: a gold quote the
pipeline could never produce would make every prompt look worse than it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summarizer.errors import ConfigurationError
from summarizer.schemas import OutcomeStatus, PartyKind
from summarizer.text.article import Article

SCHEMA_LINE = "# yaml-language-server: $schema=../gold.schema.json"
FieldName = Literal["parties", "locations", "outcomes", "quotes", "contested_claims"]
FIELDS: tuple[FieldName, ...] = ("parties", "locations", "outcomes", "quotes", "contested_claims")
Split = Literal["tune", "check"]
SPLITS: tuple[Split, ...] = ("tune", "check")


class GoldError(ConfigurationError):
    """A gold file is malformed, stale or names a quote the article does not contain."""


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    optional: bool = Field(
        default=False,
        description="A defensible but not required item: never a miss, and never a false positive if predicted.",
    )


class GoldParty(_Gold):
    name: str = Field(min_length=1, description="The name as the article writes it.")
    kind: PartyKind
    aliases: list[str] = Field(default_factory=list, description="Other names a prediction may use.")


class GoldLocation(_Gold):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class GoldOutcome(_Gold):
    description: str = Field(min_length=1)
    status: OutcomeStatus | None = Field(
        default=None,
        description="null when the source does not say (imported highlight bullets): status accuracy skips it.",
    )


class GoldQuote(_Gold):
    text: str = Field(min_length=1, description="Verbatim text of the quotation, without its quote marks.")
    speaker: str = Field(min_length=1, description="Name (or alias) of the party that said it.")
    partial: bool


class GoldClaim(_Gold):
    claim: str = Field(min_length=1, description="The claim, in one plain sentence.")
    claim_aliases: list[str] = Field(
        default_factory=list, description="Other faithful wordings of the same claim a prediction may use."
    )
    claimant: str | None = Field(
        min_length=1,
        description="Who makes the claim; a predicted claim matches only with this claimant. "
        "null: the article names no source, any claimant is accepted.",
    )
    disputed_by: list[str] = Field(default_factory=list)
    evidence: str = ""


class GoldFile(BaseModel):
    """What a careful reader expects a summary of one article to contain."""

    model_config = ConfigDict(extra="forbid", title="Summarizer gold file")

    article: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Slug of evals/articles/<slug>.txt.")
    article_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the article file's bytes.")
    fields: list[FieldName] = Field(
        default_factory=lambda: list(FIELDS),
        min_length=1,
        description="The fields this gold file labels (default: all). Only these are scored; e.g. a quotes-only "
        "file says nothing about parties, so a predicted party is neither right nor wrong there.",
    )
    split: Split | None = Field(
        default=None,
        description="For imported development corpora: `tune` (adjust rules on it) or `check` (report it, never "
        "read it for ideas). `eval run --split` picks one side; the committed gold files have none.",
    )
    summary: str | None = Field(
        default=None,
        description="A reference summary a careful reader would write: shown beside the prediction's headline and "
        "summary in the HTML report, never scored.",
    )
    parties: list[GoldParty] = Field(default_factory=list)
    locations: list[GoldLocation] = Field(default_factory=list)
    outcomes: list[GoldOutcome] = Field(default_factory=list)
    quotes: list[GoldQuote] = Field(default_factory=list)
    contested_claims: list[GoldClaim] = Field(default_factory=list)


class GoldCase(BaseModel):
    """A validated gold file together with the article text it was checked against."""

    model_config = ConfigDict(frozen=True)

    gold: GoldFile
    text: str

    @property
    def slug(self) -> str:
        return self.gold.article


def json_schema() -> str:
    """The published schema, exactly as committed at evals/gold.schema.json."""
    schema: dict[str, Any] = GoldFile.model_json_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _field(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _scalars(node: yaml.Node, where: tuple[int | str, ...] = ()) -> Iterator[tuple[tuple[int | str, ...], yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, (*where, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, (*where, index))
    elif isinstance(node, yaml.ScalarNode):
        yield where, node


def _written(source: str, node: yaml.Node) -> str | None:
    """The scalar as written in the file, quotes undone where that is exact; None for double-quoted escapes."""
    written = source[node.start_mark.index : node.end_mark.index]
    style = getattr(node, "style", None)
    if style == "'":
        return written[1:-1].replace("''", "'")
    if style == '"':
        return None if "\\" in written else written[1:-1]
    return written if style is None else None


def check_round_trip(source: str, path: Path) -> None:
    """Every plain value must be the whole of what the file says there.

    YAML silently ends an unquoted value at ` #` (the rest becomes a comment) and fails or splits it at
    `: `; `description: The #IStandWithAhmed hashtag` loads as "The". So each parsed string must
    appear verbatim where it was written, and nothing but a comment-free line end may follow it.
    """
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise GoldError(f"{path}: unreadable YAML: {exc}") from exc
    if root is None:
        return
    lines = source.splitlines()
    for where, node in _scalars(root):
        rest = lines[node.end_mark.line][node.end_mark.column :] if node.end_mark.line < len(lines) else ""
        written = _written(source, node)
        folded = " ".join(str(node.value).split())
        plain_string = getattr(node, "style", None) is None and node.tag == "tag:yaml.org,2002:str"
        cut = plain_string and rest[:1].isspace() and rest.lstrip().startswith("#")
        if cut or (written is not None and " ".join(written.split()) != folded):
            raise GoldError(
                f"{path}: field {_field(where)} (line {node.start_mark.line + 1}): YAML reads only {node.value!r}; "
                "quote the value (a ' #' starts a comment, ': ' a mapping)"
            )


def load_case(path: Path, articles_dir: Path) -> GoldCase:
    try:
        source = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(source)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GoldError(f"{path}: unreadable YAML: {exc}") from exc
    check_round_trip(source, path)
    try:
        gold = GoldFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise GoldError(f"{path}: field {_field(first['loc']) or '(root)'}: {first['msg']}") from exc
    if gold.article != path.stem:
        raise GoldError(f"{path}: field article: {gold.article!r} does not match the file name {path.stem!r}")
    article_path = articles_dir / f"{gold.article}.txt"
    if not article_path.is_file():
        raise GoldError(f"{path}: field article: no article file {article_path}")
    data = article_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != gold.article_sha256:
        raise GoldError(f"{path}: field article_sha256: stale, {article_path.name} has changed since it was labelled")
    text = data.decode("utf-8")
    article = Article(text)
    for index, quote in enumerate(gold.quotes):
        if not article.contains(quote.text):
            raise GoldError(f"{path}: field quotes[{index}].text: not found verbatim in {article_path.name}")
    return GoldCase(gold=gold, text=text)


def load_gold(
    gold_dir: Path, articles_dir: Path | None = None, pattern: str = "*", split: Split | None = None
) -> list[GoldCase]:
    """Every gold file in `gold_dir` whose slug matches `pattern` (globs, comma-separated), validated.

    `split`: only the files of that side of a development corpus (files without a split never match),
    so a measurement on `check` cannot quietly include the articles rules were tuned on.
    """
    articles = articles_dir or gold_dir.parent / "articles"
    globs = [g.strip() for g in pattern.split(",") if g.strip()]
    paths = sorted({path for glob in globs for path in gold_dir.glob(f"{glob}.yaml")})
    if not paths:
        raise GoldError(f"no gold files matching {pattern!r} in {gold_dir}")
    cases = [load_case(path, articles) for path in paths]
    if split is not None:
        cases = [case for case in cases if case.gold.split == split]
        if not cases:
            raise GoldError(f"no gold files matching {pattern!r} with split {split!r} in {gold_dir}")
    return cases


def join_cases(cases: list[GoldCase], slug: str = "joined", separator: str = "\n\n") -> GoldCase:
    """Several gold articles as one long article: texts joined, labels pooled.

    What a long article is measured with: the joined text must score like its parts summarized one
    by one. A party or place labelled in two of the parts ("United States") is one thing in the
    joined article, so labels with the same name key are merged (aliases pooled, required if any
    part requires it); quotes, outcomes and claims are kept as they are (they carry no offsets).
    """
    from summarizer.text.names import name_key  # the one name identity the pipeline merges by

    def merged(items: list[Any]) -> list[Any]:
        by_key: dict[str, Any] = {}
        for item in items:
            key = name_key(item.name)
            if key not in by_key:
                by_key[key] = item
                continue
            first = by_key[key]
            aliases = [a for a in dict.fromkeys([*first.aliases, *item.aliases, item.name]) if a != first.name]
            by_key[key] = first.model_copy(update={"aliases": aliases, "optional": first.optional and item.optional})
        return list(by_key.values())

    text = separator.join(case.text for case in cases)
    fields = [f for f in FIELDS if all(f in case.gold.fields for case in cases)]
    gold = GoldFile(
        article=slug,
        article_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        fields=fields,
        summary=" ".join(case.gold.summary or "" for case in cases).strip() or None,
        parties=merged([p for case in cases for p in case.gold.parties]),
        locations=merged([p for case in cases for p in case.gold.locations]),
        outcomes=[o for case in cases for o in case.gold.outcomes],
        quotes=[q for case in cases for q in case.gold.quotes],
        contested_claims=[c for case in cases for c in case.gold.contested_claims],
    )
    return GoldCase(gold=gold, text=text)
