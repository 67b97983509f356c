"""Which of the FAQ's not-covered topics its own entries cover, and so no longer count.

`not_covered` lists topics the FAQ does not answer (prices, opening hours, other treatments),
in named groups, one topic a group. An admin who adds an entry about one of them ("What are your
opening hours?") means the bot to answer it; the list must not keep hiding it. Two rules:

- An entry whose question or alternate holds one of a group's phrases covers the group's topic:
  the whole group stops counting, and its phrases become the entry's keywords for matching
  ("what time", "closing time" and "open on weekends" lead to the opening-hours entry, though
  they share no word with its question). In a flat list, each phrase is a topic of its own.
- A phrase whose content words all name what one entry's question asks about ("are you open"
  beside "Are you open on Sundays?") does not count either. A word names a subject when the
  questions and alternates of at most SUBJECT_SPREAD entries use it: one used by many
  ("therapy", "massage") is the FAQ's common vocabulary, and a phrase of it ("how many
  sessions") is a line the practice draws.

The matcher's indexes are built from `covered(faq, speller)`; the Faq itself, which replies and
`faq-bot check` read, is left as the admin wrote it. A message that names a taken-over phrase
is still about its topic: the lexical index counts it against the entries that do not cover it,
as it counts a not-covered phrase against every entry that lacks it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bot.faq import Entry, Faq
from bot.lexical import content_terms
from bot.spelling import Speller

# A term in the questions and alternates of at most this many entries names their subject
# ("hours" or "insurance" in a FAQ of dozens of entries); "massage" is in 43 of the bundled 45
# and "therapy" in 7.
SUBJECT_SPREAD = 2


@dataclass(frozen=True)
class Takeover:
    """A not-covered group an entry covers: the phrase of it the entry's question (or an
    alternate) holds."""

    entry: Entry
    group: str
    phrase: str
    phrases: int  # how many phrases the group has


@dataclass(frozen=True)
class Coverage:
    """The FAQ as the matcher reads it: without the not-covered phrases its entries cover, and
    with each covered group's phrases among the keywords of the entries that cover it; and those
    phrases, each with the entries (by place) it now leads to. A message that names one is
    still about that topic: an entry that does not cover it is not what it asks about."""

    faq: Faq
    owners: Mapping[str, frozenset[int]] = field(default_factory=dict)
    # each group an entry covers, once per entry, in file order: what `faq-bot check` and a
    # reload tell the admin (bot.lint.taken_over)
    takeovers: tuple[Takeover, ...] = ()


def covered(faq: Faq, speller: Speller) -> Coverage:
    """How the matcher reads `faq` (see Coverage)."""
    if not faq.not_covered:
        return Coverage(faq)
    group_of = {phrase: faq.not_covered_group.get(phrase, phrase) for phrase in faq.not_covered}
    folded = {phrase: " ".join(speller.terms(phrase)) for phrase in faq.not_covered}
    claims: dict[str, dict[int, str]] = {}  # group -> the entries that cover it, with a phrase
    for phrase, index in _claimed_phrases(faq, speller, folded):
        claims.setdefault(group_of[phrase], {}).setdefault(index, phrase)
    named = _subjects(faq, speller)
    kept = tuple(
        phrase for phrase in faq.not_covered
        if folded[phrase] and group_of[phrase] not in claims
        and not _names_a_subject(content_terms(speller, phrase), named)
    )
    if not claims:
        return Coverage(replace(faq, not_covered=kept))
    sizes = Counter(group_of.values())
    takeovers = tuple(
        Takeover(faq.entries[index], group, phrase, sizes[group])
        for index, group, phrase in sorted(
            (index, group, phrase)
            for group, entries in claims.items() for index, phrase in entries.items()
        )
    )
    taken: dict[int, list[str]] = {}
    owners: dict[str, frozenset[int]] = {}
    for phrase in faq.not_covered:
        if (group := group_of[phrase]) in claims:
            owners[phrase] = frozenset(claims[group])
            for index in claims[group]:
                taken.setdefault(index, []).append(phrase)
    entries = tuple(
        replace(entry, keywords=(*entry.keywords, *taken[index])) if index in taken else entry
        for index, entry in enumerate(faq.entries)
    )
    return Coverage(replace(faq, not_covered=kept, entries=entries), owners, takeovers)


def _claimed_phrases(
    faq: Faq, speller: Speller, folded: Mapping[str, str]
) -> list[tuple[str, int]]:
    """Each (phrase, entry's place) where the entry's question or an alternate holds the phrase
    (`folded`: each phrase's terms), in the order of the phrases. Every question is one line of
    one string, so that a phrase is looked for once in C, not once per question: a big FAQ has
    tens of thousands."""
    lines: list[str] = []
    owners: list[int] = []
    for index, entry in enumerate(faq.entries):
        for text in (entry.question, *entry.alternates):
            lines.append(f" {' '.join(speller.terms(text))} \n")
            owners.append(index)
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    asked = "".join(lines)
    found: dict[tuple[str, int], None] = {}
    for phrase, terms in folded.items():
        if not terms:
            continue
        at = asked.find(f" {terms} ")
        while at >= 0:
            found[phrase, owners[bisect_right(starts, at) - 1]] = None
            at = asked.find(f" {terms} ", at + 1)
    return list(found)


def _subjects(faq: Faq, speller: Speller) -> list[frozenset[str]]:
    """Per entry, the content terms of its question that name its subject (SUBJECT_SPREAD)."""
    spread: dict[str, int] = {}
    for entry in faq.entries:
        for term in frozenset().union(
            *(content_terms(speller, text) for text in (entry.question, *entry.alternates))
        ):
            spread[term] = spread.get(term, 0) + 1
    return [
        frozenset(
            term for term in content_terms(speller, entry.question)
            if spread.get(term, 0) <= SUBJECT_SPREAD
        )
        for entry in faq.entries
    ]


def _names_a_subject(terms: list[str], named: list[frozenset[str]]) -> bool:
    return bool(terms) and any(set(terms) <= subject for subject in named)
