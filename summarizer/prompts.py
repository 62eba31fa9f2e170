"""Prompt templates as files: front-matter (id, version, description, tasks) plus a Jinja body.

The body renders the *shared prefix* of every call (instructions and the delimited article), so a
server with prompt caching evaluates the article once per summary; each task adds one short user
message. Rendering uses `StrictUndefined`: a missing variable fails before any model call.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from summarizer.errors import ConfigurationError, PromptNotFound, PromptRenderError
from summarizer.pipeline.strategies import STRATEGIES

# The lists a strategy passes to its tasks, empty: what a template is checked (and its instructions
# rendered) with before any article is seen.
TASK_VARIABLES: dict[str, list[Any]] = {"quotes": [], "parties": [], "places": [], "outcomes": [], "claims": []}
EMPTY_ARTICLE: dict[str, Any] = {"text": "", "title": None, "url": None, "published_at": None}
# The tags our templates use to fence off article text. In article text, anything that starts like
# one (closing `>` or not) is defused. The attribute part is bounded so a stray `<passage of time`
# cannot reach across the text.
_DELIMITER = re.compile(r"<\s*/?\s*(?:article|quotations|passage|candidates)\b[^<>\n]{0,200}(>?)", re.IGNORECASE)
# Look-alikes a reader takes for `<`, `>` and `/` that NFKC leaves alone.
_CONFUSABLES = str.maketrans(
    {"‹": "<", "›": ">", "〈": "<", "〉": ">", "⟨": "<", "⟩": ">", "❮": "<", "❯": ">", "˂": "<", "˃": ">"}
    | {"∕": "/", "⁄": "/", "⧸": "/", "╱": "/"}
)
# Characters that render as nothing: format (Cf) and combining (Mn, Me) marks, and the Hangul fillers.
_INVISIBLE_CATEGORIES = {"Cf", "Mn", "Me"}
_INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0"}


class PromptFrontMatter(BaseModel):
    """The header of a prompt file; unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    description: str
    strategy: str
    tasks: dict[str, str]

    @model_validator(mode="after")
    def tasks_fit_strategy(self) -> PromptFrontMatter:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; known: {', '.join(STRATEGIES)}")
        missing = STRATEGIES[self.strategy].tasks - self.tasks.keys()
        if missing:
            raise ValueError(f"strategy {self.strategy!r} needs tasks {sorted(missing)}")
        return self


