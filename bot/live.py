"""The FAQ in service, and the three ways it is reloaded (/reload, a file change, SIGHUP).

A `Snapshot` pairs one validated Faq with the Matcher built for it. `LiveFaq.current` is a single
attribute, replaced whole after the new file has been read, validated and indexed, so a handler
that takes the snapshot once per update never sees half of an old FAQ and half of a new one; a
broken file raises before the swap and the old snapshot stays in service.

A reload never validates a file caught mid-write: it reads the file, waits SETTLE_SECONDS and
reads it again, and goes on only when both reads are the same bytes with the same size, mtime
and inode (`read_settled`). A save cut off at a line end can still be valid YAML, and a valid
FAQ (the last entry missing, an answer cut mid-word), so validation alone cannot tell.

No Telegram imports: the handlers report results, this module only decides and logs them. The
results of reloads nobody asked for in a chat (the watcher's, SIGHUP's) go to a callback
(`on_unasked_reload`), which bot.app points at bot.announce to tell the admins.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from bot.faq import Entry, Faq, FaqError, faq_from_bytes, read_faq_file
from bot.lint import review, taken_over
from bot.matcher import Matcher

logger = logging.getLogger(__name__)

# How long the FAQ file must hold still (the same bytes, size, mtime and inode at both ends)
# before a reload takes it as saved. A save is one burst of writes: traced with strace here, vim
# rewrites the bundled faq.yaml (77 KB) in place in ten 8 KB writes within 0.6 ms, and cp writes
# it in 0.4 ms; a copy onto a network mount (sshfs, SMB) waits a round trip between chunks, about
# 0.1 s on a slow link. One second is ten such pauses, and no more than an admin notices on
# /reload. A writer that stalls longer than this mid-file (a network copy that hangs) cannot be
# told from a finished file by any wait.
SETTLE_SECONDS = 1.0
# Reads at most, SETTLE_SECONDS apart, before a reload gives up on a file that keeps changing
# (about five seconds): the watcher looks again at its next poll, /reload says so.
SETTLE_READS = 6

# Faq fields that are not entries; a reload reports which of these changed too. Fields kept out
# of comparison (warnings, where each not-covered phrase is written) are no content.
_SETTINGS_FIELDS = tuple(
    f.name for f in fields(Faq)
    if f.compare and f.name not in ("source", "entries") and not f.name.startswith("_")
)


@dataclass(frozen=True)
class Snapshot:
    """One FAQ and its index: what every handler reads for one update."""

    faq: Faq
    matcher: Matcher

    @classmethod
    def from_bytes(cls, data: bytes, source: str) -> Snapshot:
        """Validate and index the bytes of a FAQ file already read; raise FaqError if broken."""
        faq = faq_from_bytes(data, source)
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


class StillChanging(Exception):
    """The file did not hold still for SETTLE_SECONDS in SETTLE_READS reads: it is being
    written (or rewritten over and over); the message is one line for the admin."""


@dataclass(frozen=True)
class Reading:
    """One read of the file, with what stat said just before it and whether it said the same
    just after (if not, the file moved while it was read)."""

    stat: tuple[int, int, int, int]  # device, inode, size, mtime (ns), before the read
    steady: bool
    data: bytes

    def same_as(self, other: Reading | None) -> bool:
        """Both reads steady, of the same file with the same size, mtime and bytes."""
        return (
            other is not None and self.steady and other.steady and self.stat == other.stat
            and self.data == other.data
        )

    @property
    def stamp(self) -> Stamp:
        _, _, size, mtime_ns = self.stat
        return Stamp(mtime_ns, size, hashlib.sha256(self.data).hexdigest())


def _stat_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def read_once(path: Path) -> Reading:
    """Read the file between two stats; raise FaqError if it cannot be read."""
    before = _stat_key(path)
    data = read_faq_file(path)
    after = _stat_key(path)
    return Reading(before or (0, 0, 0, 0), before is not None and before == after, data)


async def read_settled(
    path: Path,
    settle: float = SETTLE_SECONDS,
    reads: int = SETTLE_READS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Reading:
    """The file once it holds still: two reads `settle` seconds apart that agree (`Reading.
    same_as`), the later one returned. Raises FaqError if it cannot be read at first (missing,
    unreadable) or at the last try, StillChanging if it never held still in `reads` reads.
    A file that vanishes between reads (an editor that deletes and writes anew) is waited for.
    Reads run off the event loop; `sleep` is the wait (tests make it write to the file)."""
    previous: Reading | None = await asyncio.to_thread(read_once, path)
    for _ in range(reads - 1):
        await sleep(settle)
        try:
            current: Reading | None = await asyncio.to_thread(read_once, path)
        except FaqError:
            current = None  # gone mid-save: not settled
        if current is not None and current.same_as(previous):
            return current
        previous = current
    if previous is None:
        await asyncio.to_thread(read_once, path)  # raises the FaqError that says why
    raise StillChanging(
        f"{path}: the file was still changing after {settle * (reads - 1):g} s (being saved or "
        "copied?), so it was not loaded; send /reload again once it is saved"
    )


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
    # bot.lint's findings on the entries this reload added or changed: their own questions that
    # miss them, not_covered phrases that hide them (bot.lint.review). In service all the same.
    lint: tuple[str, ...] = ()
    # Not faults: the not_covered topics those entries now cover, which lead to them instead of
    # being declined (bot.lint.taken_over).
    notes: tuple[str, ...] = ()
    error: str = ""
    # The SHA-256 of the bytes this reload read ("" when it could not read them): how the admin
    # notices (bot.announce) tell a broken save already reported from a new one.
    sha256: str = ""

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
        if self.lint:
            parts.append(f"{len(self.lint)} entry warning(s): run faq-bot check")
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


def _review(
    snapshot: Snapshot, entries: tuple[str, ...], not_covered_changed: bool
) -> tuple[str, ...]:
    """bot.lint.review of a reload's new and changed entries. The new FAQ is already in
    service, so a fault here is logged and the reload still reports, without findings."""
    try:
        return tuple(review(snapshot.faq, snapshot.matcher, entries, not_covered_changed))
    except Exception:
        logger.exception("Could not check the reloaded entries; run faq-bot check")
        return ()


def _notes(snapshot: Snapshot, entries: tuple[str, ...]) -> tuple[str, ...]:
    """bot.lint.taken_over of a reload's new and changed entries (cheap: no matching)."""
    try:
        return tuple(taken_over(snapshot.faq, snapshot.matcher, entries))
    except Exception:
        logger.exception("Could not list the not_covered topics the reloaded entries cover")
        return ()


