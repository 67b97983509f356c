"""Teaching the FAQ a question it missed: edit faq.yaml in place, keeping everything else.

Two edits, used by the Telegram teach flow (bot.handlers) and `faq-bot teach` (bot.cli):

- `add_alternate`: the question becomes one more alternate of an entry (an `alternates:` key is
  made after the entry's `question` when it has none);
- `add_not_covered`: the phrase joins the FAQ's not-covered topics: in a flat `not_covered`
  list, appended to it; in named groups (the bundled file's form), to a group of its own,
  TAUGHT_GROUP, made at the end of the section the first time. Its own group, not one of the
  admin's: the admin's groups stay as written, some carry a `reply` line that names the
  phrase (which a taught question would read oddly in), and everything taught from Telegram
  is in one place to review or undo. (Each question in it is a topic of its own: bot.faq.)

How the file keeps its comments, order and formatting: ruamel.yaml composes the file (a round
trip parse that keeps every node's position), and the new item is written as one line of
text at the place it belongs, rendered (quoted when needed) by ruamel.yaml's emitter. Dumping
the whole document again would re-wrap every multi-line `[a, b, ...]` list of the file (the
bundled faq.yaml has dozens), so only the insertion is new text; nothing else is rewritten.

Safety, in order: the bytes on disk must be those the admin saw (`expected_sha256`, or a
chain of this process's own teaches from them); the edited text must pass the bot's own
loader (bot.faq) and hold exactly the intended change; then it replaces the file atomically
(a temporary file in the same folder, flushed, given the file's mode, then os.replace), so
readers see the old file or the new one, never half of one. A module-level lock serialises
teaches within the process (the bot's two admins, the CLI's threads); the hash check stops
an edit made meanwhile by anyone else (an editor, another process) from being overwritten.

Errors are TeachError, one sentence an admin can act on, never containing the question's text
(it may be health data, and messages are logged).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.faq import TAUGHT_GROUP, Faq, FaqError, faq_from_bytes, read_faq_file

MAX_QUESTION_CHARS = 500

_lock = threading.Lock()
# The hashes this process wrote, each with the hash it was made from: a teach prepared on an
# older version may still land when only this process's own teaches came in between (two
# admins teaching at once), never over anyone else's edit.
_written_from: dict[str, str] = {}


class TeachError(Exception):
    """Why nothing was written, in one sentence for the admin."""


@dataclass(frozen=True)
class Taught:
    """What a teach wrote: the file's new bytes and their hash, and where the phrase went."""

    data: bytes
    sha256: str
    entry_id: str | None  # None: added to not_covered
    faq: Faq


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_question(question: str) -> str:
    """The question as it will be written: one line, single spaces; TeachError if it is empty
    or too long."""
    text = " ".join(question.split())
    if not text:
        raise TeachError("The question is empty; nothing was written.")
    if len(text) > MAX_QUESTION_CHARS:
        raise TeachError(
            f"The question is {len(text)} characters long, more than the {MAX_QUESTION_CHARS} "
            "a taught question may have; nothing was written. Teach a shorter wording."
        )
    return text


def fold(text: str) -> str:
    """A phrase as compared for repeats, as bot.faq compares them: case and spacing do not
    count."""
    return " ".join(text.casefold().split())


def add_alternate(
    path: Path, entry_id: str, question: str, expected_sha256: str | None = None
) -> Taught:
    """Add `question` as an alternate of entry `entry_id`. `expected_sha256` is the hash of the
    file the admin saw (None: whatever is on disk now, as the command line does)."""
    text = clean_question(question)

    def edit(source: str, faq: Faq, root: MappingNode) -> str:
        entry = faq.get(entry_id)
        if entry is None:
            raise TeachError(
                f"There is no entry {entry_id!r} in faq.yaml (removed or renamed since?);"
                " nothing was written."
            )
        _not_phrased_yet(faq, text)
        node = _entry_node(root, entry_id)
        alternates = _value(node, "alternates")
        if alternates is None:
            question_key = _key_node(node, "question")
            assert question_key is not None  # the loader requires a question
            column = question_key.start_mark.column
            value = _value(node, "question")
            assert value is not None
            at = _line_after(source, value)
            added = f"{' ' * column}alternates:\n{' ' * (column + 2)}- {_block_item(text)}\n"
            return source[:at] + added + source[at:]
        return _append(source, alternates, text, f"entry {entry_id!r}'s alternates")

    def check(old: Faq, new: Faq) -> bool:
        before, after = old.get(entry_id), new.get(entry_id)
        return (
            before is not None and after is not None
            and after.alternates == (*before.alternates, text)
        )

    return _teach(path, expected_sha256, edit, check, entry_id)


