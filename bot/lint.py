"""FAQ lint: every entry's own question and alternates must lead back to that entry.

A valid file can still be confusing: if one entry's alternate is answered by another entry, or
ends as a tie, the admin has two entries fighting over the same wording. These checks run the
real matcher over the file's own phrasings, so what they report is what patients would get.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.faq import Faq
from bot.matcher import Matcher, Status


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
