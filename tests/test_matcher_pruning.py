"""The matcher scores only the entries that can change a decision (`Matcher._contenders`).

That is a speed-up and nothing else: for every message it must give exactly the Match that
scoring every entry gives (`match(text, exhaustive=True)`). Checked on the bundled FAQ with
every labelled question, on a generated FAQ of a few hundred entries (where common words reach
most entries), and on random messages made of the FAQ's own words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BUNDLED_FAQ, REPO, SHARED
from helpers.scripts import load_script
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import matcher as matcher_module
from bot.faq import load_faq, parse_faq
from bot.matcher import Matcher, Status
from bot.text import words

QUESTION_FILES = [SHARED / "eval" / "dev.jsonl", *sorted((REPO / "tests/data").glob("*.jsonl"))]


def labelled_questions() -> list[str]:
    questions = []
    for path in QUESTION_FILES:
        if path.is_file():
            questions += [json.loads(line)["q"] for line in path.read_text().splitlines() if line]
    return questions


@pytest.fixture(scope="module", params=[matcher_module._STRONG_BLOCK, 1])
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Matcher, list[str]]:
    """A 400-entry FAQ; once with the real first block per term, and once with a first block
    of one entry, so that nearly every entry comes through the later, wider steps."""
    bench = load_script("bench_match")
    faq = bench.generate_faq(400)
    path: Path = tmp_path_factory.mktemp("generated") / "faq.yaml"
    path.write_text(faq.text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matcher_module, "_STRONG_BLOCK", request.param)
        matcher = Matcher(load_faq(path))
    return matcher, faq.questions


_BUNDLED = Matcher(load_faq(BUNDLED_FAQ))


def vocabulary(matcher: Matcher) -> list[str]:
    return sorted(
        {word for entry in matcher.faq.entries for text in entry.phrasings for word in words(text)}
    )


def test_every_labelled_question_gets_the_exhaustive_decision() -> None:
    questions = labelled_questions()
    assert len(questions) > 1000
    differ = [q for q in questions if _BUNDLED.match(q) != _BUNDLED.match(q, exhaustive=True)]
    assert differ == []


def test_a_big_faq_gets_the_exhaustive_decision(generated: tuple[Matcher, list[str]]) -> None:
    matcher, about_entries = generated
    questions = labelled_questions()[::3] + about_entries[::2]
    outcomes = [matcher.match(q) for q in questions]
    differ = [
        q for q, match in zip(questions, outcomes, strict=True)
        if match != matcher.match(q, exhaustive=True)
    ]
    assert differ == []
    # the comparison means something only if it covers every kind of decision
    statuses = {match.status for match in outcomes}
    assert {Status.ANSWER, Status.SUGGEST, Status.NONE} <= statuses


def test_a_near_tie_far_down_a_common_word_still_blocks_the_answer(
    generated: tuple[Matcher, list[str]],
) -> None:
    # "massage" is in almost every generated entry; the pruned search must still find every
    # entry close enough to take away an answer's margin, not just the strongest holders.
    matcher, _ = generated
    for question in ["massage", "massage help", "clinical massage help pain"]:
        assert matcher.match(question) == matcher.match(question, exhaustive=True), question


# "sports" holds "massage" only in a long phrasing (so not in the first block of "massage"
# holders) and "cupping" only in its answer: it is reached late, through the answer text.
LATE_FAQ = """\
disclaimer: General information, not medical advice.
fallback: Sorry.
urgent: {reply: Call now., triggers: [chest pain]}
entries:
  - {id: cupping, topic: T, question: Do you offer cupping therapy?, answer: Yes.}
  - id: sports
    topic: T
    question: What is sports massage for runners and athletes?
    answer: Sports massage may include cupping.
  - {id: deep, topic: T, question: What is deep tissue massage?, answer: Firm pressure.}
  - {id: relax, topic: T, question: Is massage relaxing?, answer: Often.}
  - {id: vouchers, topic: T, question: Do you offer gift vouchers?, answer: No.}
"""


def test_an_entry_reached_only_through_its_answer_text_is_not_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matcher_module, "_STRONG_BLOCK", 1)
    matcher = Matcher(parse_faq(LATE_FAQ))
    for message in ["cupping massage", "massage with cupping", "sports cupping", "cupping"]:
        assert matcher.match(message) == matcher.match(message, exhaustive=True), message
    assert_same_decisions_on_random_messages(matcher)


def assert_same_decisions_on_random_messages(matcher: Matcher) -> None:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from(vocabulary(matcher)), min_size=1, max_size=8))
    def same_decision(chosen: list[str]) -> None:
        message = " ".join(chosen)
        assert matcher.match(message) == matcher.match(message, exhaustive=True)

    same_decision()


def test_any_message_of_faq_words_gets_the_exhaustive_decision() -> None:
    assert_same_decisions_on_random_messages(_BUNDLED)


def test_any_message_of_a_big_faqs_words_gets_the_exhaustive_decision(
    generated: tuple[Matcher, list[str]],
) -> None:
    assert_same_decisions_on_random_messages(generated[0])