def add_not_covered(path: Path, phrase: str, expected_sha256: str | None = None) -> Taught:
    """Add `phrase` to the FAQ's not-covered topics (see the module's note on where)."""
    text = clean_question(phrase)

    def edit(source: str, faq: Faq, root: MappingNode) -> str:
        if fold(text) in {fold(listed) for listed in faq.not_covered}:
            raise TeachError("That is already listed under not_covered; nothing was written.")
        section = _value(root, "not_covered")
        if section is None:
            if _key_node(root, "not_covered") is not None:
                raise TeachError(_BY_HAND.format(where="not_covered (it is empty)"))
            tail = "" if source.endswith("\n") or not source else "\n"
            return (
                f"{source}{tail}not_covered:\n  {_key_text(TAUGHT_GROUP)}:\n"
                f"    - {_block_item(text)}\n"
            )
        if isinstance(section, SequenceNode):
            return _append(source, section, text, "not_covered")
        if not isinstance(section, MappingNode) or not section.value:
            raise TeachError(_BY_HAND.format(where="not_covered"))
        group = _value(section, TAUGHT_GROUP)
        if isinstance(group, MappingNode):  # a group with a reply line: its phrases
            group = _value(group, "phrases")
        if isinstance(group, SequenceNode):
            return _append(source, group, text, f"not_covered's {TAUGHT_GROUP!r}")
        if group is not None or _key_node(section, TAUGHT_GROUP) is not None:  # or left empty
            raise TeachError(_BY_HAND.format(where=f"not_covered's {TAUGHT_GROUP!r}"))
        column = section.value[0][0].start_mark.column
        at = _line_after(source, _last_leaf(section))
        added = (
            f"{' ' * column}{_key_text(TAUGHT_GROUP)}:\n"
            f"{' ' * (column + 2)}- {_block_item(text)}\n"
        )
        return source[:at] + added + source[at:]

    def check(old: Faq, new: Faq) -> bool:
        return len(new.not_covered) == len(old.not_covered) + 1 and text in new.not_covered

    return _teach(path, expected_sha256, edit, check, None)


# -- the shared steps -------------------------------------------------------------------------

_BY_HAND = (
    "faq.yaml's {where} is written in a form I cannot add to safely; nothing was written. "
    "Add it by hand, then /reload."
)


def _teach(
    path: Path,
    expected_sha256: str | None,
    edit: Callable[[str, Faq, MappingNode], str],
    check: Callable[[Faq, Faq], bool],
    entry_id: str | None,
) -> Taught:
    target = Path(path).resolve()  # a symlinked faq.yaml: replace the file, not the link
    with _lock:
        try:
            data = read_faq_file(target)
        except FaqError as exc:
            raise TeachError(f"{exc}; nothing was written.") from None
        current = sha256(data)
        if expected_sha256 is not None and not _descends(current, expected_sha256):
            raise TeachError(
                "faq.yaml changed since you opened this list (edited on disk, or not yet "
                "reloaded); nothing was written. Send /reload, then /unanswered, and teach again."
            )
        # A file without any write permission is read-only on purpose, even for root (whom
        # os.access lets write anything): the admin locked it, so it is not ours to change.
        if not os.access(target, os.W_OK) or not target.stat().st_mode & 0o222:
            raise TeachError(
                f"{target} is read-only for the bot, so nothing was written. Let the bot's "
                "user write to it, or add the question by hand."
            )
        try:
            old = faq_from_bytes(data, str(target))
        except FaqError:
            raise TeachError(
                "faq.yaml on disk has problems (run faq-bot check); nothing was written."
            ) from None
        source = data.decode("utf-8")
        try:
            root = YAML().compose(source)
        except YAMLError:  # the real loader took it: only a ruamel.yaml quirk lands here
            raise TeachError(_BY_HAND.format(where="text")) from None
        if not isinstance(root, MappingNode):
            raise TeachError(_BY_HAND.format(where="text"))
        edited = edit(source, old, root).encode("utf-8")
        try:
            new = faq_from_bytes(edited, str(target))
        except FaqError as exc:
            raise TeachError(
                f"The changed faq.yaml would not load ({exc}); nothing was written."
            ) from None
        if not check(old, new):  # placed where the loader reads it, and nothing else moved
            raise TeachError(_BY_HAND.format(where="layout"))
        _replace(target, edited)
        written = sha256(edited)
        _written_from[written] = current
        return Taught(edited, written, entry_id, new)


def _descends(current: str, expected: str) -> bool:
    """True when `current` is `expected`, or was reached from it by this process's teaches."""
    seen = set()
    while current != expected:
        if current in seen or current not in _written_from:
            return False
        seen.add(current)
        current = _written_from[current]
    return True


