"""Turning a match into what a person reads: plain text for the terminal, HTML for Telegram.

The disclaimer is attached to every answer. Telegram caps a message at 4,096 characters, so
HTML replies are split at paragraph boundaries with the disclaimer kept on the last part.
Everything that comes from the FAQ or from the user is escaped before it reaches Telegram.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.faq import Entry, Faq
from bot.matcher import Match, Status

TELEGRAM_LIMIT = 4096
SUGGEST_INTRO = "Did you mean one of these?"


@dataclass(frozen=True)
class Block:
    """One paragraph of a reply, with how Telegram should emphasise it."""

    text: str
    style: str = "plain"  # plain | bold | italic


def answer_blocks(faq: Faq, entry: Entry) -> list[Block]:
    """An entry's answer: its question as a title, the approved text, the disclaimer."""
    blocks = [Block(entry.question, "bold")]
    blocks.extend(Block(paragraph) for paragraph in _paragraphs(entry.answer))
    if entry.answer.strip() != faq.disclaimer.strip():  # the disclaimer entry needs no copy
        blocks.append(Block(faq.disclaimer, "italic"))
    return blocks


def reply_blocks(faq: Faq, match: Match) -> list[Block]:
    """The paragraphs of the reply for any outcome."""
    if match.status is Status.ANSWER and match.entry is not None:
        return answer_blocks(faq, match.entry)
    if match.status is Status.URGENT:
        return [Block(paragraph) for paragraph in _paragraphs(faq.urgent_reply)]
    if match.status is Status.SMALLTALK and match.smalltalk is not None:
        return [Block(paragraph) for paragraph in _paragraphs(match.smalltalk.reply)]
    if match.status is Status.SUGGEST and match.suggestions:
        return [Block(SUGGEST_INTRO)]
    return [Block(paragraph) for paragraph in _paragraphs(faq.fallback)]


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
    in the last message because pieces are emitted in order.
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


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.strip().split("\n\n") if part.strip()]


_OVERHEAD = {"plain": 0, "bold": len("<b></b>"), "italic": len("<i></i>")}


def _style(text: str, style: str) -> str:
    escaped = html.escape(text, quote=False)
    if style == "bold":
        return f"<b>{escaped}</b>"
    if style == "italic":
        return f"<i>{escaped}</i>"
    return escaped


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
