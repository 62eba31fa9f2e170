"""Draft prompts: written in the page, checked as the prompt loader checks files, kept outside `prompts/`.

A draft is the full text of a prompt file (front-matter and template) that claims the next free version of
its id. It runs like any prompt (its fingerprint has its own hash), and saving it writes exactly its bytes
to `prompts/<id>/v<N>.md`: the saved file has the draft's hash, so every answer the draft got is already in
the cache for the released version. A file that exists is never overwritten.

Drafts are stored by content hash under the lab's folder, so a link naming one still works after a restart.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel

from summarizer.errors import ConfigurationError, InputError, PromptNotFound
from summarizer.prompts import Prompt, PromptLibrary, parse_prompt_text

DRAFT_PREFIX = "draft-"
_PLACEHOLDER = Path("draft")
_VERSION_LINE = re.compile(r"^version\s*:", re.MULTILINE)


class DraftProblem(BaseModel):
    """One reason a draft cannot run, at its line (1-based) in the draft's text."""

    line: int
    message: str


class DraftCheck(BaseModel):
    """What checking a draft found: its problems, or the prompt it would be."""

    ok: bool
    problems: list[DraftProblem]
    ref: str | None = None
    strategy: str | None = None
    hash: str | None = None


class SavePlan(BaseModel):
    """What saving a draft would do: the file it writes and the diff against the latest version of its id."""

    key: str
    ref: str
    path: str
    base: str | None
    diff: str
    exists: bool


def _line_of_version(text: str) -> int:
    match = _VERSION_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 2


def draft_key(text: str) -> str:
    return DRAFT_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Drafts:
    """The drafts of one lab: checked against, and saved into, one prompts folder."""

    def __init__(self, folder: Path, prompts_dir: Path) -> None:
        self.folder = folder
        self.prompts_dir = prompts_dir
        self.library = PromptLibrary.load(prompts_dir)

    def reload(self) -> None:
        self.library = PromptLibrary.load(self.prompts_dir)

    def _parse(self, text: str) -> Prompt:
        """The prompt a draft's text is, at the path it would be saved to; ConfigurationError with `line`."""
        prompt = parse_prompt_text(text, _PLACEHOLDER)
        return replace(prompt, path=self.prompts_dir / prompt.meta.id / f"v{prompt.meta.version}.md")

    def _next_version(self, prompt_id: str) -> int:
        versions = [int(ref.split("@")[1]) for ref in self.library.refs() if ref.split("@")[0] == prompt_id]
        return max(versions, default=0) + 1

    def check(self, text: str) -> tuple[Prompt | None, list[DraftProblem]]:
        """The prompt, or every problem found (the loader stops at the first; so does this)."""
        try:
            prompt = self._parse(text)
        except ConfigurationError as exc:
            message = exc.detail.removeprefix(f"{_PLACEHOLDER}: ")
            return None, [DraftProblem(line=int(exc.extra.get("line", 1)), message=message)]
        expected = self._next_version(prompt.meta.id)
        if prompt.meta.version != expected and not self._is_saved(prompt):
            what = "a new prompt id starts" if expected == 1 else f"{prompt.meta.id}@{expected - 1} is the latest;"
            return None, [
                DraftProblem(
                    line=_line_of_version(text),
                    message=f"version {prompt.meta.version}: {what} a draft is the next version, {expected} "
                    "(released versions are never changed)",
                )
            ]
        return prompt, []

    def _is_saved(self, prompt: Prompt) -> bool:
        """A draft that was saved since: its version is taken, by its own bytes."""
        try:
            return self.library.get(prompt.ref).sha256 == prompt.sha256
        except PromptNotFound:
            return False

    def next_text(self, ref: str) -> str:
        """The text of prompt `ref`, as the next version of its id: where a draft starts."""
        prompt = self.library.get(ref)
        text = prompt.path.read_bytes().decode("utf-8")
        version = self._next_version(prompt.meta.id)
        return re.sub(r"^version\s*:.*$", f"version: {version}", text, count=1, flags=re.MULTILINE)

    def known(self) -> list[tuple[str, Prompt]]:
        """The kept drafts that still load, newest first."""
        found = []
        paths = sorted(self.folder.glob(f"{DRAFT_PREFIX}*.md"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in paths[:50]:
            try:
                found.append((path.stem, self._parse(path.read_bytes().decode("utf-8"))))
            except (ConfigurationError, UnicodeDecodeError):
                continue
        return found

    def summary(self, text: str) -> DraftCheck:
        prompt, problems = self.check(text)
        if prompt is None:
            return DraftCheck(ok=False, problems=problems)
        return DraftCheck(ok=True, problems=[], ref=prompt.ref, strategy=prompt.meta.strategy, hash=prompt.hash)

    def add(self, text: str) -> tuple[str, Prompt]:
        """Keep a valid draft (by its content hash) and return its key; InputError naming the line otherwise."""
        prompt, problems = self.check(text)
        if prompt is None:
            first = problems[0]
            raise InputError(f"draft line {first.line}: {first.message}", line=first.line)
        key = draft_key(text)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.md"
        if not path.is_file():
            path.write_bytes(text.encode("utf-8"))
        return key, prompt

    def text(self, key: str) -> str:
        path = self.folder / f"{key}.md"
        if not key.startswith(DRAFT_PREFIX) or path.parent != self.folder or not path.is_file():
            raise PromptNotFound(f"no draft {key!r}")
        return path.read_bytes().decode("utf-8")

    def get(self, key: str) -> Prompt:
        """A kept draft as a prompt (still valid: it was checked when it was kept)."""
        try:
            return self._parse(self.text(key))
        except ConfigurationError as exc:
            raise InputError(f"draft {key} no longer loads: {exc.detail}") from exc

    def plan(self, key: str) -> SavePlan:
        """The diff a save would make, against the latest saved version of the same id."""
        text = self.text(key)
        prompt = self.get(key)
        base: Prompt | None = None
        try:
            latest = self.library.get(prompt.meta.id)
            base = latest if latest.ref != prompt.ref else None
        except PromptNotFound:
            base = None
        old = base.path.read_text(encoding="utf-8") if base is not None else ""
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=str(base.path) if base else "/dev/null",
                tofile=str(prompt.path),
            )
        )
        return SavePlan(
            key=key,
            ref=prompt.ref,
            path=str(prompt.path),
            base=base.ref if base else None,
            diff=diff,
            exists=prompt.path.exists(),
        )

    def save(self, key: str) -> SavePlan:
        """Write the draft as `prompts/<id>/v<N>.md`, byte for byte; never over an existing file."""
        plan = self.plan(key)
        prompt, problems = self.check(self.text(key))
        if prompt is None:
            raise InputError(f"draft line {problems[0].line}: {problems[0].message}", line=problems[0].line)
        prompt.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with prompt.path.open("xb") as file:  # "x": a released version is never overwritten
                file.write(self.text(key).encode("utf-8"))
        except FileExistsError as exc:
            raise InputError(f"{prompt.path} exists: a released version is never overwritten") from exc
        self.reload()
        return plan.model_copy(update={"exists": True})
