"""FAQ lint: every entry's own question and alternates must lead back to that entry, no
`not_covered` phrase may hide an entry that talks about it, and no keyword may say an entry is
about a topic that `not_covered` says the FAQ does not answer.

A valid file can still be confusing: if one entry's alternate is answered by another entry, or
the bot declines an entry's own question, patients who ask it that way never get the answer;
if "insurance" is listed under not_covered and an entry only mentions it ("We do not take
insurance" under "How can I pay?"), a patient who asks about insurance is declined. These
checks run the real matcher, so what they report is what patients would get, and each finding
says, in plain words, what the bot does instead and which line to change. `faq-bot check`
runs them on every entry; a reload only on the entries it added or changed (`entries=`), so
that the admin hears about the entry just written, not all of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from bot.faq import Entry, Faq
from bot.matcher import Match, Matcher, Status
from bot.text import normalize


@dataclass(frozen=True)
class Collision:
    """One phrasing of `entry_id` (its question or an alternate) that, asked as a message,
    does not lead back to it: what the bot does with it instead, and what to change."""

    source: str
    line: int
    entry_id: str
    phrasing: str
    outcome: str
    fix: str = ""

    def __str__(self) -> str:
        text = (
            f"{self.source}:{self.line}: {self.entry_id}: {self.phrasing!r} does not reach this "
            f"entry: {self.outcome}"
        )
        return f"{text}. {self.fix}" if self.fix else text


def lint(
    faq: Faq, matcher: Matcher | None = None, entries: Collection[str] | None = None
) -> list[Collision]:
    """Every collision in the file (or only in the entries with the ids in `entries`), in file
    order. A phrasing reaches its entry when the bot answers it with the entry, or offers the
    entry first among suggestions (the patient is one tap away)."""
    matcher = matcher or Matcher(faq)
    missed: list[tuple[Entry, str, Match]] = []
    for entry in _chosen(faq, entries):
        for phrasing in dict.fromkeys((entry.question, *entry.alternates)):
            match = matcher.match(phrasing)
            if not _reaches(match, entry.id):
                missed.append((entry, phrasing, match))
    if not missed:
        return []
    without = _without_not_covered(faq, matcher) if faq.not_covered else None
    return [
        Collision(
            faq.source, entry.line, entry.id, phrasing, _outcome(faq, match),
            _fix(faq, matcher, without, entry, phrasing, match),
        )
        for entry, phrasing, match in missed
    ]


def _outcome(faq: Faq, match: Match) -> str:
    """What the bot does with the message, in the admin's words."""
    if match.status is Status.ANSWER and match.entry is not None:
        return f"the bot answers it with the entry {match.entry.id!r} (line {match.entry.line})"
    if match.status is Status.SUGGEST:
        offered = ", ".join(f"{s.entry.id!r} (line {s.entry.line})" for s in match.suggestions)
        return f"the bot is not sure and offers, in this order: {offered}"
    if match.status is Status.URGENT:
        return "the bot takes it for an emergency and sends the urgent-care reply"
    if match.status is Status.SMALLTALK:
        return "the bot takes it for small talk (a greeting, thanks, goodbye or call for help)"
    if match.not_covered:
        line = _line_of(faq, match.not_covered)
        return f"the bot declines it as not covered: {match.not_covered!r}{line}"
    return "the bot declines it with the fallback reply"


def _fix(
    faq: Faq, matcher: Matcher, without: Matcher | None, entry: Entry, phrasing: str,
    match: Match,
) -> str:
    """What to change so that the phrasing reaches its entry."""
    if match.status is Status.URGENT:
        return "Word it without the symptom that reads as an emergency"
    if match.status is Status.SMALLTALK:
        return "Word it as a question about the subject, not a greeting"
    if without is not None and _reaches(without.match(phrasing), entry.id):
        # The list is what keeps it away: name the phrases of it that the phrasing holds.
        held = [phrase for phrase in faq.not_covered if _holds(matcher, phrasing, phrase)]
        named = ", ".join(f"{p!r}{_line_of(faq, p)}" for p in dict.fromkeys(held))
        return (
            f"Listed under not_covered, {named or 'a phrase'} keeps it away: remove it there, "
            "or add alternates to this entry in other words"
        )
    rival = _rival(match, entry.id)
    if rival is not None:
        return (
            f"{rival.id!r} asks nearly the same: word the two apart, or merge them if they are "
            "one question"
        )
    return "Add alternates to this entry: the same question in the words patients use"


def _rival(match: Match, entry_id: str) -> Entry | None:
    """The other entry the bot picks (answered, or first offered), if any."""
    if match.status is Status.ANSWER and match.entry is not None and match.entry.id != entry_id:
        return match.entry
    if match.suggestions and match.suggestions[0].entry.id != entry_id:
        return match.suggestions[0].entry
    return None


