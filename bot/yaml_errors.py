"""YAML slips in faq.yaml explained in plain words: the line to change, what is wrong, what to do.

PyYAML reports where its parser gave up, in parser terms ("mapping values are not allowed in
this context", "could not find expected ':'"), often a line after the real slip. The practice's
admin is not a programmer: each common slip (a colon in a text, a tab, an answer not indented
under `answer: |`, a list item without its dash, an unclosed quote, a stray character, a key
written twice) is recognised from the error and the file's own lines, and gets one sentence
naming the line the admin must change and the fix. Anything else keeps PyYAML's own words after
a plain lead-in, so no error is ever hidden.

Both of PyYAML's parsers are covered (libyaml's, used when PyYAML was built with it, and the
pure-Python one): they word the same errors differently, so matching is on the parts they share.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import yaml

# YAML's line breaks, as PyYAML counts lines (str.splitlines also splits on \v, \f and more,
# which would shift every line number after one).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

# `key: value` at the start of a line, after an optional list dash: the first colon followed by
# a space (or the line's end) ends the key, which is how YAML reads a plain key too.
_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>- +)?"
    r"(?P<key>[^\s#:\"'\-][^:#]*?|\"[^\"]*\"|'[^']*'):(?: +(?P<value>.*))?$"
)
# `answer: |` (or `>`, with YAML's optional chomping and indent digits, and a comment).
_BLOCK_START = re.compile(r":[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")
# Characters with a meaning of their own in YAML (lists, quotes, comments, reserved): at the
# start of a line where a key belongs, a leftover, not the start of some text.
_INDICATORS = frozenset("[]{},@`%&*!|>?")
# `answer:|` or `id:b`: a key whose colon has no space after it, which YAML reads as text.
_SQUEEZED_KEY = re.compile(r"^ *(?:- +)?(?P<key>[A-Za-z_][\w-]*):(?P<rest>[^\s].*)$")
# A list item that is a text, not a mapping: `- Can massage help?`.
_TEXT_ITEM = re.compile(r"^(?P<indent> *)- +(?P<text>.*)$")

_SINGLE = "'"
_SHOWN_CHARS = 60  # an offending line is quoted up to this many characters


@dataclass(frozen=True)
class Explanation:
    """A slip as the admin needs it: the 1-based line to change (0: the file as a whole) and a
    sentence saying what is wrong there and what to do."""

    line: int
    message: str


def explain(
    exc: yaml.MarkedYAMLError, text: str, keys: Collection[str] = (),
    loader: type = yaml.SafeLoader,
) -> Explanation:
    """The plain-words explanation of a YAML error PyYAML raised reading `text`.

    `keys` are the key names the file's format knows (`question`, `answer`, ...): a line
    starting with one of them that YAML read as text was indented wrongly, while another word
    before a colon is text with a colon in it. `loader` is the one that raised the error (its
    scanner finds where a quoted text began).
    """
    lines = _LINE_BREAK.split(text)
    context = exc.context or ""
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:  # pragma: no cover - PyYAML always marks a parse error
        return Explanation(0, _fallback(exc))
    row, column = mark.line, mark.column
    context_row = exc.context_mark.line if exc.context_mark else row

    tab = _tab_on(lines, row, column)
    if tab is not None:
        return _tab(lines, row, tab)
    if "while scanning a quoted scalar" in context and exc.context_mark is not None:
        return _unclosed_quote(lines, context_row, exc.context_mark.column)
    if "mapping values are not allowed" in problem:
        return _colon(lines, row, column, keys)
    if "cannot start any token" in problem:
        return _stray(lines, row, column)
    if "could not find expected ':'" in problem and "simple key" in context:
        return _keyless_line(lines, context_row)
    if "while parsing a flow" in context and exc.context_mark is not None:
        return _unclosed_bracket(lines, context_row, exc.context_mark.column)
    if "while parsing a block collection" in context and exc.context_mark is not None:
        if column == exc.context_mark.column:
            return _missing_dash(lines, row, context_row)
        return _misindented(lines, row)
    if "while parsing a block mapping" in context:
        quoted = _quoted_before(text, mark.index, loader)
        if quoted is not None:
            return _after_quote(lines, row, quoted)
        if _first_on_line(lines, row, column):
            return _stray_line(lines, row, column)
    return Explanation(row + 1, _fallback(exc))


def explain_unreadable(exc: yaml.reader.ReaderError, text: str) -> Explanation:
    """A character YAML refuses to read anywhere (a control character, often pasted in from
    another program along with the text): where it is, and to delete it."""
    char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
    # the first one is where the reader stopped (libyaml counts its position in bytes)
    index = text.find(char)
    if index < 0:  # pragma: no cover - the reader found it in this text
        return Explanation(0, f"the file contains a character YAML does not accept: {exc}")
    row = len(_LINE_BREAK.findall(text, 0, index))
    lines = _LINE_BREAK.split(text)
    column = lines[row].find(char)
    return Explanation(row + 1, (
        f"this line contains an invisible character (U+{ord(char):04X}) in column"
        f" {column + 1}, which YAML does not accept; it often comes with text pasted from"
        f" another program. Delete it, or retype that part of the line"
        f" ({_show(lines[row].replace(char, f'[U+{ord(char):04X}]'))})"
    ))


def duplicate_key(key: str, where: str, first_line: int, line: int, first_key: str) -> str:
    """The message for `key` written twice in one mapping (`where`, as the loader names it:
    `entries[3]`, `urgent`, or "" at the top), first on `first_line`, again on `line`.

    YAML itself allows it (the last one silently wins), which hides the admin's edit; the
    loader refuses it, naming both lines. Written twice, an entry's first key (`id`) most
    likely starts the next entry without its dash."""
    if where.startswith("entries[") and "." not in where:
        place = "the entry"
    elif where:
        place = f"`{where}`"
    else:
        place = "the top level of the file"
    message = f"`{key}` appears twice in {place} on lines {first_line} and {line}: keep one"
    if key == first_key and place == "the entry":
        message += (
            f", or, if line {line} starts a new entry, begin it with a dash and a space"
            f" (- {key}: ...) like line {first_line}"
        )
    return message


def colon_in_text(node: yaml.Node) -> str:
    """For a text that YAML read as a key and its value because of a colon and a space in it
    (`- Note: bring a towel`, which YAML accepts in a list), the rest of the sentence saying
    so and how to fix it; "" for any other node."""
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return ""
    key, value = node.value[0]
    plain = all(  # no quotes: libyaml gives a plain text the style "", the Python parser None
        isinstance(part, yaml.ScalarNode) and not part.style for part in (key, value)
    )
    if not plain or key.start_mark.line != value.start_mark.line:
        return ""
    text = f"{key.value}: {value.value}"
    quoted = f"'{text.replace(_SINGLE, _SINGLE * 2)}'" if '"' in text else f'"{text}"'
    return (
        f": the colon followed by a space in {_show(text)} makes YAML read a key."
        f" Put the whole text in {_quotes(text)}: {quoted}"
    )


# -- the slips ----------------------------------------------------------------------------------


def _tab(lines: list[str], row: int, column: int) -> Explanation:
    line = lines[row]
    if not line[:column].strip():
        return Explanation(row + 1, (
            f"this line is indented with a tab ({_show(line)}), which YAML does not accept."
            f" Indent with spaces, not tabs: replace the tab with spaces, lined up with the"
            f" lines it belongs with"
        ))
    return Explanation(row + 1, (
        f"this line has a tab in column {column + 1} ({_show(line)}), which YAML does not"
        f" accept there. Use a space, not a tab"
    ))


def _unclosed_quote(lines: list[str], row: int, column: int) -> Explanation:
    line = lines[row] if row < len(lines) else ""
    quote = line[column] if column < len(line) else '"'
    name = "double quote (\")" if quote == '"' else "single quote (')"
    return Explanation(row + 1, (
        f"this line opens a {name} that is never closed, so YAML reads the rest of the file as"
        f" part of that text. Add the closing {quote} at the end of the text:"
        f" {line.strip()}{quote}"
    ))


def _colon(lines: list[str], row: int, column: int, keys: Collection[str]) -> Explanation:
    """`mapping values are not allowed`: a colon and a space inside a text, or a key indented
    deeper than its neighbours (read as the text above going on)."""
    line = lines[row]
    before = line[:column]
    own = _KEY_LINE.match(line)
    if own and own.group("value") is not None and own.start("value") <= column:
        # `question: Note: do you ...`: the line's own key, then text with a colon in it
        key, value = own.group("key"), _uncommented(own.group("value"))
        return Explanation(row + 1, (
            f'the text after "{key}:" contains a colon followed by a space'
            f" ({_show(value)}), which YAML reads as a new key. Put the whole text in"
            f" {_quotes(value)}: {_quoted(own, key, value)}"
        ))
    word = before.strip()
    owner = _owner(lines, row)
    if word in keys and owner is not None:
        return Explanation(row + 1, (
            f'"{word}:" is indented differently from "{_key_of(lines[owner])}:" on line'
            f" {owner + 1}, so YAML reads it as more of that text. Start it in the same column"
            f" ({_spaces(_indent(lines[owner]) + _dash_width(lines[owner]))} from the left)"
        ))
    if owner is not None and (found := _KEY_LINE.match(lines[owner])):
        # a text that goes on over lines, one of them with "Note: ..."
        key = found.group("key")
        return Explanation(owner + 1, (
            f'the text of "{key}:" goes on to line {row + 1}, which contains a colon followed'
            f" by a space ({_show(line)}), and YAML reads that as a new key."
            f' Write "{key}: |" on this line and the text on the lines below it, each indented'
            f' two spaces more than "{key}:"; or put the whole text in double quotes'
        ))
    return Explanation(row + 1, (
        f"this line contains a colon followed by a space ({_show(line)}),"
        f" which YAML reads as a new key. If it is part of a text, put the whole text in double"
        f' quotes ("...")'
    ))


def _stray(lines: list[str], row: int, column: int) -> Explanation:
    """`cannot start any token`: @ or ` (reserved by YAML) where a text or key begins."""
    line = lines[row]
    char = line[column] if column < len(line) else "?"
    own = _KEY_LINE.match(line)
    if own and own.group("value") is not None and own.start("value") == column:
        key, value = own.group("key"), _uncommented(own.group("value"))
        return Explanation(row + 1, (
            f'the text after "{key}:" starts with "{char}", which YAML cannot read at the start'
            f" of a text. Put the whole text in {_quotes(value)}: {_quoted(own, key, value)}"
        ))
    return Explanation(row + 1, (
        f'this line has a stray "{char}" in column {column + 1}, where YAML cannot read it'
        f" ({_show(line)}). Remove it; if it belongs to a text, put the whole text in double"
        f' quotes ("...")'
    ))


def _stray_line(lines: list[str], row: int, column: int) -> Explanation:
    """A line that begins with something no key or list item can begin with (`}`, `]`, `-`
    alone), or a word where the mapping above expected its next key."""
    line = lines[row]
    char = line[column]
    # YAML's own marks are strays; other text at a block's edge is the block's text
    stray = char in _INDICATORS or (
        _under_block(lines, row) is None and not char.isalnum()
    )
    if _under_block(lines, row) is not None and not stray:
        return _not_indented_under_block(lines, row)
    if stray and not line[column:].startswith("- "):
        return Explanation(row + 1, (
            f'this line starts with a stray "{char}" ({_show(line)}), which does not fit here.'
            f" Remove it, or if it belongs to the text above, put that text in double quotes"
        ))
    return _misindented(lines, row)


def _keyless_line(lines: list[str], row: int) -> Explanation:
    """`could not find expected ':'`, marked from the line YAML hoped was `key:` (PyYAML's
    problem is on the line after): text under `answer: |` that is not indented, a list item
    without its dash, or a line of text where a key belongs."""
    line = lines[row]
    indent = _indent(line)
    above = _previous(lines, row)
    if _under_block(lines, row) is not None:
        return _not_indented_under_block(lines, row)
    if above is not None:
        item = _TEXT_ITEM.match(lines[above])
        if item and indent in (len(item.group("indent")), len(item.group("indent")) + 2):
            return _missing_dash(lines, row, above)
    squeezed = _SQUEEZED_KEY.match(line)
    if squeezed:
        return Explanation(row + 1, (
            f"the colon after \"{squeezed.group('key')}\" needs a space after it"
            f' ({_show(line)}): write "{squeezed.group("key")}: {squeezed.group("rest")}"'
        ))
    return Explanation(row + 1, (
        f"this line has text but no key ({_show(line)}), where YAML expected a line like"
        f' "answer: ...". If it is a key, add its colon; if it belongs to the text above,'
        f' indent it further than that text\'s "key:", or put that whole text in double quotes'
    ))


def _not_indented_under_block(lines: list[str], row: int) -> Explanation:
    line = lines[row]
    start = _under_block(lines, row)
    assert start is not None  # callers check
    key = _key_of(lines[start])
    key_column = _indent(lines[start]) + _dash_width(lines[start])
    first = next(i for i in range(start + 1, row + 1) if _content(lines[i]))
    if first < row and _indent(lines[first]) > key_column + 2 and _indent(line) > key_column:
        # YAML takes the text's indentation from its first line: when that one is indented
        # deeper than the rest, it is the line that is out of step
        return Explanation(first + 1, (
            f'the first line of the text under "{key}: |" (line {start + 1}) is indented by'
            f" {_spaces(_indent(lines[first]))}, more than line {row + 1} after it"
            f" ({_show(line)}), and YAML takes the text's indentation from its first line."
            f" Indent every line of that text the same: {_spaces(key_column + 2)}"
            f' (two more than "{key}:")'
        ))
    return Explanation(row + 1, (
        f'the text under "{key}: |" (line {start + 1}) must be indented further than'
        f' "{key}:" itself, and this line is not ({_show(line)}). Indent every line'
        f' of that text by {_spaces(key_column + 2)} (two more than "{key}:")'
    ))


def _missing_dash(lines: list[str], row: int, list_row: int) -> Explanation:
    line = lines[row]
    if line.lstrip().startswith("-"):  # `-id: b`: YAML needs the space to see a dash
        return Explanation(row + 1, (
            f"the dash that starts this list item needs a space after it ({_show(line)}):"
            f' write "- {line.lstrip()[1:].lstrip()}"'
        ))
    return Explanation(row + 1, (
        f"this line is an item of the list that starts on line {list_row + 1}, but it does not"
        f' start with a dash and a space ({_show(line)}). Put "- " before it, lined up with'
        f' the other items\' dashes: "- {line.strip()}"'
    ))


def _misindented(lines: list[str], row: int) -> Explanation:
    line = lines[row]
    if _under_block(lines, row) is not None:
        return _not_indented_under_block(lines, row)
    owner = _previous(lines, row)
    hint = ""
    if owner is not None and (found := _KEY_LINE.match(lines[owner])):
        column = _indent(lines[owner]) + _dash_width(lines[owner])
        hint = f', like "{found.group("key")}:" on line {owner + 1} ({column} spaces)'
    return Explanation(row + 1, (
        f"this line is indented by {_spaces(_indent(line))}, which lines it up with nothing above"
        f" it ({_show(line)}). Start it in the same column as the lines it belongs with{hint}"
    ))


def _unclosed_bracket(lines: list[str], row: int, column: int) -> Explanation:
    line = lines[row]
    bracket = line[column] if column < len(line) else "["
    closing = "]" if bracket == "[" else "}"
    return Explanation(row + 1, (
        f'the "{bracket}" on this line is never closed with "{closing}" ({_show(line)}).'
        f" Add the {closing} where the list ends; if the {bracket} is"
        f' part of a text, put the whole text in double quotes ("...")'
    ))


def _after_quote(lines: list[str], row: int, quoted: yaml.ScalarToken) -> Explanation:
    """More on a line after a quoted text ended: a quote left open earlier (closed only by
    the next quote in the file), or the text's own quote character inside it."""
    start = quoted.start_mark.line
    if start != quoted.end_mark.line:
        return _unclosed_quote(lines, start, quoted.start_mark.column)
    line = lines[row]
    return Explanation(row + 1, (
        f"the text in quotes ends before the end of this line, and more follows the closing"
        f" quote ({_show(line)}). Put all of the text inside the quotes; to use a quote mark"
        f" inside the text, put the text in the other kind of quotes (\"It's\" or 'say \"hi\"')"
    ))


def _fallback(exc: yaml.MarkedYAMLError) -> str:
    detail = " ".join(part for part in (exc.context, exc.problem) if part)
    return (
        "this line does not fit the layout of the file, so it cannot be read. Check it and the"
        f" line above for a missing or extra space, dash, colon or quote (YAML syntax error:"
        f" {detail})"
    )


# -- reading the lines --------------------------------------------------------------------------


def _tab_on(lines: list[str], row: int, column: int) -> int | None:
    """The column of a tab in the line's indentation, or where the parser stopped (the
    pure-Python parser refuses a tab after `key:` that libyaml accepts), else None."""
    if row >= len(lines):
        return None
    line = lines[row]
    lead = len(line) - len(line.lstrip(" \t"))
    if "\t" in line[:lead]:
        return line.index("\t")
    if line[column : column + 1] == "\t":
        return column
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dash_width(line: str) -> int:
    """How far a `- key:` line's key starts after its indentation (0 without a dash)."""
    found = _KEY_LINE.match(line)
    return len(found.group("dash") or "") if found else 0


def _key_of(line: str) -> str:
    found = _KEY_LINE.match(line)
    return found.group("key") if found else line.strip()


def _content(line: str) -> bool:
    """A line YAML reads: not blank, not only a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], row: int) -> int | None:
    """The nearest line above `row` with content."""
    return next((i for i in range(row - 1, -1, -1) if _content(lines[i])), None)


def _owner(lines: list[str], row: int) -> int | None:
    """The nearest `key: ...` line above `row` that is indented less: the key whose text a
    deeper line goes on with."""
    indent = _indent(lines[row])
    for i in range(row - 1, -1, -1):
        if _content(lines[i]) and _indent(lines[i]) < indent:
            return i if _KEY_LINE.match(lines[i]) else None
    return None


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _under_block(lines: list[str], row: int) -> int | None:
    """The `key: |` line whose text `row` was meant to be part of, if any: the line just
    above, or the start of the text block just above."""
    above = _previous(lines, row)
    if above is None:
        return None
    if _BLOCK_START.search(lines[above]):
        return above
    return _block_start(lines, row, _indent(lines[row]))


def _block_start(lines: list[str], row: int, indent: int) -> int | None:
    """The `key: |` line whose text `row` carries on with too little indentation: above `row`,
    past the block's deeper lines, the first line indented no deeper than `row`."""
    for i in range(row - 1, -1, -1):
        if _content(lines[i]) and _indent(lines[i]) <= indent:
            return i if _BLOCK_START.search(lines[i]) else None
    return None


def _first_on_line(lines: list[str], row: int, column: int) -> bool:
    return row < len(lines) and column == _indent(lines[row]) < len(lines[row])


def _quoted_before(text: str, index: int, loader: type) -> yaml.ScalarToken | None:
    """The quoted text that ends just before `index`, where the parser gave up, if any: found
    by scanning the file's tokens up to there (the scan stops at the same error)."""
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text[:index], Loader=loader):
            if token.start_mark.index >= index:
                break
            last = token
    except yaml.YAMLError:
        pass
    if isinstance(last, yaml.ScalarToken) and last.style in ("'", '"'):
        return last
    return None


def _quotes(value: str) -> str:
    """Which quotes `_quoted` puts around `value`."""
    return "single quotes" if '"' in value else "double quotes"


def _quoted(found: re.Match[str], key: str, value: str) -> str:
    """The line as it should be (without its indentation): the value in double quotes, or in
    single quotes if it has double ones (a single quote inside those is written twice)."""
    dash = "- " if found.group("dash") else ""
    value = value.strip()
    if '"' not in value:
        return f'{dash}{key}: "{value}"'
    return f"{dash}{key}: '{value.replace(_SINGLE, _SINGLE * 2)}'"


def _uncommented(value: str) -> str:
    """A plain text without the comment YAML would drop from its end (` # ...`)."""
    return re.split(r"\s#", value, maxsplit=1)[0].strip()


def _show(line: str) -> str:
    """The line trimmed and in quotes for a message, cut at _SHOWN_CHARS."""
    shown = line.strip()
    if len(shown) > _SHOWN_CHARS:
        shown = shown[: _SHOWN_CHARS - 1].rstrip() + "…"
    return f'"{shown}"'
