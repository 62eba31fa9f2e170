"""The four kinds of wrong speaker seen on unseen news (issue 18), each on made-up sentences.

Round-ups that label a quotation "Name, Outlet:", outlets relaying what someone said, message threads
whose turns alternate line by line, and a description ("an aide to President X") that is not X.
"""

from __future__ import annotations

from summarizer.text.article import Article
from summarizer.text.candidates import candidates


def speakers(text: str) -> list[str | None]:
    return [a.speaker for a in candidates(Article(text)).attributions]


def test_a_round_up_label_names_the_person_not_the_outlet() -> None:
    text = (
        "Critics were divided over the new opera.\n\n"
        'Jane Porter, The Weekly Ledger: "A bold staging that never finds its voice."\n\n'
        'Omar Haddad, Harbor Times: "The finest production of the season."\n\n'
        'The Harbor Times\' Dara Quill wrote: "Nobody will forget the second act."'
    )
    assert speakers(text) == ["Jane Porter", "Omar Haddad", "Dara Quill"]


def test_a_label_is_only_a_name_before_the_colon_not_a_sentence() -> None:
    text = 'Jane Porter spoke first.\n\nThe committee told Omar Haddad: "The hearing is closed."'
    assert speakers(text) != ["Omar Haddad"]


def test_an_outlet_that_reported_the_words_is_not_their_speaker() -> None:
    text = 'Mayor Alan Grant said the new bridge "will be open to traffic by the spring," the Valley Gazette reported.'
    assert speakers(text) == ["Alan Grant"]


def test_a_message_thread_alternates_between_its_two_writers() -> None:
    text = (
        "The messages, released by the court, show the two men arguing.\n\n"
        '"Where is the money?" Paul Novak wrote.\n\n'
        '"I sent it on Monday," Ivan Petrov replied.\n\n'
        '"Nothing has arrived."\n\n'
        '"Then the bank has lost it."\n\n'
        '"That is not my problem."'
    )
    assert speakers(text) == ["Paul Novak", "Ivan Petrov", "Paul Novak", "Ivan Petrov", "Paul Novak"]


def test_news_without_an_exchange_still_continues_the_last_speaker() -> None:
    text = (
        'The vote passed 7-2.\n\n"We won this fairly," said Carla Diaz.\n\n'
        '"They broke every rule," said Tom Reed.\n\n"We will appeal the result."'
    )
    assert speakers(text) == ["Carla Diaz", "Tom Reed", "Tom Reed"]


def test_an_aide_to_a_president_is_the_aide_named_elsewhere_not_the_president() -> None:
    text = (
        'A second round of talks is expected "in the coming days," according to an aide to President Viktor Bran.\n\n'
        "Presidential aide Lena Sokol told reporters the talks would resume."
    )
    assert speakers(text) == ["Lena Sokol"]
    earlier = (
        "Presidential aide Lena Sokol led the delegation.\n\n"
        'The talks will resume "within a week," an aide to President Viktor Bran said.'
    )
    assert speakers(earlier) == ["Lena Sokol"]
    relayed = (
        'Talks will resume "in the coming days," according to an aide to President Viktor Bran, the Valley Gazette '
        "reported.\n\nPresidential aide Lena Sokol told the Gazette the talks would resume."
    )
    assert speakers(relayed) == ["Lena Sokol"]