@dataclass(frozen=True)
class Hidden:
    """A not_covered phrase that keeps a message about it from an entry that talks about it:
    `line` is the phrase's own line (what to change), `entry_line` the entry's."""

    source: str
    line: int
    entry_id: str
    phrase: str
    entry_line: int = 0

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}: {self.phrase!r} (not_covered) keeps the entry "
            f"{self.entry_id!r} (line {self.entry_line}) from being found by questions about "
            f"{self.phrase}: remove it from not_covered, or add an alternate question to the "
            "entry that uses it"
        )


def hidden(
    faq: Faq, matcher: Matcher | None = None, entries: Collection[str] | None = None
) -> list[Hidden]:
    """Each entry (of all, or those with the ids in `entries`) that a not_covered phrase hides:
    the phrase still counts (no entry covers its topic, and it names no entry's subject:
    bot.coverage) but the entry is about it (the phrase is one of its keywords, or in its
    answer), and the phrase alone is answered by the entry without the list, but not with it
    (declined, or only offered as a suggestion: a bare phrase that only gets suggestions either
    way is too vague to blame the list for). In the order of the entries."""
    matcher = matcher or Matcher(faq)
    phrases = _counting_phrases(matcher)
    suspects = []
    for entry in _chosen(faq, entries):
        if entry.answer.strip() == faq.disclaimer.strip():
            continue  # the disclaimer mentions products and qualifications; it is no topic
        # A keyword names the entry's topic only whole ("charley horse" is not about horses);
        # an answer talks about whatever it contains.
        keywords = {_folded(matcher, keyword) for keyword in entry.keywords}
        answer = _folded(matcher, entry.answer)
        for phrase, key in phrases:
            if key in keywords or key in answer:
                suspects.append((entry, phrase))
    if not suspects:
        return []
    without = _without_not_covered(faq, matcher)
    found = []
    for entry, phrase in suspects:
        if _answers(without.match(phrase), entry.id) and not _answers(
            matcher.match(phrase), entry.id
        ):
            found.append(Hidden(
                faq.source, faq.not_covered_at.get(phrase, 0), entry.id, phrase, entry.line
            ))
    return found


@dataclass(frozen=True)
class Contradiction:
    """An entry's keyword that reads as a not_covered phrase: the file says both that the entry
    is about the topic and that the FAQ does not answer it. The keyword wins (bot.lexical: an
    entry whose keywords hold a not-covered phrase is not counted as lacking it), so questions
    that name the topic get the entry's answer, whatever the list says."""

    source: str
    line: int  # the entry's
    entry_id: str
    keyword: str
    phrase: str
    phrase_line: int = 0

    def __str__(self) -> str:
        reads = "is" if normalize(self.keyword) == normalize(self.phrase) else (
            f"reads the same as {self.phrase!r}, which is"
        )
        where = f" (line {self.phrase_line})" if self.phrase_line else ""
        return (
            f"{self.source}:{self.line}: the keyword {self.keyword!r} of the entry "
            f"{self.entry_id!r} {reads} listed under not_covered{where}: the keyword wins, so "
            f"questions about it can get this entry's answer. Remove the keyword if the answer "
            f"does not talk about it, or the not_covered phrase if it does"
        )


def contradictions(
    faq: Faq, matcher: Matcher | None = None, entries: Collection[str] | None = None
) -> list[Contradiction]:
    """Each keyword of the entries (of all, or those with the ids in `entries`) that is, folded
    as the matcher folds words, a not_covered phrase that still counts (bot.coverage), in the
    order of the entries and their keywords. Folded, so that a keyword the stemmer reads as the
    phrase ("supple" and "supplements") is found too."""
    matcher = matcher or Matcher(faq)
    phrases: dict[str, str] = {}
    for phrase, key in _counting_phrases(matcher):
        phrases.setdefault(key, phrase)
    found = []
    for entry in _chosen(faq, entries):
        for keyword in dict.fromkeys(entry.keywords):
            listed = phrases.get(_folded(matcher, keyword))
            if listed is not None:
                found.append(Contradiction(
                    faq.source, entry.line, entry.id, keyword, listed,
                    faq.not_covered_at.get(listed, 0),
                ))
    return found


