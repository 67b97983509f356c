"""A strict checker for Telegram's HTML parse mode: what the Bot API would accept, and then some.

Telegram (https://core.telegram.org/bots/api#html-style) accepts a fixed set of tags, only the
entities &lt; &gt; &amp; &quot; and numeric ones, and requires every other `<`, `>` and `&` to be
escaped; the text left after parsing must be 1-4096 characters, counted in UTF-16 code units.
This checker is at least as strict: it is a hand-written scanner, not `html.parser` (which
forgives stray `<` and unclosed tags), it refuses a bare `>` too, it checks attributes, and it
refuses a quote inside a quote (Telegram's blockquotes do not nest). It also tells what each
quote holds, so a test can check that the disclaimer is folded (`<blockquote expandable>`:
Telegram shows its first lines and the rest one tap away).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TELEGRAM_TEXT_LIMIT = 4096

# tag -> the attributes it may carry (name -> allowed value pattern; None: a bare attribute)
_ATTRIBUTES: dict[str, dict[str, re.Pattern[str] | None]] = {
    "b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {}, "s": {}, "strike": {},
    "del": {}, "tg-spoiler": {}, "pre": {},
    "span": {"class": re.compile(r"tg-spoiler")},
    "a": {"href": re.compile(r"(https?://|tg://|mailto:)[^\s\"<>]+")},
    "code": {"class": re.compile(r"language-[\w+#-]+")},
    "tg-emoji": {"emoji-id": re.compile(r"\d+")},
    "blockquote": {"expandable": None},
}
# Tags that must carry their attribute, or Telegram refuses them.
_REQUIRED = {"span": "class", "a": "href", "tg-emoji": "emoji-id"}

_TAG = re.compile(r"<(/?)([a-z][a-z-]*)((?:\s+[a-z-]+(?:=\"[^\"<>]*\")?)*)\s*>")
_ATTRIBUTE = re.compile(r"([a-z-]+)(?:=\"([^\"<>]*)\")?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class InvalidTelegramHtml(AssertionError):
    """What Telegram would answer with `Bad Request: can't parse entities`, or worse."""


@dataclass(frozen=True)
class Parsed:
    text: str  # what the person reads: tags removed, entities decoded
    tags: tuple[str, ...]  # every opening tag, in order
    folded: tuple[str, ...] = ()  # the text of each expandable quote, in order
    quoted: tuple[str, ...] = ()  # the text of each quote that is not expandable

    @property
    def utf16_length(self) -> int:
        return len(self.text.encode("utf-16-le")) // 2


def parse(message: str, allowed: frozenset[str] | None = None) -> Parsed:
    """Parse `message` as Telegram HTML; raise InvalidTelegramHtml on anything Telegram would
    refuse. `allowed` narrows the tags further (None: every tag Telegram knows)."""
    tags_known = set(_ATTRIBUTES) if allowed is None else set(allowed) & set(_ATTRIBUTES)
    text: list[str] = []
    opened: list[str] = []
    stack: list[str] = []
    quote_start: tuple[int, bool] | None = None  # where the open quote began, and if folded
    folded: list[str] = []
    quoted: list[str] = []
    position = 0
    while position < len(message):
        char = message[position]
        if char == "<":
            tag = _TAG.match(message, position)
            if tag is None:
                raise InvalidTelegramHtml(f"unescaped '<': {_near(message, position)}")
            closing, name, attributes = tag.group(1) == "/", tag.group(2), tag.group(3)
            if name not in tags_known:
                raise InvalidTelegramHtml(f"tag <{name}> not allowed: {_near(message, position)}")
            if closing:
                if attributes.strip():
                    raise InvalidTelegramHtml(f"attributes on </{name}>")
                if not stack or stack.pop() != name:
                    raise InvalidTelegramHtml(f"unbalanced </{name}> at {position}")
                if name == "blockquote" and quote_start is not None:
                    start, expandable = quote_start
                    (folded if expandable else quoted).append("".join(text[start:]))
                    quote_start = None
            else:
                _check_attributes(name, attributes)
                if name == "blockquote":
                    if quote_start is not None:
                        raise InvalidTelegramHtml(f"a quote inside a quote at {position}")
                    quote_start = (len(text), "expandable" in attributes)
                stack.append(name)
                opened.append(name)
            position = tag.end()
        elif char == "&":
            entity = _ENTITY.match(message, position)
            if entity is None:
                raise InvalidTelegramHtml(f"unescaped '&': {_near(message, position)}")
            decoded = html.unescape(entity.group(0))
            if entity.group(1).startswith("#"):
                number = int(entity.group(1)[2:], 16) if entity.group(1)[1] == "x" else int(
                    entity.group(1)[1:])
                if not 0 < number <= 0x10FFFF or 0xD800 <= number <= 0xDFFF:
                    raise InvalidTelegramHtml(f"bad character reference {entity.group(0)}")
            text.append(decoded)
            position = entity.end()
        elif char == ">":
            raise InvalidTelegramHtml(f"unescaped '>': {_near(message, position)}")
        else:
            text.append(char)
            position += 1
    if stack:
        raise InvalidTelegramHtml(f"unclosed tags {stack}")
    return Parsed("".join(text), tuple(opened), tuple(folded), tuple(quoted))


def check_message(message: str, allowed: frozenset[str] | None = None) -> str:
    """Assert `message` is a text Telegram accepts: valid HTML, 1-4096 UTF-16 units once parsed,
    not blank. Returns the parsed text."""
    parsed = parse(message, allowed)
    if not parsed.text.strip():
        raise InvalidTelegramHtml(f"empty message text: {message!r}")
    if parsed.utf16_length > TELEGRAM_TEXT_LIMIT:
        raise InvalidTelegramHtml(f"{parsed.utf16_length} UTF-16 units, over the limit")
    return parsed.text


def _check_attributes(name: str, raw: str) -> None:
    found = {match.group(1): match.group(2) for match in _ATTRIBUTE.finditer(raw)}
    for attribute, value in found.items():
        if attribute not in _ATTRIBUTES[name]:
            raise InvalidTelegramHtml(f"attribute {attribute!r} not allowed on <{name}>")
        pattern = _ATTRIBUTES[name][attribute]
        if (pattern is None) != (value is None) or (
            pattern is not None and value is not None
            and not pattern.fullmatch(html.unescape(value))
        ):
            raise InvalidTelegramHtml(f"bad {attribute}={value!r} on <{name}>")
    required = _REQUIRED.get(name)
    if required is not None and required not in found:
        raise InvalidTelegramHtml(f"<{name}> needs {required}")


def _near(message: str, position: int) -> str:
    return repr(message[max(0, position - 20) : position + 20])
