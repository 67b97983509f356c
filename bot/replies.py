"""Turning a match into what a person reads: plain text for the terminal, HTML for Telegram.

An entry's `lead` (the practice's own "Yes, sciatica is one of the conditions we treat.") comes
first, then the answer. A message declined for naming a condition the FAQ lists as not covered
gets a clear no that names it, and the fallback's pointer to the practice.

The disclaimer is attached to every answer. In a Telegram chat it is folded: an expandable
quote under the answer (`<blockquote expandable>`, Bot API 7.4+), so the answer reads first and
the disclaimer is one tap away; the terminal and inline results show it in full. Telegram caps
a message at 4,096 characters, so HTML replies are split at paragraph boundaries with the
disclaimer kept, whole and well-formed, on the last part. Everything that comes from the FAQ or
from the user is escaped before it reaches Telegram.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.faq import DEFAULT_FALLBACK, PHRASE_SLOT, Entry, Faq, Practice
from bot.matcher import Match, Status

TELEGRAM_LIMIT = 4096
SUGGEST_INTRO = "Did you mean one of these?"
# First in the reply to a message that names an emergency sign only as asked about in general
# ("what are the signs of a stroke?", Match.signs_asked): the person may be asking because it
# is happening. No number is named: the practice may be anywhere, and the urgent-care reply an
# admin wrote is for a sign told as happening.
SIGNS_NOW = (
    "⚠️ If this is happening to you or someone with you now, please call your local emergency "
    "number or go to the nearest emergency department."
)


@dataclass(frozen=True)
class Block:
    """One paragraph of a reply, with how Telegram should emphasise it."""

    text: str
    # plain | bold | italic | quote | folded (an expandable quote: its first lines show, the
    # rest is one tap away)
    style: str = "plain"


def answer_blocks(faq: Faq, entry: Entry, *, fold_disclaimer: bool = False) -> list[Block]:
    """An entry's answer: its lead if it has one, its question as a title, the approved text,
    the disclaimer (in full, or with `fold_disclaimer` as an expandable quote, for a chat)."""
    blocks = [Block(entry.lead, "bold")] if entry.lead else []
    blocks.append(Block(entry.question, "bold"))
    blocks.extend(Block(paragraph) for paragraph in _paragraphs(entry.answer))
    if entry.answer.strip() != faq.disclaimer.strip():  # the disclaimer entry needs no copy
        blocks.append(Block(faq.disclaimer, "folded" if fold_disclaimer else "italic"))
    return blocks


def reply_blocks(faq: Faq, match: Match) -> list[Block]:
    """The paragraphs of the reply for any outcome (SIGNS_NOW first when it applies)."""
    return [*signs_blocks(match.signs_asked), *_outcome_blocks(faq, match)]


def signs_blocks(signs_asked: bool) -> list[Block]:
    """SIGNS_NOW, for a message that asked about emergency signs in general; else nothing."""
    return [Block(SIGNS_NOW, "bold")] if signs_asked else []


def _outcome_blocks(faq: Faq, match: Match) -> list[Block]:
    if match.status is Status.ANSWER and match.entry is not None:
        return answer_blocks(faq, match.entry)
    if match.status is Status.URGENT:
        return [Block(paragraph) for paragraph in _paragraphs(faq.urgent_reply)]
    if match.status is Status.SMALLTALK and match.smalltalk is not None:
        return [Block(paragraph) for paragraph in _paragraphs(match.smalltalk.reply)]
    if match.status is Status.SUGGEST and match.suggestions:
        return [*before_suggestions(faq, match), Block(SUGGEST_INTRO)]
    # A declined question is where a person most needs a human: the practice's phone, email
    # and booking link follow the fallback's pointer to the practice, when faq.yaml has them.
    reach = [Block(line)] if (line := contact_line(faq.practice)) else []
    if match.status is Status.NONE and (no := named_no(match)):
        return [*no, Block(practice_pointer(faq.fallback)), *reach]
    return [*(Block(paragraph) for paragraph in _paragraphs(faq.fallback)), *reach]


def named_no(match: Match) -> list[Block]:
    """The clear no of the not-covered topic a declined or suggested message named, if it has
    one: "Psoriasis isn't on our list of treated conditions." before what else is said."""
    if match.no and match.not_covered:
        return [Block(no_line(match.no, match.not_covered), "bold")]
    return []


def before_suggestions(faq: Faq, match: Match) -> list[Block]:
    """What a suggestion list says first: the clear no of the not-covered topic the message
    named, and, when the first suggestion lacks that topic (Match.outside), the fallback's
    pointer to the practice, so that "how much is a session?" still hears where prices are
    asked even though an entry is offered."""
    pointer = [Block(practice_pointer(faq.fallback))] if match.outside else []
    return [*named_no(match), *pointer]


def render_plain(faq: Faq, match: Match) -> str:
    """The reply as plain text (the terminal chat and `faq-bot ask`)."""
    text = "\n\n".join(block.text for block in reply_blocks(faq, match))
    if match.status is Status.SUGGEST and match.suggestions:
        options = "\n".join(
            f"  {number}. {suggestion.entry.question}"
            for number, suggestion in enumerate(match.suggestions, start=1)
        )
        text = f"{text}\n{options}"
    return text


def render_html(blocks: list[Block], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Escaped Telegram HTML, split into messages of at most `limit` characters.

    Splits fall between paragraphs; a paragraph longer than a whole message is cut at line,
    then sentence, then word boundaries. Styling tags are applied per piece so every message
    is well-formed HTML on its own. The last block (the disclaimer, for answers) always lands
    in the last message because pieces are emitted in order; a block that fits in one message
    (as the disclaimer does) is never split, so its folded quote opens and closes there.
    """
    pieces: list[str] = []
    for block in blocks:
        chunks = _chunks(block.text, block.style, limit)
        pieces.extend(_style(chunk, block.style) for chunk in chunks)
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return messages


