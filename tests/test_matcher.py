"""The matching engine: five outcomes, typo tolerance, declining what the FAQ does not cover.

Most assertions run against the bundled faq.yaml because that is what patients talk to; the
phrasings here are written as patients write, not copied from the FAQ's own alternates.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.faq import Faq, load_faq, parse_faq
from bot.matcher import Matcher, Status, Thresholds
from tests.conftest import BUNDLED_FAQ

# hypothesis runs a test many times per call, so it cannot use function-scoped fixtures
_MATCHER = Matcher(load_faq(BUNDLED_FAQ))
FULLWIDTH_HELLO = "".join(chr(ord(letter) + 0xFEE0) for letter in "hello")


def answered(matcher: Matcher, text: str) -> str | None:
    match = matcher.match(text)
    assert match.status in (Status.ANSWER, Status.SUGGEST, Status.NONE), match.status
    return match.entry.id if match.status is Status.ANSWER and match.entry else None


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("do you treat sciatica?", "condition-sciatica"),
        ("my jaw clicks and hurts", "condition-tmd"),
        ("heel pain in the morning", "condition-plantar-fasciitis"),
        ("lateral epicondylitis", "condition-tennis-elbow"),
        ("adhesive capsulitis", "condition-frozen-shoulder"),
        ("whats cupping", "type-cupping"),
        ("will massage help me sleep?", "reason-sleep"),
        ("which conditions do you treat?", "conditions"),
        ("What are 4 types of massage?", "massage-types"),
        ("what should I wear for a deep tissue massage", "deepest-massage"),
        ("DO U DO SPORTS MASSAGE 🏃", "type-sports"),
    ],
)
def test_answers_peoples_own_words(
    bundled_matcher: Matcher, question: str, entry_id: str
) -> None:
    assert answered(bundled_matcher, question) == entry_id


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("fibromialgia", "condition-fibromyalgia"),
        ("carpel tunnel", "condition-carpal-tunnel"),
        ("siatica", "condition-sciatica"),
        ("plantar fasciitus", "condition-plantar-fasciitis"),
        ("bak pain", "condition-neck-back-pain"),
        ("swedish masage", "type-swedish"),
    ],
)
def test_tolerates_typos(bundled_matcher: Matcher, question: str, entry_id: str) -> None:
    assert answered(bundled_matcher, question) == entry_id


@pytest.mark.parametrize(
    "question",
    [
        "what are your opening hours",
        "how much is a sports massage",
        "do you treat diabetes?",
        "can massage help my asthma",
        "do you do hot stone massage",
        "is massage safe during pregnancy",
        "what's the weather like",
        "qwerty",
        "",
        "?!",
    ],
)
def test_declines_what_the_faq_does_not_cover(bundled_matcher: Matcher, question: str) -> None:
    assert bundled_matcher.match(question).status is Status.NONE


@pytest.mark.parametrize(
    "question",
    [
        "I have crushing chest pain",
        "my chest hurts and my left arm is numb",
        "I can't breathe properly",
        "my face is drooping and my speech is slurred",
        "I want to kill myself",
        "I think I broke my wrist",
        "bleeding that won't stop",
        "worst headache of my life, came on suddenly",
        "sciatica and now I can't control my bladder",
        "my calf is swollen, red and hot",
    ],
)
def test_urgent_symptoms_win(bundled_matcher: Matcher, question: str) -> None:
    assert bundled_matcher.match(question).status is Status.URGENT


def test_urgent_wins_over_a_treated_condition(bundled_matcher: Matcher) -> None:
    assert answered(bundled_matcher, "migraine") == "condition-headaches-migraines"
    assert bundled_matcher.match("migraine but the worst headache ever").status is Status.URGENT


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Good evening!", "greeting"),
        ("thanks 🙏", "thanks"),
        ("bye", "goodbye"),
    ],
)
def test_smalltalk(bundled_matcher: Matcher, message: str, kind: str) -> None:
    match = bundled_matcher.match(message)
    assert match.status is Status.SMALLTALK
    assert match.smalltalk is not None
    assert match.smalltalk.name == kind


def test_a_greeting_before_a_question_still_gets_the_answer(bundled_matcher: Matcher) -> None:
    assert answered(bundled_matcher, "hi there, do you treat tennis elbow?") == (
        "condition-tennis-elbow"
    )


@pytest.mark.parametrize("vague", ["massage", "pain", "I hurt"])
def test_a_vague_message_gets_suggestions_not_a_guess(
    bundled_matcher: Matcher, vague: str
) -> None:
    match = bundled_matcher.match(vague)
    assert match.status is Status.SUGGEST
    assert 2 <= len(match.suggestions) <= 3
    scores = [suggestion.score for suggestion in match.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_every_document_question_word_for_word_is_answered(bundled_faq: Faq) -> None:
    matcher = Matcher(bundled_faq)
    for entry in bundled_faq.entries:
        match = matcher.match(entry.question)
        assert match.status is Status.ANSWER, entry.question
        assert match.entry == entry


TIE_FAQ = """\
disclaimer: Not medical advice.
fallback: Sorry.
urgent: {reply: Call for help., triggers: [chest pain]}
entries:
  - {id: one, topic: T, question: What is alpha massage?, answer: Alpha.}
  - {id: two, topic: T, question: What is beta massage?, answer: Beta.}
  - {id: three, topic: T, question: What is gamma therapy?, answer: Gamma.}
