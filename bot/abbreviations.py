"""Abbreviations people type, spelled out for the sentence model.

"OA in my left hip", "DOMS after leg day", "my GP says": the model learnt few such
abbreviations, and an admin's FAQ seldom spells them out. The matcher gives the model the
message with each known abbreviation followed by its words in brackets ("OA (osteoarthritis)
in my left hip"): the abbreviation stays, for a FAQ whose keywords name it. The list is the
bot's own (bot/data/abbreviations.yaml), general patient vocabulary, not one FAQ's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.package_data import package_yaml

DATA = "data/abbreviations.yaml"

# A word of letters and digits: an abbreviation, or one with a plural "s" ("UTIs").
_WORD = re.compile(r"\b[A-Za-z0-9]{2,8}\b")


@dataclass(frozen=True)
class Abbreviations:
    """Abbreviations read as written (upper case), and the folded ones read in any case."""

    as_written: dict[str, str]
    any_case: dict[str, str]

    def spelled_out(self, text: str) -> str:
        """`text` with each abbreviation it holds followed by its words in brackets, unless
        the text already says them."""
        folded = text.casefold()

        def spell(found: re.Match[str]) -> str:
            word = found.group(0)
            meaning = self.meaning(word)
            if meaning is None and word.endswith("s"):
                meaning = self.meaning(word[:-1])
            if meaning is None or meaning in folded:
                return word
            return f"{word} ({meaning})"

        return _WORD.sub(spell, text)

    def meaning(self, word: str) -> str | None:
        """What an abbreviation stands for, or None for a word that is none."""
        return self.as_written.get(word) or self.any_case.get(word.casefold())


@cache
def abbreviations() -> Abbreviations:
    """The built-in abbreviations, read once per process. A mistake in the file is a bug in
    the bot, found by the tests."""
    data = package_yaml(DATA)
    table = data.get("abbreviations") if isinstance(data, dict) else None
    any_case = data.get("any_case") if isinstance(data, dict) else None
    if not (
        isinstance(table, dict)
        and all(
            isinstance(key, str) and key == key.upper() and isinstance(value, str)
            for key, value in table.items()
        )
        and isinstance(any_case, list)
        and all(isinstance(key, str) and key.upper() in table for key in any_case)
    ):
        raise ValueError(
            f"bot/{DATA}: needs `abbreviations` (UPPER: words) and `any_case`, a list of them"
        )
    return Abbreviations(
        as_written={key: value.casefold() for key, value in table.items()},
        any_case={key.casefold(): table[key.upper()].casefold() for key in any_case},
    )
