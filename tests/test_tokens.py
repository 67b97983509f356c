"""The token store behind the hand-off's pending questions and the teach flow's held ones."""

from __future__ import annotations

from bot.teaching import TEACH_SECONDS, Held, TeachRequests, teaching_in
from bot.tokens import TokenStore


def frozen() -> float:
    return 1000.0


def test_an_item_is_held_under_its_token_and_taken_once() -> None:
    store: TokenStore[str] = TokenStore(ttl=60, limit=10, clock=frozen)
    token = store.hold(1, "question")
    assert store.get(1, token) == "question"
    assert store.get(1, token) == "question"  # get leaves it held
    assert store.take(1, token) == "question"
    assert store.take(1, token) is None  # a second press finds nothing
    assert store.get(1, token) is None
    assert store.hold(1, "a") != store.hold(1, "b")


def test_a_token_from_another_chat_finds_nothing() -> None:
    store: TokenStore[str] = TokenStore(ttl=60, limit=10, clock=frozen)
    token = store.hold(1, "question")
    assert store.get(2, token) is None
    assert store.take(2, token) is None
    assert store.keep(2, token) is None
    assert store.take(1, token) == "question"


def test_items_expire_after_the_ttl_and_keep_starts_the_wait_again() -> None:
    now = [1000.0]  # the injected clock reads it
    store: TokenStore[str] = TokenStore(ttl=60, limit=10, clock=lambda: now[0])
    first = store.hold(1, "first")
    second = store.hold(1, "second")
    now[0] += 50
    assert store.keep(1, first) == "first"
    now[0] += 20  # 70 s after holding, 20 s after keeping
    assert store.get(1, second) is None
    assert store.get(1, first) == "first"
    assert len(store) == 1
    now[0] += 40
    assert store.take(1, first) is None
    assert len(store) == 0


def test_beyond_the_limit_the_oldest_go_first() -> None:
    store: TokenStore[int] = TokenStore(ttl=60, limit=3, clock=frozen)
    tokens = [store.hold(chat, chat) for chat in range(5)]
    assert len(store) == 3
    assert [store.get(chat, token) for chat, token in enumerate(tokens)] == [None, None, 2, 3, 4]


def test_teach_requests_hold_questions_for_teach_seconds() -> None:
    now = [1000.0]
    requests = TeachRequests(clock=lambda: now[0])
    token = requests.hold(7, Held("a question", "abc123"))
    now[0] += TEACH_SECONDS - 1
    assert requests.get(7, token) == Held("a question", "abc123")
    now[0] += 1
    assert requests.get(7, token) is None


def test_teaching_in_makes_one_and_keeps_an_injected_one() -> None:
    bot_data: dict[str, object] = {"teaching": "not a store"}
    created = teaching_in(bot_data)
    assert isinstance(created, TeachRequests)
    assert teaching_in(bot_data) is created
    injected = TeachRequests(ttl=1)
    bot_data["teaching"] = injected
    assert teaching_in(bot_data) is injected
