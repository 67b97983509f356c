"""bot.context: reading a typed pick, and the per-chat memory of the last list (TTL, cap);
the memory of the last answer, and the follow-ups read against it.

Through the real application: tests/test_handlers.py, "follow-ups"; the terminal chat:
tests/test_cli.py.
"""

from __future__ import annotations

import pytest

from bot.context import (
    ANSWERS_KEY,
    CHOICES_KEY,
    CHOICES_TTL,
    LAST,
    MAX_CHATS,
    MAX_SUBJECT_WORDS,
    FollowUp,
    More,
    RecentAnswers,
    RecentChoices,
    answers_in,
    choices_in,
    framed_question,
    more_text,
    parse_follow_up,
    parse_pick,
    pick_from,
    read_follow_up,
)
from bot.faq import Entry, Faq
from bot.matcher import Match, Matcher, Status


@pytest.mark.parametrize(("text", "position"), [
    ("1", 1), ("2.", 2), ("#3", 3), ("3)", 3), (" 4 ", 4), ("# 2", 2), ("10", 10),
    ("number 2", 2), ("No. 2", 2), ("option 3", 3), ("number two", 2),
    ("first", 1), ("First!", 1), ("the second one", 2), ("The 2nd", 2), ("third", 3),
    ("the last one", LAST), ("last", LAST), ("the first one please", 1),
    ("tell me more about the second one", 2), ("I\u2019ll take the third", 3),
])
def test_picks_are_read(text: str, position: int) -> None:
    assert parse_pick(text) == position


@pytest.mark.parametrize("text", [
    "", "0.5", "911", "112", "2 sessions", "what is 1", "first visit", "the second session",
    "do you treat sciatica?", "one", "second opinion", "last appointment", "1 2",
])
def test_anything_else_is_not_a_pick(text: str) -> None:
    assert parse_pick(text) is None


def test_pick_from_counts_from_one_and_last_is_the_last() -> None:
    choices = ("a:x", "a:y", "a:z")
    assert pick_from(choices, 1) == "a:x"
    assert pick_from(choices, 3) == "a:z"
    assert pick_from(choices, LAST) == "a:z"
    assert pick_from(choices, 0) is None
    assert pick_from(choices, 4) is None
    assert pick_from((), LAST) is None


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def test_a_list_is_kept_for_the_ttl_then_forgotten() -> None:
    clock = Clock()
    memory = RecentChoices(clock=clock)
    memory.remember(1, ["a:x", "a:y"])
    clock.now += CHOICES_TTL
    assert memory.current(1) == ("a:x", "a:y")
    clock.now += 0.001
    assert memory.current(1) is None
    assert len(memory) == 0  # an expired list is dropped, not kept


def test_the_ttl_is_minutes_not_hours() -> None:
    assert 60 <= CHOICES_TTL <= 30 * 60


def test_each_chat_has_its_own_list_and_the_newest_replaces_the_old() -> None:
    memory = RecentChoices()
    memory.remember(1, ["a:x"])
    memory.remember(2, ["a:y", "a:z"])
    memory.remember(1, ["p:t:x", "p:t:y"])
    assert memory.current(1) == ("p:t:x", "p:t:y")
    assert memory.current(2) == ("a:y", "a:z")
    assert memory.current(3) is None


def test_a_reply_without_choices_leaves_the_list_and_its_time() -> None:
    clock = Clock()
    memory = RecentChoices(clock=clock)
    memory.remember(1, ["a:x"])
    clock.now += CHOICES_TTL - 1
    memory.remember(1, [])
    assert memory.current(1) == ("a:x",)
    clock.now += 2
    assert memory.current(1) is None  # the empty "list" did not renew it


def test_past_the_cap_the_oldest_list_is_forgotten_first() -> None:
    clock = Clock()
    memory = RecentChoices(max_chats=3, clock=clock)
    for chat in (1, 2, 3):
        memory.remember(chat, [f"a:{chat}"])
        clock.now += 1
    memory.remember(1, ["a:again"])  # chat 1 shown again: now the newest
    memory.remember(4, ["a:4"])
    assert len(memory) == 3
    assert memory.current(2) is None  # the oldest list went
    assert memory.current(1) == ("a:again",)
    assert memory.current(3) == ("a:3",)
    assert memory.current(4) == ("a:4",)


def test_the_cap_is_a_bound_on_memory() -> None:
    assert 100 <= MAX_CHATS <= 100_000


def test_forget() -> None:
    memory = RecentChoices()
    memory.remember(1, ["a:x"])
    memory.forget(1)
    memory.forget(2)  # nothing to forget: fine
    assert memory.current(1) is None


def test_choices_in_creates_one_and_keeps_an_injected_one() -> None:
    bot_data: dict[object, object] = {}
    created = choices_in(bot_data)
    assert choices_in(bot_data) is created
    injected = RecentChoices(ttl=1)
    bot_data[CHOICES_KEY] = injected
    assert choices_in(bot_data) is injected


# -- the last answer, and follow-ups read against it ----------------------------------------


def test_the_last_answer_is_kept_for_the_ttl_per_chat_then_forgotten() -> None:
    clock = Clock()
    memory = RecentAnswers(clock=clock)
    memory.remember(1, "gout")
    memory.remember(2, "cupping")
    memory.remember(1, "swedish")  # the newest answer replaces the older one
    clock.now += CHOICES_TTL
    assert memory.current(1) == "swedish"
    assert memory.current(2) == "cupping"
    clock.now += 0.001
    assert memory.current(1) is None
    assert len(memory) == 1  # chat 1's expired answer was dropped when looked up
    memory.forget(2)
    assert len(memory) == 0


