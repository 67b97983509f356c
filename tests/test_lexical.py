"""The lexical signal (bot/lexical.py): which of a message's words each entry holds, weighted by
how rare they are across the FAQ, with unknown words and not-covered topics counted apart."""

from __future__ import annotations

import pytest

from bot.coverage import covered
from bot.faq import parse_faq
from bot.lexical import LexicalIndex, Query
from bot.matcher import speller_for
from bot.spelling import Speller

HEADER = "disclaimer: Not medical advice.\n"

LEX_FAQ = HEADER + """\
not_covered: [price, gift card]
entries:
  - {id: fasciitis, question: Do you treat plantar fasciitis?, answer: "Yes, often."}
  - {id: swedish, question: What is Swedish massage?, answer: Gentle massage strokes.}
  - {id: sports, question: What is sports massage?, answer: Massage for athletes.}
  - id: deep
    question: What is deep tissue massage?
    keywords: [price of deep tissue]
    answer: Firm massage pressure that suits runners with sore calves.
  - {id: runners, question: Do you see runners?, answer: "Yes: runners and cyclists."}
"""


def index_for(text: str, everyday: frozenset[str] = frozenset()) -> tuple[LexicalIndex, Speller]:
    faq = parse_faq(text)
    speller = speller_for(faq, everyday)
    # as the matcher builds it: without the not-covered topics the entries cover
    coverage = covered(faq, speller)
    return LexicalIndex(coverage.faq, speller, coverage.owners), speller


def query(index: LexicalIndex, speller: Speller, message: str) -> Query:
    raw = speller.words(message)
    return index.query(raw, speller.terms_of(raw))


def term(speller: Speller, word: str) -> str:
    (only,) = speller.terms(word)
    return only


@pytest.fixture(scope="module")
def lex() -> tuple[LexicalIndex, Speller]:
    return index_for(LEX_FAQ, everyday=frozenset({"kettle", "doctor"}))


ID = {entry_id: position for position, entry_id in enumerate(
    ["fasciitis", "swedish", "sports", "deep", "runners"]
)}


def test_a_rare_word_outweighs_a_common_one(lex: tuple[LexicalIndex, Speller]) -> None:
    index, speller = lex
    massage, fasciitis = term(speller, "massage"), term(speller, "fasciitis")
    assert index.idf[fasciitis] > index.idf[massage] > 0
    asked = query(index, speller, "massage for fasciitis")
    assert asked.weights == {massage: index.idf[massage], fasciitis: index.idf[fasciitis]}
    # the entry holding the rare word explains more of the message than the ones holding the
    # common word, though each holds one of the two
    rare = index.overlap(asked, ID["fasciitis"])
    common = index.overlap(asked, ID["swedish"])
    assert rare.head > 0.5 > common.head > 0
    assert index.candidates(asked, 5)[0] == ID["fasciitis"]


def test_function_words_and_numbers_carry_no_weight(lex: tuple[LexicalIndex, Speller]) -> None:
    index, speller = lex
    asked = query(index, speller, "what is the swedish massage for 3 times a week")
    assert set(asked.weights) == {term(speller, "swedish"), term(speller, "massage")}


