"""A rough key of how a word sounds, so a medical word spelt by ear still finds its entry.

Typo correction (`Matcher.correct`) allows a letter or two of difference. People who have only
heard a word ("psyatica", "fibermyalgia"), and voice-to-text that splits one into everyday
words ("sigh attica", "fiber my algae"), stray further than that in letters but hardly in
sound. The key folds away the spellings English writers confuse: the silent letters ("ps-",
"-gh-", "h"), c/k/q and c/s, ph/f, doubled letters, and the vowels, whose exact letters are
the least reliable part of a word heard (a run of vowels is one mark).
"""

from __future__ import annotations

import re

# Applied in order, on a lowercase word of letters.
_START = re.compile(r"^(?:ps|pn|kn|gn|wr)")  # the first letter is silent
_SOFT_C = re.compile(r"s?c(?=[eiy])")  # "sciatica", "cervical": c sounds as s
_SPELLINGS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"(?<=.)gh"), ""),  # "sigh", "though"
    (re.compile(r"sch"), "sk"),
    (re.compile(r"ck|q|c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(?<=.)h"), ""),  # "rheumatism", "shin" ~ "sin": h is mostly silent or a tint
    (re.compile(r"[aeiouy]+"), "a"),
    (re.compile(r"([^a])\1+"), r"\1"),  # doubled consonants ("attica")
)


def sound_key(word: str) -> str:
    """The key of how `word` sounds: equal for "sciatica", "psyatica" and "sighattica"."""
    key = _START.sub(lambda found: found.group()[1], word.lower())
    key = _SOFT_C.sub("s", key)
    for pattern, replacement in _SPELLINGS:
        key = pattern.sub(replacement, key)
    return key
