"""The admin's reports as paragraphs: /unanswered and /stats in Telegram, and the same wording
for `faq-bot unanswered` and `faq-bot stats` in a terminal.

Pure and Telegram-free (the command line must not import telegram). bot.views renders these
blocks as escaped HTML split under Telegram's limit; `plain` joins them for the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.grouping import Group
from bot.replies import Block
from bot.store import Stats

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
TOP_ENTRIES = 5

OUTCOME_LABELS = (
    ("answer", "Answered"),
    ("suggest", "Suggested"),
    ("none", "Declined (not covered)"),
    ("urgent", "Urgent"),
    ("smalltalk", "Small talk"),
)


def unanswered_blocks(
    groups: Sequence[Group], limit: int, retention_days: int | None = None,
    titles: Mapping[str, str] | None = None,
) -> list[Block]:
    """The `limit` most asked groups of questions the bot could not answer outright.
    `retention_days` (what the store covers) is known to the bot, not to the command line."""
    period = f" in the last {retention_days} days" if retention_days else " stored"
    if not groups:
        return [Block(
            f"No unanswered questions{period}: every question got an answer, small talk or "
            "urgent-care advice."
        )]
    shown = groups[:limit]
    count = (
        f"the {len(shown)} most asked of {len(groups)} groups" if len(groups) > len(shown)
        else f"{len(groups)} group{'s' if len(groups) != 1 else ''}, most asked first"
    )
    period = f", last {retention_days} days" if retention_days else ""
    blocks = [Block(f"Unanswered questions{period}: {count}", "bold")]
    for number, group in enumerate(shown, start=1):
        lines = [f"{number}. \u201c{group.example}\u201d \u00d7{group.count}"]
        how = [f"last asked {group.last_asked.isoformat()}"]
        if group.declined:
            how.append(f"declined {group.declined}")
        if group.suggested:
            picks = ", ".join(
                f"{_entry(entry_id, titles)} \u00d7{times}" for entry_id, times in group.picked
            )
            how.append(f"suggestions {group.suggested}" + (f" (picked: {picks})" if picks else ""))
        lines.append("; ".join(how))
        if group.variants:
            lines.append("also: " + ", ".join(f"\u201c{text}\u201d" for text in group.variants))
        blocks.append(Block("\n".join(lines)))
    blocks.append(Block(
        "Teach the common ones as another way to ask the entry that answers them (a picked "
        "suggestion shows which): the Teach\u2026 buttons in Telegram, or "
        "faq-bot teach \"QUESTION\" ENTRY_ID. A new subject goes in faq.yaml as a new entry, "
        "then /reload.",
        "italic",
    ))
    return blocks


def stats_blocks(stats: Stats, titles: Mapping[str, str] | None = None) -> list[Block]:
    """Questions per outcome and the most given answers, over the stats' days."""
    header = (
        f"Last {stats.days} day{'s' if stats.days != 1 else ''} "
        f"({stats.first.isoformat()} to {stats.last.isoformat()}, UTC): "
        f"{stats.questions} question{'s' if stats.questions != 1 else ''}"
    )
    lines = []
    for outcome, label in OUTCOME_LABELS:
        line = f"{label}: {stats.outcomes.get(outcome, 0)}"
        if outcome == "suggest" and stats.outcomes.get(outcome):
            line += f" ({stats.picked} picked one)"
        lines.append(line)
    blocks = [Block(header, "bold"), Block("\n".join(lines))]
    if stats.top_entries:
        blocks.append(Block("Top answers", "bold"))
        blocks.append(Block("\n".join(
            f"{number}. {_entry(entry_id, titles)} \u00d7{count}"
            for number, (entry_id, count) in enumerate(stats.top_entries, start=1)
        )))
    else:
        blocks.append(Block("No answers given in this period."))
    return blocks


def plain(blocks: Sequence[Block]) -> str:
    """The blocks as terminal text."""
    return "\n\n".join(block.text for block in blocks)


def _entry(entry_id: str, titles: Mapping[str, str] | None) -> str:
    title = titles.get(entry_id) if titles else None
    return f"{entry_id} ({title})" if title else entry_id
