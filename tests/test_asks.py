"""What a message asks of an entry's subject (bot/asks.py): ask_lead, with the real static model
(fast, and the words matter: a fake encoder could not tell "is it hereditary" from "do you
treat it")."""

from __future__ import annotations

import pytest

from bot.asks import SUBJECT, AskIndex, generic_asks
from bot.coverage import covered
from bot.embedding import load_encoder
from bot.faq import parse_faq
from bot.lexical import LexicalIndex
from bot.matcher import speller_for
from bot.semantic import VectorCache
from bot.spelling import Speller

FAQ = """\
disclaimer: Not medical advice.
entries:
  - id: fibromyalgia
    question: Do you treat fibromyalgia?
    alternates: [Can massage help fibromyalgia?]
    answer: |
      Treated Conditions
      • Fibromyalgia
  - id: sensitivity
    question: What causes sensitive teeth?
    answer: |
      Worn enamel and receding gums expose the dentine, which causes sensitivity.
  - id: swedish
    question: What is Swedish massage?
    answer: Long gliding strokes with oil, to relax the muscles.
  - id: deep-tissue
    question: What is deep tissue massage?
    answer: Slow, firm pressure on the deeper layers of muscle.
  - id: booking
    question: How do I book a massage?
    answer: Call the practice.
"""


Asks = tuple[AskIndex, Speller, list[str]]


@pytest.fixture(scope="module")
def asks() -> Asks:
    faq = parse_faq(FAQ)
    speller = speller_for(faq)
    matched = covered(faq, speller).faq
    lexical = LexicalIndex(matched, speller)
    index = AskIndex(matched, speller, lexical, VectorCache(load_encoder("static")))
    return index, speller, [entry.id for entry in faq.entries]


def lead(asks: Asks, message: str, entry: str) -> float:
    index, speller, ids = asks
    raw = speller.words(message)
    return index.lead(raw, speller.terms_of(raw), ids.index(entry))


def test_every_generic_ask_is_about_a_subject_put_as_it() -> None:
    assert len(generic_asks()) >= 20
    assert all(SUBJECT in ask.split() for ask in generic_asks())


@pytest.mark.parametrize(
    "message", ["is fibromyalgia hereditary?", "what shoes are best for fibromyalgia"]
)
def test_asking_a_subject_what_its_entry_does_not_answer_leads_below_zero(
    asks: Asks, message: str
) -> None:
    assert lead(asks, message, "fibromyalgia") < -0.1


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("can massage help my fibromyalgia", "fibromyalgia"),  # what the entry itself asks
        ("what causes teeth to become sensitive", "sensitivity"),  # the entry answers it
        ("fibromyalgia?", "fibromyalgia"),  # nothing asked beside the subject
        ("is it hereditary?", "fibromyalgia"),  # the entry's subject is not named
    ],
)
def test_an_ask_the_entry_answers_or_no_ask_of_its_subject_leads_by_nothing(
    asks: Asks, message: str, entry: str
) -> None:
    assert lead(asks, message, entry) == 0.0


def test_a_subject_is_what_few_entries_hold(asks: Asks) -> None:
    index, _, ids = asks
    swedish = index.subject(ids.index("swedish"))
    assert "swedish" in swedish
    # "massage" is in three entries of five: not a subject word, however it is stemmed
    assert not {"massag", "massage"} & swedish


@pytest.mark.parametrize(
    "message", ["who invented swedish massage?", "where does swedish massage come from"]
)
def test_the_subject_is_its_whole_name_so_the_words_after_it_are_no_ask(
    asks: Asks, message: str
) -> None:
    # "swedish" is the subject, "massage" the rest of its name (a word most entries hold). Left
    # as an ask, "massage" stood on both sides ("who invented it massage" against the entry's
    # "what is it massage") and hid how far apart the asks are.
    assert lead(asks, message, "swedish") < -0.1



@pytest.mark.parametrize(
    ("message", "entry", "asked"),
    [
        # "swedish" is the subject, "massage" a word of the entry's question that most entries
        # hold: the end of the subject's name
        ("who invented swedish massage", "swedish", "who invented it"),
        ("is deep tissue massage good for you", "deep-tissue", "is it good for you"),
        # "flare" is no word of the entry's question or alternates: asked, not named
        ("fibromyalgia flare ups", "fibromyalgia", "it flare ups"),
    ],
)
def test_the_subject_runs_on_over_the_common_words_of_its_entry_that_follow_it(
    asks: Asks, message: str, entry: str, asked: str
) -> None:
    index, speller, ids = asks
    raw = speller.words(message)
    assert index.asked(raw, speller.terms_of(raw), ids.index(entry)) == asked