def test_past_the_cap_the_chat_answered_longest_ago_is_forgotten() -> None:
    clock = Clock()
    memory = RecentAnswers(max_chats=2, clock=clock)
    for chat in (1, 2, 3):
        memory.remember(chat, f"entry-{chat}")
        clock.now += 1
    assert len(memory) == 2
    assert memory.current(1) is None
    assert memory.current(3) == "entry-3"


def test_answers_in_creates_one_and_keeps_an_injected_one() -> None:
    bot_data: dict[object, object] = {}
    created = answers_in(bot_data)
    assert answers_in(bot_data) is created
    injected = RecentAnswers(ttl=1)
    bot_data[ANSWERS_KEY] = injected
    assert answers_in(bot_data) is injected


@pytest.mark.parametrize(("text", "subject"), [
    ("How about my lower back?", "my lower back"),
    ("and for the kids?", "the kids"),
    ("AND shoulders", "shoulders"),
    ("also cupping!", "cupping"),
    ("same for my wife", "my wife"),
    ("what if I'm pregnant", "I'm pregnant"),
    ("okay, and what about plantar fasciitis?", "plantar fasciitis"),
    ("What about  for runners", "runners"),
])
def test_a_cue_and_a_new_subject_is_a_follow_up(text: str, subject: str) -> None:
    assert parse_follow_up(text) == FollowUp(subject)


@pytest.mark.parametrize("text", [
    "Tell me more", "more?", "More info please", "any more details", "details", "Why?",
    "why is that", "how so?", "go on", "can you elaborate?", "tell me more about that",
])
def test_asking_for_more_is_a_follow_up_without_a_subject(text: str) -> None:
    assert parse_follow_up(text) == FollowUp(None)


@pytest.mark.parametrize("text", [
    "", "and", "what about", "do you treat gout?", "Andrew recommended you",
    "more than once a week?", "why do people get massages",
    # past MAX_SUBJECT_WORDS the rest is a question of its own
    "and what happens if a massage for my back and neck goes wrong halfway through",
])
def test_anything_else_is_no_follow_up(text: str) -> None:
    assert parse_follow_up(text) is None


def test_a_subject_is_a_few_words() -> None:
    assert 3 <= MAX_SUBJECT_WORDS <= 8


def test_the_frame_of_a_question_is_what_its_topic_shares(bundled_faq: Faq) -> None:
    def framed(entry_id: str, subject: str) -> str:
        entry = bundled_faq.get(entry_id)
        assert entry is not None
        return framed_question(bundled_faq, entry, subject)

    assert framed("condition-sciatica", "my heel") == "Do you treat my heel"
    assert framed("type-swedish", "hot stone") == "What is hot stone massage"
    assert framed("reason-anxiety", "grief") == "Can massage grief"
    # no topic to compare with: the subject is added to the question
    lone = Entry(id="x", topic="", question="Is it safe?", answer="Yes.")
    assert framed_question(bundled_faq, lone, "for kids") == "Is it safe for kids"


def _read(matcher: Matcher, last_id: str | None, text: str) -> Match | More | None:
    last = matcher.faq.get(last_id) if last_id else None
    return read_follow_up(matcher, last, text, matcher.match(text))


def test_a_new_subject_is_read_in_the_frame_of_the_last_question(
    bundled_matcher: Matcher,
) -> None:
    # alone, "and my feet?" is unsure; after "Do you treat sciatica?", it asks whether
    # the practice treats feet: plantar fasciitis
    assert bundled_matcher.match("and my feet?").status is not Status.ANSWER
    read = _read(bundled_matcher, "condition-sciatica", "and my feet?")
    assert isinstance(read, Match)
    assert read.status is Status.ANSWER
    assert read.entry is not None
    assert read.entry.id == "condition-plantar-fasciitis"


def test_without_a_last_answer_nothing_is_read_in_context(bundled_matcher: Matcher) -> None:
    for text in ("and my feet?", "tell me more", "why?"):
        assert _read(bundled_matcher, None, text) is None


def test_an_answered_message_is_answered_as_it_is_even_after_an_answer(
    bundled_matcher: Matcher,
) -> None:
    assert _read(bundled_matcher, "condition-sciatica", "and for migraines?") is None
    assert _read(bundled_matcher, "type-swedish", "do you treat sciatica?") is None


def test_a_subject_that_refers_back_is_not_put_in_the_frame(bundled_matcher: Matcher) -> None:
    read = _read(bundled_matcher, "condition-sciatica", "what if it hurts?")
    assert not (isinstance(read, Match) and read.entry is not None)


def test_an_urgent_follow_up_is_the_urgent_reply(bundled_matcher: Matcher) -> None:
    text = "what about crushing chest pain right now?"
    assert bundled_matcher.match(text).status is Status.URGENT
    assert _read(bundled_matcher, "condition-sciatica", text) is None  # whole: urgent


def test_tell_me_more_offers_the_related_entries_or_says_there_are_none(
    bundled_matcher: Matcher,
) -> None:
    more = _read(bundled_matcher, "massage-types", "tell me more")
    assert isinstance(more, More)
    assert [entry.id for entry in more.entries] == [
        "type-swedish", "type-deep-tissue", "type-sports", "type-cupping"
    ]
    assert more_text(more) == "More on \u201cWhat are 4 types of massage?\u201d:"
    nothing = _read(bundled_matcher, "disclaimer", "why?")
    assert isinstance(nothing, More)
    assert nothing.entries == ()
    assert more_text(nothing).startswith("That's all I have on")
    assert "/topics" in more_text(nothing)
