"""The name key: presentation stripped, aliases shared, surnames folded, namesakes kept apart."""

from __future__ import annotations

import pytest

from summarizer.text.names import NameIndex, name_key, strip_name


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Putin's", "Putin"),
        ("Obama’s", "Obama"),
        ("President Vladimir Putin", "Vladimir Putin"),
        ("Mr. Obama", "Obama"),
        ("Dr. Jane Goodall", "Jane Goodall"),
        ("Sen. Elizabeth Warren", "Elizabeth Warren"),
        ("Gov. Rick Scott", "Rick Scott"),
        ("Prime Minister Boris Johnson", "Boris Johnson"),
        ("the United Nations", "United Nations"),
        ("the U.S.", "U.S."),
        ("Church of Scientology", "Church of Scientology"),
        ("President of France", "President of France"),
    ],
)
def test_strip_name_removes_possessives_titles_and_the(written: str, shown: str) -> None:
    assert strip_name(written) == shown


@pytest.mark.parametrize("alias", ["the U.S.", "US", "U.S.A.", "United States", "the United States of America"])
def test_aliases_of_the_united_states_share_one_key(alias: str) -> None:
    assert name_key(alias) == "united states"


def test_a_surname_folds_into_the_fullest_earlier_form() -> None:
    index = NameIndex()
    assert index.key("President Vladimir Putin") == "vladimir putin"
    assert index.key("Putin") == "vladimir putin"
    assert index.key("Putin's") == "vladimir putin"


def test_a_surname_seen_first_joins_the_full_name_when_it_arrives() -> None:
    index = NameIndex()
    early = index.key("Mr. Obama")
    index.key("Barack Obama")
    assert index.canonical(early) == "barack obama"
    assert index.key("Obama") == "barack obama"


def test_people_who_share_a_first_name_never_merge() -> None:
    index = NameIndex()
    putin, zelensky = index.key("Vladimir Putin"), index.key("Vladimir Zelensky")
    assert putin != zelensky
    assert index.key("Vladimir") not in (putin, zelensky)  # ambiguous: two earlier Vladimirs


def test_organisations_do_not_fold_into_people() -> None:
    index = NameIndex()
    index.key("Jack Ford")
    assert index.key("Ford", person=False) == "ford"


def test_a_defined_acronym_is_an_alias() -> None:
    index = NameIndex()
    key = index.key("Federal Bureau of Investigation", person=False)
    index.alias("FBI", key)
    assert index.key("the FBI", person=False) == key
