"""Grouping unanswered questions: paraphrases meet, different topics stay apart, counts add up."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.grouping import THRESHOLD, Asked, Group, group_questions, key, similarity

MAY = date(2024, 5, 1)


def asked(
    text: str, count: int = 1, day: int = 1, outcome: str = "none", chosen: str | None = None
) -> Asked:
    return Asked(text, count, date(2024, 5, day), outcome, chosen)


def examples(groups: list[Group]) -> list[str]:
    return [group.example for group in groups]


def test_paraphrases_share_a_group_led_by_the_most_asked_wording() -> None:
    groups = group_questions([
        asked("how much does a session cost", 2),
        asked("How much is a session?", 5),
        asked("how much for a 60 minute session", 1),
        asked("do you have parking", 1),
        asked("is there parking nearby?", 1),
        asked("parking?", 1),
    ])
    assert [(group.example, group.count) for group in groups] == [
        ("How much is a session?", 8),
        ("do you have parking", 3),
    ]
    assert groups[0].variants == (
        "how much does a session cost", "how much for a 60 minute session"
    )


def test_typos_and_word_order_do_not_split_a_group() -> None:
    groups = group_questions([
        asked("do you do acupuncture"), asked("acupunture?"), asked("acupuncture do you do"),
    ])
    assert len(groups) == 1
    assert groups[0].count == 3


def test_different_topics_stay_apart() -> None:
    texts = [
        "how much is a session", "do you have parking", "can I pay by card",
        "are you open on sunday", "do you do acupuncture", "is reiki any good",
    ]
    groups = group_questions([asked(text) for text in texts])
    assert len(groups) == len(texts)


def test_one_shared_word_does_not_make_a_group() -> None:
    assert similarity(key("massage"), key("deep tissue massage for back pain")) < THRESHOLD
    assert similarity(key("who is the therapist"), key("are you hiring massage therapists")) < (
        THRESHOLD
    )
    groups = group_questions([asked("massage", 3), asked("deep tissue massage for back pain")])
    assert len(groups) == 2
    # ...but a short question still meets a slightly longer one about the same thing
    assert similarity(key("parking?"), key("is there parking")) == 100


def test_groups_ordered_by_count_then_newest_and_counts_split_by_outcome() -> None:
    groups = group_questions([
        asked("do you sell gift vouchers", 1, day=3),
        asked("is there parking", 2, day=1),
        asked("is there parking", 1, day=9, outcome="suggest", chosen="location"),
        asked("parking nearby?", 1, day=4, outcome="suggest", chosen="location"),
        asked("parking nearby?", 1, day=5, outcome="suggest"),
        asked("can I bring my dog", 1, day=7),
    ])
    assert examples(groups) == [
        "is there parking", "can I bring my dog", "do you sell gift vouchers"
    ]
    parking = groups[0]
    assert (parking.count, parking.declined, parking.suggested) == (5, 2, 3)
    assert parking.picked == (("location", 2),)
    assert parking.last_asked == date(2024, 5, 9)


def test_json_form() -> None:
    [group] = group_questions([asked("gift vouchers?", 2, outcome="suggest", chosen="gifts")])
    assert group.as_json() == {
        "count": 2, "example": "gift vouchers?", "last_asked": "2024-05-01", "declined": 0,
        "suggested": 2, "picked": [{"entry_id": "gifts", "count": 2}], "variants": [],
    }


def test_placeholders_and_empty_keys_do_not_crash() -> None:
    groups = group_questions([asked("[phone]"), asked("???"), asked("what?"), asked("")])
    assert sum(group.count for group in groups) == 4


def test_nothing_asked_no_groups() -> None:
    assert group_questions([]) == []


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(1, 50)), max_size=30))
def test_every_question_counted_once(rows: list[tuple[str, int]]) -> None:
    groups = group_questions([Asked(text, count, MAY) for text, count in rows])
    assert sum(group.count for group in groups) == sum(count for _, count in rows)
    counts = [group.count for group in groups]
    assert counts == sorted(counts, reverse=True)
