"""The fingerprint of an answer: every input that can change it changes the key, nothing else does."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from summarizer.fingerprint import DRAFT_MODELS, answer_spec, fingerprint, model_file_sha256
from summarizer.local_model.releases import QWEN_CODER_1_5B
from summarizer.prompts import PromptLibrary
from summarizer.settings import Settings

TEXT = "An article.\n"
URL = "http://upstream.test/v1"


def key(settings: Settings, prompt_ref: str = "summarize-grouped@4", text: str = TEXT) -> str:
    prompt = PromptLibrary.load(settings.prompts_dir).get(prompt_ref)
    return fingerprint(settings, prompt, text, model_file_sha256(settings)).key


def test_the_same_inputs_give_the_same_key() -> None:
    assert key(Settings(llm_base_url=URL)) == key(Settings(llm_base_url=URL, llm_timeout_s=5))


@pytest.mark.parametrize(
    "change",
    [
        {"llm_base_url": "http://elsewhere.test/v1"},
        {"llm_model": "another-model"},
        {"llm_temperature": 0.4},
        {"llm_max_tokens": 2048},
        {"llm_mode": "json"},
    ],
)
def test_every_setting_that_can_change_an_answer_changes_the_key(change: dict[str, object]) -> None:
    assert key(Settings(llm_base_url=URL)) != key(Settings(**{"llm_base_url": URL, **change}))  # type: ignore[arg-type]


def test_article_and_prompt_change_the_key() -> None:
    settings = Settings(llm_base_url=URL)
    assert key(settings) != key(settings, text=TEXT + " ")
    assert key(settings) != key(settings, prompt_ref="summarize-grouped@2")


def test_a_changed_draft_schema_changes_the_key() -> None:
    class Described(DRAFT_MODELS[1]):  # type: ignore[misc,valid-type]
        outcomes: list = Field(max_length=6, description="What happened, in the reporter's words.")  # type: ignore[type-arg]

    settings = Settings(llm_base_url=URL)
    prompt = PromptLibrary.load(settings.prompts_dir).get("summarize-grouped@4")
    drafts = tuple(Described if model.__name__ == "EventsExtraction" else model for model in DRAFT_MODELS)
    plain = answer_spec(settings, prompt, None).fingerprint(TEXT)
    changed = answer_spec(settings, prompt, None, drafts=drafts).fingerprint(TEXT)
    assert plain.key != changed.key and plain.draft_schemas != changed.draft_schemas


def test_the_local_model_is_named_by_its_file_not_its_port(tmp_path: Path) -> None:
    bundled = Settings(cache_dir=tmp_path)
    assert model_file_sha256(bundled) == QWEN_CODER_1_5B.sha256
    assert (
        fingerprint(bundled, PromptLibrary.load(bundled.prompts_dir).get("summarize-grouped@4"), TEXT).upstream
        == "local"
    )
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"weights v1")
    first = model_file_sha256(Settings(cache_dir=tmp_path, local_model_path=gguf))
    gguf.write_bytes(b"weights v2, another size")
    assert model_file_sha256(Settings(cache_dir=tmp_path, local_model_path=gguf)) != first
    assert model_file_sha256(Settings(llm_base_url=URL)) is None


def test_strategies_that_use_the_nlp_pass_carry_its_name_and_version() -> None:
    settings = Settings(llm_base_url=URL)
    library = PromptLibrary.load(settings.prompts_dir)
    rules = fingerprint(settings, library.get("summarize-rules@1"), TEXT)
    assert rules.nlp_pipeline is not None and rules.nlp_pipeline.startswith(f"{settings.nlp_pipeline}@")
    assert fingerprint(settings, library.get("summarize-grouped@4"), TEXT).nlp_pipeline is None