def taken_over(
    faq: Faq, matcher: Matcher, entries: Collection[str] | None = None
) -> list[str]:
    """A note for each not_covered topic an entry now covers (or only the entries with the ids
    in `entries`): not a mistake, but the admin should know that its questions are answered
    now instead of declined, and by which entry (bot.coverage)."""
    notes = []
    for takeover in matcher.coverage.takeovers:
        entry = takeover.entry
        if entries is not None and entry.id not in entries:
            continue
        line = faq.not_covered_at.get(takeover.phrase, 0)
        if takeover.phrases == 1:
            where, split = "listed under not_covered: questions about it", ""
        else:
            where = (
                f"in not_covered's {takeover.group!r}: that topic's {takeover.phrases} phrase(s)"
            )
            split = (
                f" (if they are separate topics, put them under `topics:` in "
                f"{takeover.group!r}: an entry then covers only the topics it asks about)"
            )
        notes.append(
            f"{faq.source}:{line}: the entry {entry.id!r} (line {entry.line}) asks about "
            f"{takeover.phrase!r}, {where} now lead to the entry instead of being declined"
            f"{split}"
        )
    return notes


def _chosen(faq: Faq, entries: Collection[str] | None) -> Iterable[Entry]:
    return faq.entries if entries is None else (e for e in faq.entries if e.id in entries)


def _without_not_covered(faq: Faq, matcher: Matcher) -> Matcher:
    """The same FAQ without the list: what a message would reach otherwise. (The encoder and
    the vectors' cache are shared, so this costs the lexical index, not the embeddings.)"""
    return Matcher(
        replace(faq, not_covered=()), encoder=matcher.encoder, decision=matcher.decision
    )


def _holds(matcher: Matcher, text: str, phrase: str) -> bool:
    """Whether the text holds the phrase, both folded as the matcher folds them."""
    key = _folded(matcher, phrase)
    return key != "  " and key in _folded(matcher, text)


def _folded(matcher: Matcher, text: str) -> str:
    """The text's terms as the matcher folds them, one space between and one at each end, so
    that `in` finds whole terms: " back pain " in " my back pain hurts "."""
    return f" {' '.join(matcher.speller.terms(text))} "


def _counting_phrases(matcher: Matcher) -> list[tuple[str, str]]:
    """The not_covered phrases that still count, each with its `_folded` key: those of a group
    an entry covers, or that name one entry's subject, already lose to it (bot.coverage)."""
    return [
        (phrase, _folded(matcher, phrase))
        for phrase in dict.fromkeys(matcher.coverage.faq.not_covered)
    ]


def _line_of(faq: Faq, phrase: str) -> str:
    line = faq.not_covered_at.get(phrase)
    return f" on line {line}" if line else ""


def _reaches(match: Match, entry_id: str) -> bool:
    """Answered with the entry, or the entry offered first."""
    if match.status is Status.ANSWER:
        return match.entry is not None and match.entry.id == entry_id
    return match.status is Status.SUGGEST and bool(match.suggestions) and (
        match.suggestions[0].entry.id == entry_id
    )


def _answers(match: Match, entry_id: str) -> bool:
    return match.status is Status.ANSWER and match.entry is not None and (
        match.entry.id == entry_id
    )


# At most this many new or changed entries are checked on a reload, and a changed not_covered
# list is checked against every entry only in a FAQ of at most REVIEW_ALL_ENTRIES: the bundled
# FAQ's 45 entries (about 700 questions and alternates) take 3 s to check on this 2-core machine,
# and a reload should not hold the admin's reply much longer than the load itself. A bigger
# change is named in one line that points to `faq-bot check`, which checks everything.
REVIEW_ENTRIES = 40
REVIEW_ALL_ENTRIES = 200


def review(
    faq: Faq, matcher: Matcher, entries: Collection[str], not_covered_changed: bool = False
) -> list[str]:
    """What a reload tells the admin about the entries it added or changed (`entries`): their
    own questions that miss them, then the not_covered phrases that hide them, then their
    keywords that the list says are not covered. A changed not_covered list can hide or
    contradict any entry, so then every entry is looked at for those (cheap: only the phrases
    an entry is about are matched). The matcher runs once per question and
    alternate of those entries, not of the whole FAQ, so a reload stays quick."""
    chosen = [entry.id for entry in _chosen(faq, entries)]
    checked = chosen[:REVIEW_ENTRIES]
    missed = lint(faq, matcher, checked) if checked else []
    every = not_covered_changed and len(faq.entries) <= REVIEW_ALL_ENTRIES
    hiding = hidden(faq, matcher, None if every else checked)
    clashing = contradictions(faq, matcher, None if every else checked)
    notes = [*map(str, missed), *map(str, hiding), *map(str, clashing)]
    if len(chosen) > len(checked):
        notes.append(
            f"{faq.source}: {len(chosen) - len(checked)} more new or changed entries were not "
            "checked here: run faq-bot check on the file"
        )
    if not_covered_changed and not every:
        notes.append(
            f"{faq.source}: the changed not_covered list was checked against the new or changed "
            "entries only: run faq-bot check on the file"
        )
    return notes