def test_unknown_rare_and_everyday_words_are_counted_apart(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    asked = query(index, speller, "swedish massage kettle zorblax")
    assert set(asked.weights) == {term(speller, "swedish"), term(speller, "massage")}
    assert asked.size == 4
    assert asked.unknown_rare == pytest.approx(1 / 4)  # "zorblax": perhaps the real topic
    assert asked.unknown_everyday == pytest.approx(1 / 4)  # "kettle": chatter
    plain = query(index, speller, "swedish massage")
    assert (plain.unknown_rare, plain.unknown_everyday) == (0.0, 0.0)
    assert query(index, speller, "").size == 0


def test_words_about_the_asker_are_not_an_entrys_topic(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    asked = query(index, speller, "my doctor said sports massage")
    assert set(asked.weights) == {term(speller, "sports"), term(speller, "massage")}
    assert asked.unknown_everyday == 0.0  # "doctor" and "said" are neither


def test_a_not_covered_phrase_marks_entries_whose_head_lacks_it(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    asked = query(index, speller, "what is the price of swedish massage")
    assert asked.not_covered == {term(speller, "price")}
    assert term(speller, "price") not in asked.weights  # the topic the FAQ lacks is no match
    assert index.overlap(asked, ID["swedish"]).uncovered
    assert index.overlap(asked, ID["fasciitis"]).uncovered
    # an entry whose keywords hold the phrase is not marked
    assert not index.overlap(asked, ID["deep"]).uncovered
    plain = query(index, speller, "what is swedish massage")
    assert plain.not_covered == frozenset()
    assert not index.overlap(plain, ID["swedish"]).uncovered


def test_a_not_covered_phrase_of_several_words_needs_them_together(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    together = query(index, speller, "can I buy a gift card for a sports massage")
    assert together.not_covered == set(speller.terms("gift card"))
    assert index.overlap(together, ID["sports"]).uncovered
    apart = query(index, speller, "a card for my sports massage, as a gift")
    assert apart.not_covered == frozenset()
    assert not index.overlap(apart, ID["sports"]).uncovered


SCENE_FAQ = HEADER + """\
not_covered: [dentist, book]
entries:
  - {id: jaw, question: Do you treat jaw pain?, answer: "Yes: TMD is on our list."}
  - {id: swedish, question: What is Swedish massage?, answer: Gentle massage strokes.}
"""


def test_who_said_something_is_not_what_the_message_asks_about() -> None:
    index, speller = index_for(SCENE_FAQ)
    for message in ["my dentist said it's jaw pain", "dentist has mentioned jaw pain",
                    "jaw pain, my dentist thinks"]:
        asked = query(index, speller, message)
        assert asked.not_covered == frozenset(), message
        assert not index.overlap(asked, 0).uncovered, message
        # still no topic of an entry's: the words only say who said it
        assert term(speller, "dentist") not in asked.weights
    # the dentist asked about is the topic
    for message in ["do you have a dentist", "my dentist is far away, do you do teeth"]:
        asked = query(index, speller, message)
        assert asked.not_covered == {term(speller, "dentist")}, message
        assert index.overlap(asked, 0).uncovered, message


def test_a_phrase_in_words_that_set_the_scene_is_not_what_the_message_asks_about() -> None:
    index, speller = index_for(SCENE_FAQ)
    raw = speller.words("before I book what is swedish massage")
    terms = speller.terms_of(raw)
    scene = frozenset(range(3))  # "before I book"
    asked = index.query(raw, terms, scene)
    assert asked.not_covered == frozenset()
    assert not index.overlap(asked, 1).uncovered
    # the same words outside the scene: the booking is asked about
    assert index.query(raw, terms).not_covered == {term(speller, "book")}


INSURANCE_FAQ = HEADER + """\
not_covered: [insurance, price]
entries:
  - id: insurance
    question: Do you accept health insurance?
    answer: |
      We accept most health insurers for clinical massage with a referral.
      Bring your policy number to your first session.
  - {id: swedish, question: What is Swedish massage?, answer: Gentle massage strokes.}
  - {id: sessions, question: How long is a session?, answer: An hour.}
"""


def test_an_entry_asking_about_a_not_covered_phrase_takes_it_back() -> None:
    # "insurance" is in not_covered, but an admin wrote an entry whose own question holds it:
    # the entry wins, the phrase counts for it and marks no entry as uncovered
    index, speller = index_for(INSURANCE_FAQ)
    asked = query(index, speller, "does my health insurance cover a session?")
    insurance = term(speller, "insurance")
    assert asked.not_covered == frozenset()
    assert insurance in asked.weights
    overlap = index.overlap(asked, 0)
    assert not overlap.uncovered
    assert overlap.head > 0.5
    # the message is about insurance, which the entry covers and Swedish massage does not
    assert index.overlap(asked, 1).uncovered
    assert index.candidates(asked, 3)[0] == 0
    # the rest of the list still applies
    priced = query(index, speller, "what is the price of swedish massage")
    assert priced.not_covered == {term(speller, "price")}
    assert index.overlap(priced, 1).uncovered


def test_a_not_covered_phrase_an_answer_says_is_the_entrys_and_no_other() -> None:
    # The question no longer asks about insurance, and the answer says "insurers", not the
    # phrase: the message names a topic every entry lacks.
    text = INSURANCE_FAQ.replace(
        "question: Do you accept health insurance?", "question: How do I pay?"
    )
    index, speller = index_for(text)
    asked = query(index, speller, "does my health insurance cover a session?")
    assert asked.not_covered == {term(speller, "insurance")}
    assert term(speller, "insurance") not in asked.weights
    assert all(index.overlap(asked, entry).uncovered for entry in range(3))
    # An answer that says the phrase in so many words is about it: that entry lacks nothing,
    # though the phrase still adds no weight to any entry, and the others still lack it.
    said = text.replace("most health insurers", "health insurance")
    index, speller = index_for(said)
    asked = query(index, speller, "does my health insurance cover a session?")
    assert asked.not_covered == {term(speller, "insurance")}
    assert term(speller, "insurance") not in asked.weights
    assert [index.overlap(asked, entry).uncovered for entry in range(3)] == [False, True, True]


def test_candidates_are_ordered_by_the_weight_they_hold(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    # "runners" is in the head of one entry and only in the answer of another: the head counts
    # in full, the answer half
    asked = query(index, speller, "runners")
    assert index.candidates(asked, 5) == [ID["runners"], ID["deep"]]
    runners = index.overlap(asked, ID["runners"])
    deep = index.overlap(asked, ID["deep"])
    assert (runners.head, runners.body) == (1.0, 0.0)
    assert (deep.head, deep.body) == (0.0, 1.0)
    # a tie keeps the FAQ's order; the limit is kept; no shared word, no candidate
    tie = query(index, speller, "massage")
    ranked = index.candidates(tie, 5)
    assert ranked[:3] == [ID["swedish"], ID["sports"], ID["deep"]]
    assert index.candidates(tie, 2) == ranked[:2]
    assert index.candidates(query(index, speller, "zorblax"), 5) == []


def test_phrasing_is_how_completely_the_message_holds_a_phrasing(
    lex: tuple[LexicalIndex, Speller],
) -> None:
    index, speller = lex
    whole = index.overlap(query(index, speller, "deep tissue massage"), ID["deep"])
    part = index.overlap(query(index, speller, "tissue"), ID["deep"])
    assert whole.phrasing == pytest.approx(1.0)
    assert 0 < part.phrasing < 1
    assert index.overlap(query(index, speller, "kettle"), ID["deep"]).phrasing == 0.0
