"""The FAQ in service, and the three ways it is reloaded (/reload, a file change, SIGHUP).

A `Snapshot` pairs one validated Faq with the Matcher built for it. `LiveFaq.current` is a single
attribute, replaced whole after the new file has been read, validated and indexed, so a handler
that takes the snapshot once per update never sees half of an old FAQ and half of a new one; a
broken file raises before the swap and the old snapshot stays in service.

No Telegram imports: the handlers report results, this module only decides and logs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path

from bot.faq import Entry, Faq, FaqError, load_faq
from bot.matcher import Matcher

logger = logging.getLogger(__name__)

# Faq fields that are not entries; a reload reports which of these changed too.
_SETTINGS_FIELDS = tuple(
    f.name for f in fields(Faq)
    if f.name not in ("source", "entries", "warnings") and not f.name.startswith("_")
)


@dataclass(frozen=True)
class Snapshot:
    """One FAQ and its index: what every handler reads for one update."""

    faq: Faq
    matcher: Matcher

    @classmethod
    def build(cls, path: Path) -> Snapshot:
        """Load, validate and index a FAQ file; raise FaqError if it is broken."""
        faq = load_faq(path)
        return cls(faq=faq, matcher=Matcher(faq))


@dataclass(frozen=True)
class Stamp:
    """What the watcher knows about the file: cheap stat fields, and a hash to confirm."""

    mtime_ns: int
    size: int
    sha256: str = ""

    def same_stat(self, other: Stamp | None) -> bool:
        return other is not None and (self.mtime_ns, self.size) == (other.mtime_ns, other.size)


def stamp(path: Path, with_hash: bool = True) -> Stamp | None:
    """The file's stamp, or None when it does not exist (mid-save, or deleted)."""
    try:
        info = os.stat(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if with_hash else ""
    except OSError:
        return None
    return Stamp(info.st_mtime_ns, info.st_size, digest)


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: the entries now in service and what changed, or why it failed."""

    ok: bool
    trigger: str
    entry_count: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    settings_changed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # worth fixing, but the file is in service (see Faq)
    error: str = ""

    @property
    def anything_changed(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.settings_changed)

    def summary(self) -> str:
        """One line for the log (entry ids only: no question text)."""
        if not self.ok:
            return f"FAQ reload ({self.trigger}) failed; the previous FAQ stays in service"
        parts = [f"FAQ reloaded ({self.trigger}): {self.entry_count} entries"]
        for label, ids in (
            ("added", self.added), ("removed", self.removed), ("changed", self.changed),
            ("other changes", self.settings_changed),
        ):
            if ids:
                parts.append(f"{label}: {', '.join(ids)}")
        if not self.anything_changed:
            parts.append("no changes")
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning(s): run faq-bot check")
        return "; ".join(parts)


def diff(old: Faq, new: Faq) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Entry ids added, removed and changed (in content, not just line number) from old to new."""
    before = {entry.id: entry for entry in old.entries}
    after = {entry.id: entry for entry in new.entries}
    added = tuple(entry_id for entry_id in after if entry_id not in before)
    removed = tuple(entry_id for entry_id in before if entry_id not in after)
    changed = tuple(
        entry_id for entry_id, entry in after.items()
        if entry_id in before and _content(entry) != _content(before[entry_id])
    )
    return added, removed, changed


def _content(entry: Entry) -> tuple[object, ...]:
    return tuple(getattr(entry, f.name) for f in fields(Entry) if f.name != "line")


def settings_diff(old: Faq, new: Faq) -> tuple[str, ...]:
    """The non-entry parts of the file (disclaimer, fallback, urgent, ...) that changed."""
    return tuple(name for name in _SETTINGS_FIELDS if getattr(old, name) != getattr(new, name))


class LiveFaq:
    """Holds the snapshot in service and replaces it atomically on a successful reload."""

    def __init__(self, path: Path, snapshot: Snapshot, seen: Stamp | None = None) -> None:
        self.path = path
        self._snapshot = snapshot
        self._lock = asyncio.Lock()
        # The file as it was when last loaded or last found broken: the watcher reacts only to
        # something newer, so a broken file is reported once, not on every poll.
        self._seen = seen

    @classmethod
    def load(cls, path: Path) -> LiveFaq:
        """Load the FAQ for start-up; raises FaqError with the `check` text if it is broken."""
        seen = stamp(path)
        return cls(path, Snapshot.build(path), seen)

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    async def reload(self, trigger: str) -> ReloadResult:
        """Read, validate and index the file off the event loop, then swap it in.

        Reloads are serialised: two admins sending /reload at once get two consistent results.
        """
        async with self._lock:
            seen = await asyncio.to_thread(stamp, self.path)
            try:
                snapshot = await asyncio.to_thread(Snapshot.build, self.path)
            except FaqError as exc:
                self._seen = seen
                result = ReloadResult(
                    ok=False, trigger=trigger, entry_count=len(self._snapshot.faq.entries),
                    error=str(exc),
                )
                logger.error("%s:\n%s", result.summary(), result.error)
                return result
            old = self._snapshot.faq
            added, removed, changed = diff(old, snapshot.faq)
            self._snapshot = snapshot  # the swap: one assignment
            self._seen = seen
            result = ReloadResult(
                ok=True, trigger=trigger, entry_count=len(snapshot.faq.entries),
                added=added, removed=removed, changed=changed,
                settings_changed=settings_diff(old, snapshot.faq),
                warnings=tuple(map(str, snapshot.faq.warnings)),
            )
            logger.info("%s", result.summary())
            return result

    async def watch(self, interval: float = 2.0) -> None:
        """Poll the file and reload when it has changed and then held still for one interval.

        Polling (stat, then a hash only when the stat moved) needs no extra dependency and works
        on every filesystem, including bind mounts where inotify events do not arrive. Waiting
        for the file to hold still avoids reading an editor's half-written save.
        """
        logger.info("Watching %s for changes", self.path)
        pending: Stamp | None = None
        while True:
            await asyncio.sleep(interval)
            try:
                now = await asyncio.to_thread(stamp, self.path, False)
                if now is None or now.same_stat(self._seen):
                    pending = None
                    continue
                if not now.same_stat(pending):
                    pending = now  # it moved: look again next time, in case it is still moving
                    continue
                pending = None
                full = await asyncio.to_thread(stamp, self.path)
                if full is not None and self._seen and full.sha256 == self._seen.sha256:
                    self._seen = full  # touched, not changed
                    continue
                await self.reload("file change")
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must outlive any surprise; the bot keeps serving
                logger.exception("FAQ watcher hit an error; still watching")
