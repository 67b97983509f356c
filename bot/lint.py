"""FAQ lint: every entry's own question and alternates must lead back to that entry, and no
`not_covered` phrase may hide an entry that talks about it.

A valid file can still be confusing: if one entry's alternate is answered by another entry, or
ends as a tie, the admin has two entries fighting over the same wording; if "parking" is listed
under not_covered and an entry's answer is about parking, a patient who asks "is there
parking?" is declined. These checks run the real matcher, so what they report is what patients
would get.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.faq import Faq
from bot.matcher import Match, Matcher, Status


@dataclass(frozen=True)
class Collision:
    """One phrasing of `entry_id` that does not lead back to it."""

    source: str
    line: int
    entry_id: str
    phrasing: str
    outcome: str

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}: {self.entry_id}: {self.phrasing!r} is not matched to "
            f"this entry: {self.outcome}"
        )


def lint(faq: Faq, matcher: Matcher | None = None) -> list[Collision]:
    """Every collision in the file, in file order."""
    matcher = matcher or Matcher(faq)
    collisions = []
    for entry in faq.entries:
        for phrasing in (entry.question, *entry.alternates):
            match = matcher.match(phrasing)
            if match.status is Status.ANSWER and match.entry is not None:
                if match.entry.id == entry.id:
                    continue
                outcome = f"answered by {match.entry.id!r}"
            elif match.status is Status.SUGGEST and len(match.suggestions) > 1:
                tied = ", ".join(repr(s.entry.id) for s in match.suggestions)
                outcome = f"a tie, offered as suggestions: {tied}"
            elif match.status is Status.SUGGEST:
                outcome = (
                    f"not sure enough to answer ({match.score:.0f}); "
                    "add an alternate in other words"
                )
            else:
                outcome = f"status {match.status.value!r}"
            collisions.append(Collision(faq.source, entry.line, entry.id, phrasing, outcome))
    return collisions


@dataclass(frozen=True)
class Hidden:
    """A not_covered phrase that keeps a message about it from an entry that talks about it."""

    source: str
    line: int
    entry_id: str
    phrase: str

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}: {self.entry_id}: a question about {self.phrase!r} is not "
            f"answered by this entry, though it talks about it, because {self.phrase!r} is "
            f"listed under not_covered. If this entry answers it, remove {self.phrase!r} from "
            f"not_covered, or add an alternate question that uses it"
        )


def hidden(faq: Faq, matcher: Matcher | None = None) -> list[Hidden]:
    """Each entry that a not_covered phrase hides: the phrase is in the entry's keywords or
    answer (not its question or alternates, which already beat the list), and the phrase alone
    is answered by the entry without the list, but not with it (declined, or only offered as a
    suggestion). In file order."""
    matcher = matcher or Matcher(faq)
    terms = matcher.speller.terms

    def folded(text: str) -> str:
        return f" {' '.join(terms(text))} "

    asked = "\n".join(
        folded(text) for entry in faq.entries for text in (entry.question, *entry.alternates)
    )
    suspects = []
    for entry in faq.entries:
        if entry.answer.strip() == faq.disclaimer.strip():
            continue  # the disclaimer mentions products and qualifications; it is no topic
        # A keyword names the entry's topic only whole ("charley horse" is not about horses);
        # an answer talks about whatever it contains.
        keywords = {folded(keyword) for keyword in entry.keywords}
        answer = folded(entry.answer)
        for phrase in dict.fromkeys(faq.not_covered):
            key = folded(phrase)
            if key.strip() and key not in asked and (key in keywords or key in answer):
                suspects.append((entry, phrase))
    if not suspects:
        return []
    # The same FAQ without the list: what a message about the phrase would reach otherwise.
    without = Matcher(
        replace(faq, not_covered=()), encoder=matcher.encoder, decision=matcher.decision
    )
    found = []
    for entry, phrase in suspects:
        if _answers(without.match(phrase), entry.id) and not _answers(
            matcher.match(phrase), entry.id
        ):
            found.append(Hidden(faq.source, entry.line, entry.id, phrase))
    return found


def _answers(match: Match, entry_id: str) -> bool:
    return match.status is Status.ANSWER and match.entry is not None and (
        match.entry.id == entry_id
    )
