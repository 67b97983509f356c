"""bot.context: reading a typed pick, and the per-chat memory of the last list (TTL, cap).

Through the real application: tests/test_handlers.py, "follow-ups".
"""

from __future__ import annotations

import pytest

from bot.context import (
    CHOICES_KEY,
    CHOICES_TTL,
    LAST,
    MAX_CHATS,
    RecentChoices,
    choices_in,
    parse_pick,
    pick_from,
)


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