@dataclass(frozen=True)
class RenderedPrompt:
    """The messages of one call: the shared system prefix and one task instruction."""

    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` as a reader sees it, with the index in `text` each character came from.

    NFKC (fullwidth `＜` is `<`), look-alike brackets and slashes mapped, invisible characters
    dropped: `＜/ar\u00adticle＞` and `‹∕arti\u034fcle>` both read as `</article>` to a model.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _INVISIBLE or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            continue
        for part in unicodedata.normalize("NFKC", char).translate(_CONFUSABLES):
            folded.append(part)
            origin.append(index)
    return "".join(folded), origin


@functools.lru_cache(maxsize=32)
def _untrusted(text: str) -> str:
    """Defuse anything in article text that a reader could take for one of our fences.

    Only the brackets change: `</article>` becomes `[/article]`, `<passage of time` becomes
    `[passage of time`. Every other character of the article stays as it was. A `<` or `>` in the
    folded view always comes from exactly one character of `text`, so the swap is exact.

    Kept for recent texts: every task of a summary renders the same article, and folding it looks
    at each character's Unicode data.
    """
    view, origin = _folded(text)
    swaps: dict[int, str] = {}
    for match in _DELIMITER.finditer(view):
        swaps[origin[match.start()]] = "["
        if match.group(1):
            swaps[origin[match.end() - 1]] = "]"
    if not swaps:
        return text
    return "".join(swaps.get(index, char) for index, char in enumerate(text))


# Prompts are plain text for a model, not HTML: escaping would corrupt the article.
_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)  # noqa: S701
_ENV.filters["untrusted"] = _untrusted


@functools.lru_cache(maxsize=256)
def _template(source: str) -> Template:
    """`source` compiled once: compiling costs far more than rendering, and every call renders."""
    return _ENV.from_string(source)


@dataclass(frozen=True)
class Prompt:
    """One versioned prompt template, loaded from `prompts/<id>/v<version>.md`."""

    meta: PromptFrontMatter
    body: str
    sha256: str
    path: Path

    @property
    def ref(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"

    @property
    def hash(self) -> str:
        return self.sha256[:16]

    @property
    def calls_model(self) -> bool:
        """False for a prompt whose strategy answers from code alone (`rules`)."""
        return STRATEGIES[self.meta.strategy].calls_model

    def render(self, task: str, **variables: Any) -> RenderedPrompt:
        if task not in self.meta.tasks:
            raise PromptRenderError(f"prompt {self.ref} has no task {task!r}")
        try:
            system = _template(self.body).render(**variables).strip()
            user = _template(self.meta.tasks[task]).render(**variables).strip()
        except TemplateError as exc:
            raise PromptRenderError(f"prompt {self.ref}, task {task}: {exc}") from exc
        return RenderedPrompt(system=system, user=user)


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...], first: int) -> int:
    """The file line (1-based) of the front-matter key a validation error points at; `first` if none."""
    node = root
    line = first
    for part in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if k.value == part), None)
        if found is None:
            break
        line = first + found[0].start_mark.line
        node = found[1]
    return line


def _task_line(root: yaml.Node | None, task: str, template_line: int | None, first: int) -> int:
    """Where a task's template error sits: its line inside a `|` block, else the task's key."""
    tasks = next((v for k, v in root.value if k.value == "tasks"), None) if isinstance(root, yaml.MappingNode) else None
    if not isinstance(tasks, yaml.MappingNode):
        return first
    for key, value in tasks.value:
        if key.value == task:
            if getattr(value, "style", None) == "|" and template_line is not None:
                return first + int(value.start_mark.line) + template_line
            return first + int(key.start_mark.line)
    return first


def parse_prompt_text(text: str, path: Path) -> Prompt:
    """A prompt from its text, checked as a file is: front-matter, tasks for its strategy, templates that compile
    and render without an article (StrictUndefined), before any model call.

    Every `ConfigurationError` carries `line` (1-based, in `text`) in its `extra`, so an editor (the lab's
    draft page) can show it where it is. `path` is where the text lives or would live.
    """
    if not text.startswith("---\n"):
        raise ConfigurationError(f"{path}: a prompt file starts with '---' front-matter", line=1)
    if "\n---\n" not in text[4:]:
        raise ConfigurationError(f"{path}: invalid front-matter: no closing '---' line", line=1)
    header, body = text[4:].split("\n---\n", 1)
    first = 2  # the header's first line in the file
    body_line = first + header.count("\n") + 2
    try:
        root = yaml.compose(header, Loader=yaml.SafeLoader)
        meta = PromptFrontMatter.model_validate(yaml.safe_load(header))
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct starts
        line = first + mark.line if mark is not None else first
        what = "; ".join(part for part in (exc.context, exc.problem) if part)  # the marks count from the header
        raise ConfigurationError(f"{path}: invalid front-matter: {what}", line=line) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: invalid front-matter: {exc}", line=first) from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        # The strategy/tasks check belongs to the whole header: point at the key it is about.
        about = "strategy" if "unknown strategy" in str(error["msg"]) else "tasks"
        loc = tuple(error["loc"]) or (about,)
        where = ".".join(str(p) for p in error["loc"]) or about
        raise ConfigurationError(
            f"{path}: invalid front-matter: {where}: {error['msg']}", line=_line_of(root, loc, first)
        ) from exc
    prompt = Prompt(meta=meta, body=body, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), path=path)
    empty = {"article": EMPTY_ARTICLE, **TASK_VARIABLES}  # what the service renders before any call
    problem = _template_problem(body, empty)
    if problem is not None:
        at, message = problem
        raise ConfigurationError(f"{path}: template: {message}", line=body_line + (at or 1) - 1)
    for task, template in meta.tasks.items():
        problem = _template_problem(template, empty)
        if problem is not None:
            at, message = problem
            raise ConfigurationError(f"{path}: task {task}: {message}", line=_task_line(root, task, at, first))
    return prompt


def _template_problem(source: str, variables: dict[str, Any]) -> tuple[int | None, str] | None:
    """Why `source` does not compile or render with `variables`, and on which of its lines (None if unknown)."""
    try:
        _ENV.from_string(source).render(**variables)
    except TemplateSyntaxError as exc:
        return exc.lineno, exc.message or str(exc)
    except TemplateError as exc:
        tb, line = exc.__traceback__, None
        while tb is not None:  # Jinja rewrites the traceback: a frame of the template carries its line
            if tb.tb_frame.f_code.co_filename == "<template>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return line, str(exc)
    return None


def parse_prompt(path: Path) -> Prompt:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path}: not UTF-8 text: {exc}") from exc
    prompt = parse_prompt_text(text, path)
    expected = (path.parent.name, path.stem)
    if expected != (prompt.meta.id, f"v{prompt.meta.version}"):
        raise ConfigurationError(f"{path}: file must live at {prompt.meta.id}/v{prompt.meta.version}.md", line=2)
    return prompt


class PromptLibrary:
    """Every prompt in a folder, looked up by `id` (latest version) or `id@version`."""

    def __init__(self, prompts: list[Prompt]) -> None:
        self._by_ref = {p.ref: p for p in prompts}
        self._latest: dict[str, Prompt] = {}
        for prompt in sorted(prompts, key=lambda p: p.meta.version):
            self._latest[prompt.meta.id] = prompt

    @classmethod
    def load(cls, folder: Path) -> PromptLibrary:
        files = sorted(folder.glob("*/v*.md"))
        if not files:
            raise ConfigurationError(f"no prompt files under {folder}")
        return cls([parse_prompt(p) for p in files])

    def get(self, ref: str) -> Prompt:
        """`id` gives the latest version; `id@N` an exact one."""
        prompt = self._by_ref.get(ref) if "@" in ref else self._latest.get(ref)
        if prompt is None:
            known = ", ".join(sorted(self._by_ref))
            raise PromptNotFound(f"unknown prompt {ref!r}; known: {known}")
        return prompt

    def refs(self) -> list[str]:
        return sorted(self._by_ref)
