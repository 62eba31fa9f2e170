"""Each candidate finder and each attribution rule, on a sentence built for it; spans always exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.text.article import Article
from summarizer.text.candidates import MAX_CLAIM_PAIRS, MAX_OUTCOMES, Candidates, candidates
from summarizer.text.speakers import MAX_OPTIONS, UNSURE_BELOW, QuoteAttribution

ARTICLES = sorted((Path(__file__).resolve().parents[2] / "evals" / "articles").glob("*.txt"))


def only(text: str) -> QuoteAttribution:
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


def located(text: str) -> dict[str, bool]:
    return {p.name: p.located for p in candidates(Article(text)).places}


def test_a_place_named_only_as_an_actor_or_a_modifier_is_not_located() -> None:
    assert located("The Dallas chapter of the union met on Monday. Protesters marched in Austin.") == {
        "Dallas": False,
        "Austin": True,
    }


def test_places_listed_or_in_apposition_after_a_locative_are_located() -> None:
    places = located("Teams came from Kenya, Peru and Chile. He grew up in Irving, Texas.")
    assert places == dict.fromkeys(["Kenya", "Peru", "Chile", "Irving", "Texas"], True)


def test_a_country_the_story_names_often_is_located_without_a_preposition() -> None:
    text = "Norway announced new rules. Norway's government said the rules start soon. Norway expects support."
    assert located(text) == {"Norway": True}


def test_a_dateline_locates_its_places() -> None:
    assert located("Mumbai, India — Crowds gathered on Saturday.") == {"Mumbai": True, "India": True}


def test_a_name_with_a_digit_is_a_product_not_a_place() -> None:
    assert located("Users still run IE6 on old computers in Canada.") == {"IE6": False, "Canada": True}


def test_an_organisation_named_after_a_locative_with_a_site_word_is_a_place() -> None:
    [place] = candidates(Article("The fair took place at the Metro Riverside Convention Centre on Sunday.")).places
    assert (place.name, place.kind, place.located) == ("Metro Riverside Convention Centre", "site", True)


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


def scores(text: str) -> dict[str, float]:
    return {o.sentence.text: o.score for o in candidates(Article(text)).outcomes}


def test_a_headline_line_is_not_an_outcome() -> None:
    text = "Council approves new budget\n\nThe council approved a budget of $5 million on Monday."
    assert list(scores(text)) == ["The council approved a budget of $5 million on Monday."]


def test_a_hedged_sentence_ranks_below_a_reported_event() -> None:
    ranked = scores("Officials warned the bridge may collapse next year. Workers repaired the bridge on Friday.")
    assert (
        ranked.get("Officials warned the bridge may collapse next year.", 0.0)
        < ranked["Workers repaired the bridge on Friday."]
    )


def test_the_event_a_speech_verb_reports_is_an_outcome_cue() -> None:
    [outcome] = candidates(Article("The ministry said police arrested three men on Friday.")).outcomes
    assert "event:say" in outcome.cues and "arrest" in outcome.cues


def test_a_first_person_aside_ranks_below_the_event() -> None:
    ranked = scores("I visited the market on Saturday. The market opened on Saturday.")
    assert ranked["I visited the market on Saturday."] < ranked["The market opened on Saturday."]


def test_what_a_quotation_says_happened_is_not_an_outcome_cue() -> None:
    ranked = scores('She told reporters, "We won the match yesterday." Later, the team flew home.')
    assert not any("won the match" in sentence for sentence in ranked)


def test_a_present_passive_rule_ranks_below_a_past_event() -> None:
    ranked = scores("Pilgrims are required to walk to the shrine. Pilgrims walked to the shrine on Sunday.")
    assert ranked["Pilgrims are required to walk to the shrine."] < ranked["Pilgrims walked to the shrine on Sunday."]


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


def test_a_group_named_by_its_nationality_is_the_claimant_not_the_adjective() -> None:
    text = (
        "Kenyan officials said a meteorite struck a farm near Nairobi. "
        "Astronomers disputed the claim that a meteorite struck the farm."
    )
    claimants = {p.claimant for p in candidates(Article(text)).claims if p.claim.text.startswith("Kenyan")}
    assert claimants == {"Kenyan officials"}


def test_a_video_that_appears_to_show_gives_what_it_shows_as_the_claim() -> None:
    found = candidates(Article("A video that appears to show a bear dancing on a bus in Oslo is fake, the zoo said."))
    assert [p.clause.text for p in found.claims if p.clause is not None] == ["a bear dancing on a bus in Oslo"]


def test_not_real_is_a_strong_denial_cue() -> None:
    found = candidates(Article("The photo of the flooded stadium isn't real. The stadium was dry on Sunday."))
    assert any(p.cue == "n't real" for p in found.claims)


def test_a_bare_denial_ranks_below_the_claim_it_answers() -> None:
    text = (
        "The weather was fine in Riverton. The Daily Star reported that the mayor sold the old stadium to a developer. "
        "The mayor denied the report, calling the stadium sale a fantasy of the paper."
    )
    [best, *rest] = sorted(candidates(Article(text)).claims, key=lambda p: -p.score)
    assert best.claim.text.startswith("The Daily Star reported") and rest
    assert all(p.claim.text.startswith("The mayor denied") for p in rest)


def test_the_publisher_of_a_story_is_its_claimant() -> None:
    text = (
        "An article saying the city zoo will close next month isn't real. "
        "It was published on Morning Gazette Online, a satire website."
    )
    [best, *_] = sorted(candidates(Article(text)).claims, key=lambda p: -p.score)
    assert best.clause is not None and best.clause.text == "the city zoo will close next month"
    assert best.claimant == "Morning Gazette Online"


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
