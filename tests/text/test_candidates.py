"""Each candidate finder and each attribution rule, on a sentence built for it; spans always exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.grounding import Article
from summarizer.text.candidates import MAX_CLAIM_PAIRS, MAX_OUTCOMES, Candidates, candidates
from summarizer.text.speakers import MAX_OPTIONS, UNSURE_BELOW, Attribution

ARTICLES = sorted((Path(__file__).resolve().parents[2] / "evals" / "articles").glob("*.txt"))


def only(text: str) -> Attribution:
    [attribution] = candidates(Article(text)).attributions
    return attribution


def party(found: Candidates, name: str) -> list[str]:
    [match] = [p for p in found.parties if p.name == name]
    return [m.text for m in match.mentions]


# --- speakers: one sentence per rule ------------------------------------------------------------


def test_adjacent_verb_after_the_quotation_with_the_name_beside_it() -> None:
    attribution = only('"We will win this election," said John Smith.')
    assert (attribution.speaker, attribution.rule, attribution.resolution) == ("John Smith", "adjacent", "name")
    assert attribution.confidence >= UNSURE_BELOW and not attribution.unsure


def test_adjacent_name_and_verb_before_the_quotation() -> None:
    attribution = only('Mary Jones said: "The vote is over and we lost."')
    assert (attribution.speaker, attribution.rule) == ("Mary Jones", "adjacent")


def test_governing_speech_verb_subject_through_the_parse() -> None:
    text = 'Jane Doe, who chairs the committee, told reporters on Monday that the plan was "a disaster for everyone".'
    attribution = only(text)
    assert (attribution.speaker, attribution.rule) == ("Jane Doe", "governing")


def test_subject_with_an_appositive_is_the_named_person() -> None:
    attribution = only('John Smith, a spokesman for Acme Corp, said the merger "will close next week".')
    assert attribution.speaker == "John Smith"


def test_a_description_subject_takes_its_appositive_name() -> None:
    attribution = only('A spokesman for Acme, John Smith, said on Monday, "The merger will close next week."')
    assert attribution.speaker == "John Smith"


def test_according_to() -> None:
    text = 'The merger is "certain to close next week and nothing can stop it", according to Peter Brown.'
    attribution = only(text)
    assert (attribution.speaker, attribution.rule) == ("Peter Brown", "according-to")


def test_a_paragraph_that_is_only_a_quotation_continues_the_previous_speaker() -> None:
    text = '"We won the vote today," said Maria Lopez.\n\n"And we will keep on winning."'
    first, second = candidates(Article(text)).attributions
    assert first.speaker == second.speaker == "Maria Lopez"
    assert second.rule == "continuation" and second.resolution == "previous"


def test_a_quotation_opening_its_sentence_continues_the_speaker_of_the_sentence_before() -> None:
    attribution = only('The plan failed, said Maria Lopez. "We will try again next year with more money."')
    assert (attribution.speaker, attribution.rule) == ("Maria Lopez", "continuation")


@pytest.mark.parametrize(("pronoun", "speaker"), [("she", "Mary Jones"), ("he", "John Smith")])
def test_a_pronoun_goes_to_the_nearest_person_of_matching_gender(pronoun: str, speaker: str) -> None:
    text = f'John Smith met Mary Jones in Paris on Monday. "We agreed on almost everything," {pronoun} said.'
    attribution = only(text)
    assert (attribution.speaker, attribution.resolution) == (speaker, "pronoun")


def test_a_surname_goes_to_the_fullest_earlier_form() -> None:
    attribution = only('Vladimir Putin spoke first at the summit. "Nothing changes for us," Putin said.')
    assert (attribution.speaker, attribution.resolution) == ("Vladimir Putin", "surname")


def test_a_title_description_goes_to_the_person_who_carried_the_title() -> None:
    text = 'Mayor Bill de Blasio visited the site on Sunday with Tom Reyes. "We are safe tonight," the mayor said.'
    attribution = only(text)
    assert (attribution.speaker, attribution.resolution) == ("Bill de Blasio", "description")


def test_a_title_subject_takes_the_person_named_in_its_phrase() -> None:
    attribution = only('The professor and author Marc Hill commented, "This is a story about all of us."')
    assert attribution.speaker == "Marc Hill"


def test_a_document_speaks_for_the_organisation_that_owns_it() -> None:
    attribution = only('"Growth will slow sharply next year," the IMF report stated.')
    assert attribution.speaker == "IMF"


def test_a_pronoun_prefers_the_earlier_speaker_to_a_name_mentioned_in_passing() -> None:
    text = (
        "Many voters will stay home after the debate with Sean Spicer, noted the analyst Dante Chinni.\n\n"
        '"Nobody changes their mind this late in a campaign," he wrote.'
    )
    attribution = only(text)
    assert (attribution.speaker, attribution.resolution) == ("Dante Chinni", "pronoun")


def test_without_any_cue_the_nearest_person_is_a_low_confidence_guess_with_options() -> None:
    text = 'Anna Berg and Tom Reyes met in Oslo. The mood was "tense but polite" all day.'
    attribution = only(text)
    assert attribution.rule == "nearest" and attribution.unsure
    assert attribution.speaker == attribution.options[0]
    assert set(attribution.options) == {"Anna Berg", "Tom Reyes"}


def test_no_person_at_all_gives_no_speaker() -> None:
    attribution = only('The sign read "no entry after dark" in large letters.')
    assert (attribution.speaker, attribution.rule, attribution.confidence) == (None, "none", 0.0)


# --- parties, places, outcomes, claims ----------------------------------------------------------


def test_parties_merge_per_real_world_thing_with_every_mention() -> None:
    text = (
        "President Vladimir Putin met officials from the U.S. in Geneva. Putin's aides said the United States "
        "had asked for the talks. Vladimir Zelensky was not invited."
    )
    found = candidates(Article(text))
    assert party(found, "Vladimir Putin") == ["Vladimir Putin", "Putin"]
    assert sorted(party(found, "United States")) == ["U.S.", "United States"]
    assert "Vladimir Zelensky" in [p.name for p in found.parties]
    kinds = {p.name: p.kind for p in found.parties}
    assert kinds["Vladimir Putin"] == "person" and kinds["United States"] == "state"


def test_places_carry_a_kind_guess() -> None:
    found = candidates(Article("Engineers in Huntsville, Alabama, studied the crater near Managua, Nicaragua."))
    kinds = {p.name: p.kind for p in found.places}
    assert kinds["Huntsville"] == "city" and kinds["Nicaragua"] == "country" and kinds["Alabama"] == "region"


def test_outcome_sentences_are_ranked_by_result_cues() -> None:
    text = (
        "The weather was mild in the capital.\n\nThe council approved a budget of $5 million on Monday.\n\n"
        "Residents enjoyed the park."
    )
    found = candidates(Article(text))
    ranked = sorted(found.outcomes, key=lambda o: -o.score)
    assert ranked[0].sentence.text == "The council approved a budget of $5 million on Monday."
    assert "approve" in ranked[0].cues
    assert "The weather was mild in the capital." not in [o.sentence.text for o in found.outcomes]  # being: background


def test_a_denial_from_another_source_pairs_with_the_claim_it_answers() -> None:
    text = (
        "The Daily Star reported that Mayor Jan Novak had secretly sold the city stadium. "
        "The weather was fine. Novak denied the report about the stadium, calling it false."
    )
    found = candidates(Article(text))
    pairs = [p for p in found.claims if "sold the city stadium" in p.claim.text]
    assert pairs, found.claims
    pair = pairs[0]
    assert pair.cue == "deny" and "stadium" in pair.shared
    assert pair.claimant == "Daily Star" and pair.disputer == "Jan Novak"
    assert text[pair.evidence.start : pair.evidence.end] == pair.evidence.text


def test_the_claim_of_a_reported_that_clause_is_the_clause() -> None:
    text = (
        "The Daily Star reported that Mayor Jan Novak had secretly sold the city stadium. "
        "Novak denied the report about the stadium, calling it false."
    )
    found = candidates(Article(text))
    [pair] = [p for p in found.claims if p.clause is not None and "stadium" in p.clause.text][:1]
    assert pair.clause is not None
    assert pair.clause.text == "Mayor Jan Novak had secretly sold the city stadium"
    assert text[pair.clause.start : pair.clause.end] == pair.clause.text
    assert pair.claimant == "Daily Star"


def test_a_report_that_inside_its_denial_gives_the_clause_and_the_reports_owner() -> None:
    text = "The Riverton Council has refuted a Daily Star report that it plans to close the central library."
    found = candidates(Article(text))
    [pair] = [p for p in found.claims if p.clause is not None][:1]
    assert pair.clause is not None and pair.clause.text == "it plans to close the central library"
    assert pair.claimant == "Daily Star" and pair.disputer != pair.claimant


def test_rumours_that_gives_the_rumoured_clause() -> None:
    text = "Maria Lopez said rumours that the factory in Ostrava will shut next year are not true."
    found = candidates(Article(text))
    clauses = [p.clause.text for p in found.claims if p.clause is not None]
    assert "the factory in Ostrava will shut next year" in clauses


def test_a_plain_sentence_has_no_clause() -> None:
    text = "The Daily Star said the stadium was sold. Jan Novak denied that the stadium was sold to anyone."
    found = candidates(Article(text))
    assert found.claims and all(p.clause is None or "stadium" in p.clause.text for p in found.claims)
    assert any(p.claim.text.startswith("The Daily Star said") and p.clause is None for p in found.claims)


def test_the_report_claiming_takes_the_publisher_of_the_report_named_before() -> None:
    text = (
        "In a report published by the Valley Herald, readers learned that the dam had burst. "
        "The report claiming that the river dam burst on Sunday is a hoax, the river authority said."
    )
    found = candidates(Article(text))
    pairs = [p for p in found.claims if p.clause is not None and p.clause.text.startswith("the river dam burst")]
    assert pairs, found.claims
    assert pairs[0].claimant == "Valley Herald"


def test_denying_a_thing_is_a_refusal_not_a_denial() -> None:
    found = candidates(Article("The embassy denied visas to the Riverton choir. The choir will not travel to Paris."))
    assert all(p.cue != "deny" for p in found.claims)


def test_denying_an_allegation_or_with_no_object_stays_a_denial() -> None:
    for text in ("Jan Novak denied the allegation about the stadium.", "Asked about the stadium, Jan Novak denied it."):
        found = candidates(Article(text))
        assert any(p.cue == "deny" for p in found.claims), text


def test_no_denial_no_pair() -> None:
    assert candidates(Article("The council approved the budget. Everyone agreed it was fair.")).claims == ()


def test_every_quotation_gets_an_attribution_without_a_cap() -> None:
    text = "\n\n".join(f'"Point number {i} of the plan," said Maria Lopez.' for i in range(95))
    found = candidates(Article(text))
    assert len(found.quotes) == len(found.attributions) == 95
    assert {a.speaker for a in found.attributions} == {"Maria Lopez"}


# --- the committed Wikinews articles ------------------------------------------------------------


@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_every_span_is_exact_on_real_articles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = candidates(Article(text))
    assert found.parties and found.outcomes
    mentions = [m for p in found.parties for m in p.mentions] + [m for p in found.places for m in p.mentions]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    for quote in found.quotes:
        assert text[quote.start : quote.end] == quote.text
    for attribution in found.attributions:
        assert 0.0 <= attribution.confidence <= 1.0
        assert len(attribution.options) <= MAX_OPTIONS
        if attribution.cue is not None:
            assert text[attribution.cue.start : attribution.cue.end] == attribution.cue.text
    assert len(found.outcomes) <= MAX_OUTCOMES and len(found.claims) <= MAX_CLAIM_PAIRS
    for sentence in (*(o.sentence for o in found.outcomes), *(c.claim for c in found.claims)):
        assert text[sentence.start : sentence.end] == sentence.text
