"""Grouping similar unanswered questions, so the admin sees "how much is a session" once, x12.

Pure: no I/O, no Telegram. `group_questions` takes the distinct stored questions with their
counts and returns groups, most asked first. Two questions are compared on their content words
(normalised and stemmed as the matcher does, stopwords dropped) by the mean of two rapidfuzz
scores: token_set_ratio, so extra words do not split a group ("session price" ~ "price of one
session please"), and token_sort_ratio, so one shared word is not enough on its own
(token_set_ratio alone calls "massage" 100% like "deep tissue massage for back pain", and "who
is the therapist" 82% like "are you hiring massage therapists"). Both forgive typos and word
order. Clustering is greedy by frequency: each question joins the group whose first (most
asked) question it resembles best, or starts a new one, so every group is led by its commonest
wording.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from bot.text import STOPWORDS, stem, words

# Similarity (0-100) needed to join a group; tuned on paraphrases of unanswered questions
# (see tests/test_grouping.py).
THRESHOLD = 75.0
# Each group shows this many other wordings besides its example.
VARIANTS = 3


@dataclass(frozen=True)
class Asked:
    """One distinct stored question and how it went: `count` times, last on `last_asked`.

    `outcome` is "none" (declined) or "suggest"; `chosen` the suggestion picked, if any.
    """

    text: str
    count: int
    last_asked: date
    outcome: str = "none"
    chosen: str | None = None


@dataclass(frozen=True)
class Group:
    """Similar questions: the most asked wording as `example`, counts and what people picked."""

    example: str
    count: int
    last_asked: date
    declined: int
    suggested: int
    picked: tuple[tuple[str, int], ...]  # (entry id, times picked), most picked first
    variants: tuple[str, ...]  # other wordings, most asked first

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "example": self.example,
            "last_asked": self.last_asked.isoformat(),
            "declined": self.declined,
            "suggested": self.suggested,
            "picked": [{"entry_id": entry_id, "count": n} for entry_id, n in self.picked],
            "variants": list(self.variants),
        }


def key(text: str) -> str:
    """What two questions are compared on: their stemmed content words, or all words if none."""
    folded = words(text)
    content = [stem(word) for word in folded if word not in STOPWORDS]
    return " ".join(content or folded)


def similarity(a: str, b: str, **_: Any) -> float:
    """How alike two keys are, 0-100 (a rapidfuzz scorer: it accepts score_cutoff & co)."""
    if not a or not b:
        return 100.0 if a == b else 0.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def group_questions(asked: Iterable[Asked], threshold: float = THRESHOLD) -> list[Group]:
    """Similar questions grouped; groups ordered by count, then by when last asked (newest)."""
    # One row per distinct text: the same wording may come as several (outcome, chosen) rows.
    texts: dict[str, list[Asked]] = {}
    for row in asked:
        texts.setdefault(row.text, []).append(row)
    ordered = sorted(
        texts.items(),
        key=lambda item: (
            -sum(row.count for row in item[1]),
            -max(row.last_asked for row in item[1]).toordinal(),
            item[0],
        ),
    )
    leaders: list[str] = []  # each group's first key, the one newcomers are compared with
    members: list[list[tuple[str, list[Asked]]]] = []
    for text, rows in ordered:
        text_key = key(text)
        found = process.extractOne(
            text_key, leaders, scorer=similarity, score_cutoff=threshold
        ) if leaders else None
        if found is None:
            leaders.append(text_key)
            members.append([(text, rows)])
        else:
            members[found[2]].append((text, rows))
    groups = [_group(items) for items in members]
    groups.sort(key=lambda group: (-group.count, -group.last_asked.toordinal()))
    return groups


def _group(items: list[tuple[str, list[Asked]]]) -> Group:
    rows = [row for _, text_rows in items for row in text_rows]
    picked = Counter[str]()
    for row in rows:
        if row.chosen is not None:
            picked[row.chosen] += row.count
    return Group(
        example=items[0][0],
        count=sum(row.count for row in rows),
        last_asked=max(row.last_asked for row in rows),
        declined=sum(row.count for row in rows if row.outcome == "none"),
        suggested=sum(row.count for row in rows if row.outcome == "suggest"),
        picked=tuple(sorted(picked.items(), key=lambda item: (-item[1], item[0]))),
        variants=tuple(text for text, _ in items[1 : VARIANTS + 1]),
    )