def no_line(line: str, phrase: str) -> str:
    """A not-covered group's `no` line naming `phrase`: capitalised where it starts a sentence
    ("Psoriasis isn't on our list..."), else as faq.yaml writes it."""
    pieces = line.split(PHRASE_SLOT)
    named = [pieces[0]]
    for piece in pieces[1:]:
        before = "".join(named).rstrip()
        starts = not before or before.endswith((".", "!", "?"))
        named.append((phrase[:1].upper() + phrase[1:]) if starts else phrase)
        named.append(piece)
    return "".join(named)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def practice_pointer(fallback: str) -> str:
    """The fallback's sentence that points to the practice ("... please contact the practice
    directly."), or the default fallback's when it has none."""
    mine = _SENTENCE_END.split(" ".join(fallback.split()))
    found = next((sentence for sentence in mine if "contact" in sentence.casefold()), None)
    return found or _SENTENCE_END.split(" ".join(DEFAULT_FALLBACK.split()))[-1]


# -- the practice's details (faq.yaml's `practice:`) ---------------------------------------

CONTACT_TITLE = "How to reach the practice"
CONTACT_NOT_SET_UP = (
    "The practice's contact details are not set up in this bot. I can answer questions from "
    "the practice's FAQ: ask in your own words, or send /topics to browse them."
)


def practice_contacts(practice: Practice | None) -> str:
    """How to reach the practice in a phrase ("phone +44 ..., email ..., or book at https://..."),
    from its phone, email and booking link (its website only without any of them); "" when it
    has none of these."""
    if practice is None:
        return ""
    ways = [f"{label} {value}" for label, value in (
        ("phone", practice.phone), ("email", practice.email), ("book at", practice.booking_url),
    ) if value]
    if not ways and practice.website:
        ways = [f"see {practice.website}"]
    if len(ways) > 1:
        ways[-1] = f"or {ways[-1]}"
    return ", ".join(ways)


def contact_line(practice: Practice | None) -> str:
    """The sentence after a declined question's pointer to the practice, or "" without a way
    to reach it: "Contact the practice: phone ..., email ..., or book at https://...."."""
    ways = practice_contacts(practice)
    if not ways or practice is None:
        return ""
    return f"Contact {practice.name or 'the practice'}: {ways}."


def contact_blocks(practice: Practice, *, links: bool) -> list[Block]:
    """/contact: the name, address, opening hours, phone and email; with `links`, the website
    and booking link too (the terminal shows them as text, Telegram as buttons)."""
    blocks = [Block(practice.name or CONTACT_TITLE, "bold")]
    if practice.address:
        blocks.append(Block(practice.address))
    if practice.hours:
        blocks.append(Block(f"Opening hours:\n{practice.hours}"))
    rows = [f"{label}: {value}" for label, value in (
        ("Phone", practice.phone), ("Email", practice.email),
        *((("Website", practice.website), ("Booking", practice.booking_url)) if links else ()),
    ) if value]
    if rows:
        blocks.append(Block("\n".join(rows)))
    return blocks


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.strip().split("\n\n") if part.strip()]


_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "quote": ("<blockquote>", "</blockquote>"),
    "folded": ("<blockquote expandable>", "</blockquote>"),
}
_OVERHEAD = {style: len(opening + closing) for style, (opening, closing) in _TAGS.items()}


def _style(text: str, style: str) -> str:
    escaped = html.escape(text, quote=False)
    opening, closing = _TAGS.get(style, ("", ""))
    return f"{opening}{escaped}{closing}"


def _chunks(text: str, style: str, limit: int) -> list[str]:
    """Cut raw text so that each escaped, styled chunk fits in `limit` characters."""
    budget = limit - _OVERHEAD.get(style, 0)

    def fits(candidate: str) -> bool:
        return len(html.escape(candidate, quote=False)) <= budget

    if fits(text):
        return [text]
    for separator in ("\n", ". ", " "):
        parts = text.split(separator)
        if len(parts) == 1:
            continue
        chunks: list[str] = []
        current = ""
        for index, part in enumerate(parts):
            piece = part + (separator if index < len(parts) - 1 else "")
            if current and not fits(current + piece):
                chunks.append(current.rstrip())
                current = ""
            current += piece
        if current.strip():
            chunks.append(current.rstrip())
        if all(fits(chunk) for chunk in chunks):
            return [chunk for chunk in chunks if chunk]
        return [piece for chunk in chunks for piece in _chunks(chunk, style, limit)]
    # one unbroken run of characters: cut it, taking care not to split an escape sequence
    chunks = []
    current = ""
    for char in text:
        if not fits(current + char):
            chunks.append(current)
            current = ""
        current += char
    return [*chunks, current] if current else chunks