def _replace(target: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `target`, then rename it over `target`: the file
    is always whole, the old version or the new one."""
    mode = stat.S_IMODE(target.stat().st_mode)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".teach"
        )
    except OSError as exc:
        raise TeachError(
            f"Cannot write beside {target} ({exc.strerror}): the bot needs to create a file in "
            "its folder to save safely; nothing was written."
        ) from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise TeachError(f"Cannot save {target} ({exc.strerror}); nothing was written.") from None


def _not_phrased_yet(faq: Faq, text: str) -> None:
    """TeachError if an entry already has this wording as its question, alternate or keyword."""
    key = fold(text)
    for entry in faq.entries:
        if key in {fold(phrase) for phrase in entry.phrasings}:
            raise TeachError(
                f"Entry {entry.id!r} already has that wording as its question or an alternate;"
                " nothing was written."
            )


# -- finding places in the composed file -------------------------------------------------------


def _key_node(mapping: MappingNode, key: str) -> Node | None:
    return next(
        (k for k, _ in mapping.value if isinstance(k, ScalarNode) and k.value == key), None
    )


def _value(mapping: MappingNode, key: str) -> Node | None:
    """The value of `key`, or None when absent or null (`key:` alone)."""
    for k, v in mapping.value:
        if isinstance(k, ScalarNode) and k.value == key:
            if isinstance(v, ScalarNode) and (v.tag or "").endswith(":null"):
                return None
            return v  # type: ignore[no-any-return]
    return None


def _entry_node(root: MappingNode, entry_id: str) -> MappingNode:
    entries = _value(root, "entries")
    if isinstance(entries, SequenceNode):
        for node in entries.value:
            if isinstance(node, MappingNode):
                found = _value(node, "id")
                if isinstance(found, ScalarNode) and found.value == entry_id:
                    return node
    raise TeachError(_BY_HAND.format(where=f"entry {entry_id!r}"))


def _last_leaf(node: Node) -> Node:
    """The node whose end is where `node`'s content ends (a block collection's end mark lies
    past the comments and blank lines after it)."""
    while (
        isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value
    ):
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node


def _line_after(source: str, node: Node) -> int:
    """Where the line after `node`'s content starts (after a trailing comment too)."""
    end = _last_leaf(node).end_mark.index
    if end > 0 and source[end - 1] == "\n":  # block scalars (|, >) end at the next line
        return int(end)
    newline = source.find("\n", end)
    return len(source) if newline < 0 else newline + 1


def _append(source: str, sequence: Node, text: str, where: str) -> str:
    """`source` with `text` added as the last item of `sequence`, in its own style."""
    if not isinstance(sequence, SequenceNode):
        raise TeachError(_BY_HAND.format(where=where))
    if sequence.flow_style:  # [a, b]: before the closing bracket
        close = sequence.end_mark.index - 1
        if source[close] != "]":
            raise TeachError(_BY_HAND.format(where=where))
        if not sequence.value:
            return source[:close] + _flow_item(text) + source[close:]
        at = sequence.value[-1].end_mark.index
        return source[:at] + ", " + _flow_item(text) + source[at:]
    if not sequence.value:
        raise TeachError(_BY_HAND.format(where=where))
    last = sequence.value[-1]
    line_start = source.rfind("\n", 0, last.start_mark.index) + 1
    prefix = source[line_start : last.start_mark.index]
    if prefix.strip() != "-":  # not "   - item" (e.g. "- - item"): no safe place for a line
        raise TeachError(_BY_HAND.format(where=where))
    at = _line_after(source, last)
    tail = "" if at == 0 or source[at - 1] == "\n" else "\n"
    return source[:at] + tail + prefix + _block_item(text) + "\n" + source[at:]


# -- rendering the new text ---------------------------------------------------------------------


def _emit(value: Any, flow: bool) -> str:
    yaml = YAML()
    yaml.width = 1 << 20  # one line, however long: a folded scalar would need indenting
    yaml.default_flow_style = flow
    out = io.StringIO()
    yaml.dump(value, out)
    return out.getvalue().strip()


def _block_item(text: str) -> str:
    """`text` as the item of a `- ` line: plain when YAML allows, else quoted."""
    rendered = _emit([text], flow=False)
    if not rendered.startswith("- ") or "\n" in rendered:
        raise TeachError(_BY_HAND.format(where="text (the wording needs more than one line)"))
    return rendered[2:]


def _flow_item(text: str) -> str:
    """`text` as an item of a `[a, b]` list (commas and brackets need quotes there)."""
    rendered = _emit([text], flow=True)
    if not (rendered.startswith("[") and rendered.endswith("]")) or "\n" in rendered:
        raise TeachError(_BY_HAND.format(where="text (the wording needs more than one line)"))
    return rendered[1:-1]


def _key_text(text: str) -> str:
    return _emit({text: None}, flow=False).removesuffix(":").strip()
