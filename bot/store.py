"""The question store: an SQLite file of what the bot could not answer, and daily counts.

Synchronous, and used by one thread at a time: `faq-bot unanswered` and `stats` open a `Store`
read-only; the running bot's writers (`bot.recorder.Recorder`, `bot.handoff.Handoff`, each on a
worker thread of its own) share the process's one connection to the file through
`SharedStore`, which also notices the file being deleted or replaced while the bot runs and
starts a new one in its place (see there). No Telegram imports.

What is kept, and nothing else (see README, "Privacy: what the bot stores"):
- `questions`: the text of each question the bot declined (`none`) or answered with suggestions
  (`suggest`), redacted by `bot.redact` here, whoever calls; the suggested entry ids; the one
  picked, if any, linked through a random token carried by the suggestion buttons; and the day
  it was asked (a date only: a time of day could be matched against someone's chat);
- `outcome_counts`: per day, how many questions got each outcome;
- `entry_counts`: per day, how many times each entry answered a question (typed, or picked from
  suggestions);
- `handoffs`: for a question handed to the practice's team (bot.handoff), the link between the
  bot's post of it in the staff chat and the person's chat, so a staff reply can reach them:
  the staff chat and post ids, the person's chat id and the id of their question message, and
  the day. No question text, no name. It is deleted once answered, and `purge_handoffs` deletes
  what nobody answered in time (HANDOFF_RETENTION_DAYS).
No other table holds an id, username or name. `purge` deletes every question and count older
than the retention period, with `secure_delete` on so deleted text is overwritten, not just
unlinked.

The schema is versioned with `PRAGMA user_version`; `MIGRATIONS[n]` takes version n to n + 1,
each in one transaction, so a database from any older version is brought up to date on open.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from bot.grouping import Asked
from bot.redact import redact

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Every outcome of matching a message (bot.matcher.Status); only the first two keep their text.
RECORDED_OUTCOMES = ("none", "suggest")
OUTCOMES = (*RECORDED_OUTCOMES, "answer", "smalltalk", "urgent")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: the first schema.
    (
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,                      -- YYYY-MM-DD (UTC), never a time
            outcome TEXT NOT NULL CHECK (outcome IN ('none', 'suggest')),
            text TEXT NOT NULL,                     -- redacted
            suggested TEXT NOT NULL DEFAULT '',     -- entry ids, space-separated, best first
            token TEXT UNIQUE,                      -- in the suggestion buttons' callback data
            chosen TEXT                             -- the suggestion picked, if any
        )""",
        "CREATE INDEX questions_by_day ON questions (day)",
        """CREATE TABLE outcome_counts (
            day TEXT NOT NULL,
            outcome TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, outcome)
        ) WITHOUT ROWID""",
        """CREATE TABLE entry_counts (
            day TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (day, entry_id)
        ) WITHOUT ROWID""",
    ),
    # 1 -> 2: questions handed to the practice's team, until answered.
    (
        """CREATE TABLE handoffs (
            staff_chat_id INTEGER NOT NULL,         -- the practice's staff chat (STAFF_CHAT_ID)
            staff_message_id INTEGER NOT NULL,      -- the bot's post of the question there
            chat_id INTEGER NOT NULL,               -- the person's chat, where the reply goes
            question_message_id INTEGER NOT NULL,   -- their question, which the reply quotes
            day TEXT NOT NULL,                      -- YYYY-MM-DD (UTC) it was handed off
            PRIMARY KEY (staff_chat_id, staff_message_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX handoffs_by_day ON handoffs (day)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The store cannot be used as asked; the message is one line that names the file."""


@dataclass(frozen=True)
class Question:
    """One message's outcome, to record. `text` is kept (redacted) only for RECORDED_OUTCOMES."""

    outcome: str
    text: str = ""
    entry_id: str | None = None  # the entry answered
    suggested: tuple[str, ...] = ()  # the entries offered, best first
    token: str | None = None  # the suggestion buttons' link back to this record


@dataclass(frozen=True)
class Stats:
    """Counts for the days `first` to `last`, both included."""

    first: date
    last: date
    outcomes: dict[str, int] = field(default_factory=dict)  # every OUTCOMES key
    picked: int = 0  # suggestions where a button was pressed
    top_entries: tuple[tuple[str, int], ...] = ()  # (entry id, answers), most first

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def questions(self) -> int:
        return sum(self.outcomes.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "questions": self.questions,
            "outcomes": dict(self.outcomes),
            "picked": self.picked,
            "top_entries": [{"entry_id": e, "count": n} for e, n in self.top_entries],
        }


@dataclass(frozen=True)
class HandoffLink:
    """Where the staff's reply to a handed-off question goes: the person's chat, quoting their
    question message."""

    chat_id: int
    question_message_id: int
    day: date


def new_token() -> str:
    """A random link between a suggestion message and its record: 8 URL-safe characters,
    unguessable, and meaningless outside this database."""
    return secrets.token_urlsafe(6)


class Store:
    """One connection to the question store. Not thread-safe: one thread at a time."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, file_id: tuple[int, int] | None = None
    ) -> None:
        self._db = connection
        self.path = path
        # (device, inode) of the file as opened: SQLite does not say when the file at `path` is
        # no longer the one it has open, so `replaced` compares this with a fresh stat.
        self._file_id = file_id

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path, busy_timeout: float = 5.0, check_same_thread: bool = True
    ) -> Store:
        """Open for writing: create the directory and file if needed, WAL, migrate."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        created = not path.exists()
        connection = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=check_same_thread
        )
        try:
            if created:
                os.chmod(path, 0o600)  # health data: the owner only (WAL files inherit this)
            connection.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL is durable against application crashes, and much faster.
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA secure_delete = ON")
            _migrate(connection, path)
        except BaseException:
            connection.close()
            raise
        # Taken after opening, from the path: the connection's own descriptor is SQLite's, and
        # opening the file a second time to fstat it would drop SQLite's locks when closed (POSIX
        # locks belong to the process and file, not the descriptor).
        return cls(connection, path, _file_id(path))

    @classmethod
    def open_existing(cls, path: Path, busy_timeout: float = 5.0) -> Store:
        """Open read-only, for reports: never creates the file and never migrates it."""
        if not path.is_file():
            raise StoreError(
                f"{path}: no question store here yet (the bot creates it when it first records "
                "a question; set DB_PATH to the bot's file)"
            )
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout,
            isolation_level=None,
        )
        try:
            version = _user_version(connection)
            if version == 0:
                raise StoreError(f"{path}: not a faq-bot question store")
            if version > SCHEMA_VERSION:
                raise StoreError(_too_new(path, version))
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: schema version {version} is older than this program's "
                    f"({SCHEMA_VERSION}); start the bot once to upgrade it"
                )
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        self._db.close()

    def replaced(self) -> bool:
        """Whether the file at `path` is no longer the one this connection has open (deleted,
        or replaced by another file): writing on would go to a file nobody will read."""
        return self._file_id is not None and _file_id(self.path) != self._file_id

    def retire(self) -> None:
        """Close a connection whose file was deleted or replaced. Its WAL is checkpointed into
        the old file and emptied first: left as it is, SQLite would replay it into the new file
        at the path (its name is the path's name plus -wal) and overwrite that file's pages."""
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            logger.debug("Checkpointing the replaced question store: %s", exc)
        try:
            self._db.close()
        except sqlite3.Error as exc:
            logger.debug("Closing the replaced question store: %s", exc)

    def set_busy_timeout(self, seconds: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @property
    def journal_mode(self) -> str:
        return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    @property
    def version(self) -> int:
        return _user_version(self._db)

    # -- writing ----------------------------------------------------------------------------

    def record(self, question: Question, day: date) -> None:
        """Count the outcome (and the entry answered); keep the redacted text if declined or
        suggested and there is text to keep (none when KEEP_QUESTIONS is off). One transaction."""
        if question.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {question.outcome!r}")
        iso = day.isoformat()
        with self._transaction():
            _increment(self._db, "outcome_counts", "outcome", iso, question.outcome)
            if question.outcome == "answer" and question.entry_id:
                _increment(self._db, "entry_counts", "entry_id", iso, question.entry_id)
            if question.outcome in RECORDED_OUTCOMES and question.text:
                self._db.execute(
                    "INSERT INTO questions (day, outcome, text, suggested, token) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (iso, question.outcome, redact(question.text), " ".join(question.suggested),
                     question.token),
                )

    def record_pick(self, token: str, entry_id: str, day: date) -> bool:
        """A suggestion button was pressed: count the answer, and note the pick on its question
        (the latest pick wins: it is what the person settled on). False if the question is gone
        (purged, or the token is unknown); the answer is counted either way."""
        with self._transaction():
            _increment(self._db, "entry_counts", "entry_id", day.isoformat(), entry_id)
            cursor = self._db.execute(
                "UPDATE questions SET chosen = ? WHERE token = ? AND outcome = 'suggest'",
                (entry_id, token),
            )
            return cursor.rowcount > 0

    def purge(self, before: date) -> int:
        """Delete everything from days before `before`; returns how many questions went."""
        iso = before.isoformat()
        with self._transaction():
            deleted = self._db.execute("DELETE FROM questions WHERE day < ?", (iso,)).rowcount
            self._db.execute("DELETE FROM outcome_counts WHERE day < ?", (iso,))
            self._db.execute("DELETE FROM entry_counts WHERE day < ?", (iso,))
        return deleted

    # -- hand-off links ---------------------------------------------------------------------

    def link_handoff(
        self, staff_chat_id: int, staff_message_ids: Sequence[int], link: HandoffLink
    ) -> None:
        """Link the bot's post(s) of a question in the staff chat to the person's chat (a long
        question may take several posts: a reply to any of them reaches the person)."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO handoffs "
                "(staff_chat_id, staff_message_id, chat_id, question_message_id, day) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (staff_chat_id, message_id, link.chat_id, link.question_message_id,
                     link.day.isoformat())
                    for message_id in staff_message_ids
                ],
            )

    def handoff_link(
        self, staff_chat_id: int, staff_message_id: int, since: date
    ) -> HandoffLink | None:
        """The question a staff post hands off, if it is still open and from `since` on."""
        row = self._db.execute(
            "SELECT chat_id, question_message_id, day FROM handoffs "
            "WHERE staff_chat_id = ? AND staff_message_id = ? AND day >= ?",
            (staff_chat_id, staff_message_id, since.isoformat()),
        ).fetchone()
        if row is None:
            return None
        chat_id, question_message_id, day = row
        return HandoffLink(int(chat_id), int(question_message_id), date.fromisoformat(day))

    def close_handoff(self, staff_chat_id: int, link: HandoffLink) -> int:
        """The question was answered (or cannot be): delete its links, every post of it."""
        with self._transaction():
            return self._db.execute(
                "DELETE FROM handoffs WHERE staff_chat_id = ? AND chat_id = ? "
                "AND question_message_id = ?",
                (staff_chat_id, link.chat_id, link.question_message_id),
            ).rowcount

    def purge_handoffs(self, before: date) -> int:
        """Delete the links of questions handed off before `before`; returns how many went."""
        with self._transaction():
            return self._db.execute(
                "DELETE FROM handoffs WHERE day < ?", (before.isoformat(),)
            ).rowcount

    # -- reading ----------------------------------------------------------------------------

    def unanswered(self, since: date | None = None) -> list[Asked]:
        """Every distinct stored question (with outcome and pick), with its count and last day."""
        rows = self._db.execute(
            "SELECT text, COUNT(*), MAX(day), outcome, chosen FROM questions WHERE day >= ? "
            "GROUP BY text, outcome, chosen",
            ((since or date.min).isoformat(),),
        ).fetchall()
        return [
            Asked(text, count, date.fromisoformat(last), outcome, chosen)
            for text, count, last, outcome, chosen in rows
        ]

    def stats(self, first: date, last: date, top: int = 5) -> Stats:
        """Outcome counts, suggestions picked and the most given answers, `first` to `last`."""
        span = (first.isoformat(), last.isoformat())
        outcomes = dict.fromkeys(OUTCOMES, 0)
        for outcome, count in self._db.execute(
            "SELECT outcome, SUM(count) FROM outcome_counts WHERE day BETWEEN ? AND ? "
            "GROUP BY outcome",
            span,
        ):
            outcomes[outcome] = int(count)
        picked = self._db.execute(
            "SELECT COUNT(*) FROM questions WHERE outcome = 'suggest' AND chosen IS NOT NULL "
            "AND day BETWEEN ? AND ?",
            span,
        ).fetchone()[0]
        top_entries = self._db.execute(
            "SELECT entry_id, SUM(count) AS answers FROM entry_counts WHERE day BETWEEN ? AND ? "
            "GROUP BY entry_id ORDER BY answers DESC, entry_id LIMIT ?",
            (*span, top),
        ).fetchall()
        return Stats(
            first=first, last=last, outcomes=outcomes, picked=int(picked),
            top_entries=tuple((str(entry), int(count)) for entry, count in top_entries),
        )

    # -- helpers ----------------------------------------------------------------------------

    def batch(self) -> _Transaction:
        """One transaction around several writes (`with store.batch(): ...`): each write joins
        it instead of committing on its own."""
        return _Transaction(self._db)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class SharedStore:
    """The process's one connection to a store file, shared by the bot's worker threads, and
    kept pointing at the file that is at the path.

    One connection per process and file, because SQLite finds a database's WAL and WAL index
    (-wal, -shm) by the path's name, not by the file: were the file deleted or replaced while
    two connections had it open, the first to notice would start the new file, and the second,
    still on the old one, would then checkpoint its old WAL over the new file's index (tried:
    the new file's records were gone). Here noticing and starting anew happen once, under the
    lock that every operation holds.

    Before each operation (a batch of records, a report, a purge) the file at the path is
    compared with the one open (`Store.replaced`). If it was deleted or replaced, that is one
    warning; the old connection is retired and a new store is made at the path (schema and
    all, or the replacement is used if it is a store), so what was not yet written lands there
    and nothing is written into an unlinked file. Records already written to the old file went
    with it.

    `acquire` hands out the connection for a path (with symlinks and `..` resolved, so two
    spellings share one) with a count of users; `release` closes it when the last one is done.
    """

    _shared: ClassVar[dict[Path, SharedStore]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path, key: Path) -> None:
        self.path = path
        self._key = key
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._busy_timeout = 5.0  # the open connection's
        self._users = 0

    @classmethod
    def acquire(cls, path: Path) -> SharedStore:
        key = Path(os.path.realpath(path))  # never raises, unlike Path.resolve on a loop
        with cls._shared_lock:
            shared = cls._shared.get(key)
            if shared is None:
                shared = cls._shared[key] = cls(path, key)
            shared._users += 1
            return shared

    def release(self) -> None:
        """One user fewer; the last closes the connection."""
        with self._shared_lock:
            self._users -= 1
            if self._users > 0:
                return
            if self._shared.get(self._key) is self:
                del self._shared[self._key]
        with self._lock:
            self._close()

    def run(self, operation: Callable[[Store], T], busy_timeout: float = 5.0) -> T:
        """Run `operation` on the store, opening it first if needed (and anew if its file was
        deleted or replaced). An SQLite or OS error closes the connection (the next call opens
        afresh) and propagates, as does StoreError from opening."""
        with self._lock:
            try:
                store = self._current(busy_timeout)
                return operation(store)
            except (sqlite3.Error, OSError, StoreError):
                self._close()
                raise

    def _current(self, busy_timeout: float) -> Store:
        store = self._store
        if store is not None and store.replaced():
            logger.warning(
                "Question store %s was deleted or replaced while the bot was running; starting "
                "a new one there (records not yet written go to it)", self.path,
            )
            self._store = None
            store.retire()
            store = None
        if store is None:
            store = self._store = Store.open(
                self.path, busy_timeout=busy_timeout, check_same_thread=False
            )
            self._busy_timeout = busy_timeout
        elif busy_timeout != self._busy_timeout:  # users may differ (tests do)
            store.set_busy_timeout(busy_timeout)
            self._busy_timeout = busy_timeout
        return store

    def _close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except sqlite3.Error as exc:
                logger.debug("Closing the question store: %s", exc)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error; inside another one, it joins it.
    IMMEDIATE takes the write lock at the start, so a busy database fails (after the busy
    timeout) before anything is half done."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._outer = False

    def __enter__(self) -> None:
        self._outer = not self._db.in_transaction
        if self._outer:
            self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if not self._outer:
            return  # the enclosing transaction commits or rolls back
        if kind is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            self._db.execute("ROLLBACK")


def _increment(db: sqlite3.Connection, table: str, column: str, day: str, value: str) -> None:
    # `table` and `column` are this module's constants, never input.
    db.execute(
        f"INSERT INTO {table} (day, {column}, count) VALUES (?, ?, 1) "
        f"ON CONFLICT (day, {column}) DO UPDATE SET count = count + 1",
        (day, value),
    )


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def _user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _too_new(path: Path, version: int) -> str:
    return (
        f"{path}: schema version {version} is newer than this program's ({SCHEMA_VERSION}); "
        "upgrade the bot"
    )


def _migrate(
    connection: sqlite3.Connection, path: Path,
    migrations: Sequence[Sequence[str]] = MIGRATIONS,
) -> None:
    """Bring the file to the latest schema, one version per transaction.

    The version is read again inside each write transaction, so two processes opening a new
    file at once do not both apply the same migration.
    """
    target = len(migrations)
    while True:
        version = _user_version(connection)
        if version == target:
            return
        if version > target:
            raise StoreError(_too_new(path, version))
        if version == 0 and _has_foreign_tables(connection):
            raise StoreError(f"{path}: holds other tables; not a faq-bot question store")
        with _Transaction(connection):
            if _user_version(connection) != version:
                continue  # another process migrated meanwhile: look again
            for statement in migrations[version]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version + 1}")


def _has_foreign_tables(connection: sqlite3.Connection) -> bool:
    count = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    return bool(count)


class StoreDown(Exception):
    """The store could not be used; the message is the one-line reason."""


def failure_reason(exc: BaseException) -> str:
    """One line saying what went wrong, for the log and the admin."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class GuardedStore:
    """One user's way into the process's SharedStore of a file (bot.recorder, bot.handoff),
    from that user's worker thread only: opened on first use, and any failure logged as one
    warning (`down`, with the path and the reason) until a write works again (`up`, with the
    path). In WAL mode reads work while another process holds the write lock, so a read proves
    nothing about writing."""

    def __init__(
        self,
        path: Path,
        busy_timeout: float,
        log: logging.Logger,
        down: str,
        up: str,
        reason: Callable[[BaseException], str] = failure_reason,
    ) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._log = log
        self._down = down
        self._up = up
        self._reason = reason
        self._shared: SharedStore | None = None
        self._failing = False

    def run(self, operation: Callable[[Store], T], writes: bool) -> T:
        """`operation` on the store; StoreDown if it fails."""
        if self._shared is None:
            self._shared = SharedStore.acquire(self._path)
        try:
            # On failure the connection is closed and the next call starts afresh: the file
            # may be replaced, unlocked or made writable.
            result = self._shared.run(operation, busy_timeout=self._busy_timeout)
        except (sqlite3.Error, OSError, StoreError) as exc:
            reason = self._reason(exc)
            if not self._failing:
                self._failing = True
                self._log.warning(self._down, self._path, reason)
            raise StoreDown(reason) from exc
        if self._failing and writes:
            self._failing = False
            self._log.info(self._up, self._path)
        return result

    def close(self) -> None:
        shared, self._shared = self._shared, None
        if shared is not None:
            shared.release()