@dataclass(frozen=True, eq=False)
class Version:
    """One content of the file put in service: its FAQ, the SHA-256 of its bytes, and when and
    by what (`trigger`) it was applied. Compared by identity: a new Version is made only when
    different bytes go into service, so "is" means "the same save"."""

    faq: Faq
    sha256: str
    applied_at: datetime
    trigger: str


# Told of every reload nobody in a chat asked for (the watcher's, SIGHUP's), after it, with the
# Version in service then (the new one, or the one that stays when the file is broken). Kept
# free of Telegram here: bot.app wires in bot.announce, which tells the admins.
Announce = Callable[[ReloadResult, Version], Awaitable[None]]


class LiveFaq:
    """Holds the snapshot in service and replaces it atomically on a successful reload."""

    def __init__(
        self,
        path: Path,
        snapshot: Snapshot,
        seen: Stamp | None = None,
        *,
        settle: float = SETTLE_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.path = path
        self._snapshot = snapshot
        self._lock = asyncio.Lock()
        # The file as it was when last loaded or last found broken: the watcher reacts only to
        # something newer, so a broken file is reported once, not on every poll.
        self._seen = seen
        # How long a reload waits for the file to hold still, and how (tests shorten or script
        # the wait).
        self._settle = settle
        self._sleep = sleep
        self._changing = False  # the watcher has said the file is still changing
        # Which save is in service, since when: what /reload and the admin notices name.
        self._version = Version(
            snapshot.faq, seen.sha256 if seen else "", datetime.now(UTC), "start-up"
        )
        self._announce: Announce | None = None

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        settle: float = SETTLE_SECONDS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> LiveFaq:
        """Load the FAQ for start-up; raises FaqError with the `check` text if it is broken.

        Not waited for: a file caught mid-write at start-up either fails validation (the bot
        does not start) or, stat'ed before it was read, looks changed to the watcher, which
        reloads it once it holds still."""
        seen = stamp(path, with_hash=False)
        data = read_faq_file(path)
        if seen is not None:
            seen = Stamp(seen.mtime_ns, seen.size, hashlib.sha256(data).hexdigest())
        return cls(
            path, Snapshot.from_bytes(data, str(path)), seen, settle=settle, sleep=sleep
        )

    @property
    def current(self) -> Snapshot:
        return self._snapshot

    @property
    def version(self) -> Version:
        """The save in service (its FAQ equals `current.faq`), and when and how it was applied."""
        return self._version

    def on_unasked_reload(self, announce: Announce | None) -> None:
        """Who hears of the reloads nobody in a chat asked for (the watcher's, SIGHUP's)."""
        self._announce = announce

    async def reload(self, trigger: str, *, announce: bool = False) -> ReloadResult:
        """Wait for the file to hold still, then validate and index those bytes off the event
        loop, and swap them in. With `announce` (SIGHUP), the result goes to the callback set
        with `on_unasked_reload` too.

        Reloads are serialised: two admins sending /reload at once get two consistent results.
        """
        result = await self._reload(trigger, only_if_changed=False)
        assert result is not None
        if announce:
            await self._tell(result)
        return result

    async def _tell(self, result: ReloadResult) -> None:
        """Hand the result to the announce callback, outside the reload lock (sending to the
        admins takes network round trips; a /reload should not wait for them). A callback that
        fails is logged: the FAQ in service is what matters."""
        version = self._version  # read before any await: the save this result left in service
        if self._announce is None:
            return
        try:
            await self._announce(result, version)
        except Exception:
            logger.exception("Could not announce the FAQ reload (%s)", result.trigger)

    async def _reload(self, trigger: str, only_if_changed: bool) -> ReloadResult | None:
        """The reload; with `only_if_changed` (the watcher), None when the file holds the bytes
        last seen (touched, not changed) or is still being written (looked at again next poll).
        """
        async with self._lock:
            try:
                reading = await read_settled(self.path, self._settle, sleep=self._sleep)
            except StillChanging as exc:
                if only_if_changed:
                    if not self._changing:
                        self._changing = True
                        logger.info(
                            "FAQ file %s is still changing; reloading once it holds still",
                            self.path,
                        )
                    return None
                return self._failed(trigger, str(exc))
            except FaqError as exc:  # missing or unreadable
                self._seen = None
                return self._failed(trigger, str(exc))
            self._changing = False
            seen = reading.stamp
            if only_if_changed and self._seen and seen.sha256 == self._seen.sha256:
                self._seen = seen  # touched, not changed
                return None
            try:
                snapshot = await asyncio.to_thread(
                    Snapshot.from_bytes, reading.data, str(self.path)
                )
            except FaqError as exc:
                self._seen = seen
                return self._failed(trigger, str(exc), seen.sha256)
            old = self._snapshot.faq
            added, removed, changed = diff(old, snapshot.faq)
            # Before the swap, so that nothing awaits between the swap and its result: a reload
            # cancelled mid-way (the bot stopping) leaves no new FAQ in service unreported.
            findings = await asyncio.to_thread(
                _review, snapshot, (*added, *changed), old.not_covered != snapshot.faq.not_covered
            )
            self._snapshot = snapshot  # the swap: one assignment
            self._seen = seen
            if seen.sha256 != self._version.sha256:  # the same bytes again are no new save
                self._version = Version(snapshot.faq, seen.sha256, datetime.now(UTC), trigger)
            result = ReloadResult(
                ok=True, trigger=trigger, entry_count=len(snapshot.faq.entries),
                added=added, removed=removed, changed=changed,
                settings_changed=settings_diff(old, snapshot.faq),
                warnings=tuple(map(str, snapshot.faq.warnings)),
                lint=findings,
                notes=_notes(snapshot, (*added, *changed)),
                sha256=seen.sha256,
            )
            logger.info("%s", result.summary())
            return result

    def _failed(self, trigger: str, error: str, sha256: str = "") -> ReloadResult:
        result = ReloadResult(
            ok=False, trigger=trigger, entry_count=len(self._snapshot.faq.entries), error=error,
            sha256=sha256,
        )
        logger.error("%s:\n%s", result.summary(), result.error)
        return result

    async def watch(self, interval: float = 2.0) -> None:
        """Poll the file's stat and, when it moved, reload once the file holds still.

        Polling (stat, then a read only when the stat moved) needs no extra dependency and works
        on every filesystem, including bind mounts where inotify events do not arrive. The
        reload waits for the file to hold still (read_settled), so an editor's half-written save
        is never validated; a file only touched (same bytes) is not reloaded.
        """
        logger.info("Watching %s for changes", self.path)
        while True:
            await asyncio.sleep(interval)
            try:
                now = await asyncio.to_thread(stamp, self.path, False)
                if now is None or now.same_stat(self._seen):
                    continue
                result = await self._reload("file change", only_if_changed=True)
                if result is not None:
                    await self._tell(result)
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must outlive any surprise; the bot keeps serving
                logger.exception("FAQ watcher hit an error; still watching")