"""


def test_near_ties_become_suggestions() -> None:
    matcher = Matcher(parse_faq(TIE_FAQ))
    match = matcher.match("massage")
    assert match.status is Status.SUGGEST
    assert {s.entry.id for s in match.suggestions} == {"one", "two"}
    assert matcher.match("alpha massage").entry is not None


def test_thresholds_decide_between_answer_suggest_and_none() -> None:
    faq = parse_faq(TIE_FAQ)
    strict = Matcher(faq, Thresholds(answer=101))
    assert strict.match("alpha massage").status is Status.SUGGEST
    lenient = Matcher(faq, Thresholds(suggest=0, answer=0, margin=0))
    assert lenient.match("alpha massage").status is Status.ANSWER


def test_not_covered_topics_outweigh_a_matching_word() -> None:
    matcher = Matcher(parse_faq(TIE_FAQ + "not_covered: [price, gift card]\n"))
    plain = matcher.match("alpha massage")
    priced = matcher.match("alpha massage price")
    assert plain.status is Status.ANSWER
    assert priced.score < plain.score
    assert matcher.match("alpha gift card").status is Status.NONE


def test_synonyms_apply_to_both_sides() -> None:
    text = TIE_FAQ + "synonyms: {alpha: [first]}\n"
    matcher = Matcher(parse_faq(text))
    match = matcher.match("first massage")
    assert match.entry is not None
    assert match.entry.id == "one"


@pytest.mark.parametrize(
    "hostile",
    ["", " ", "\x00" * 50, "a" * 100_000, "🙂" * 500, "\u202e\u200b\ufeff", "%s %d {0}",
     "'; DROP TABLE faq; --", "<script>alert(1)</script>", FULLWIDTH_HELLO, "مرحبا", "\ud800"],
)
def test_match_never_raises_on_hostile_strings(bundled_matcher: Matcher, hostile: str) -> None:
    match = bundled_matcher.match(hostile)
    assert match.status in set(Status)
    assert 0 <= match.score <= 100


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_match_never_raises_on_any_text(text: str) -> None:
    match = _MATCHER.match(text)
    assert match.status in set(Status)
    assert 0 <= match.score <= 100
    assert (match.entry is not None) == (match.status is Status.ANSWER)
    assert (match.smalltalk is not None) == (match.status is Status.SMALLTALK)


def test_typo_corrections_are_bounded_in_memory(bundled_matcher: Matcher) -> None:
    for n in range(200):
        bundled_matcher.match(f"zzqx{n}word")
    assert len(bundled_matcher._corrections) <= 50_000

