"""Everyday English words, so the matcher can tell ordinary chatter from a misspelling.

The list (bot/data/common_words.txt, SCOWL size 35, see scripts/make_common_words.py) is read
once per process, on first use. Words in it are never "corrected" into an FAQ word ("hammering"
is not a typo of "hamstring"), and an everyday word the FAQ never uses ("kettle", "lorry")
weighs less than an unknown rare word ("cortisol", "cervicalgia"), which is more likely the
topic of the question.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def common_words() -> frozenset[str]:
    """The everyday words, normalised like incoming messages (lowercase, no apostrophes)."""
    text = resources.files("bot").joinpath("data/common_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
