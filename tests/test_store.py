"""The SQLite question store: schema and migrations, what is kept (and what never is),
retention, reports, and several writers at once."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.db_bytes import raw_bytes

from bot.store import (
    MIGRATIONS,
    OUTCOMES,
    SCHEMA_VERSION,
    HandoffLink,
    Question,
    SharedStore,
    Store,
    StoreError,
    _migrate,
    new_token,
)

DAY = date(2024, 5, 10)
PHONE = "+44 20 7946 0958"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "faqbot.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store.open(db_path)


# -- schema ---------------------------------------------------------------------------------


def test_a_new_file_gets_the_latest_schema_in_wal_mode_readable_by_the_owner_only(
    db_path: Path,
) -> None:
    store = Store.open(db_path)
    assert db_path.is_file()
    assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
    assert store.journal_mode == "wal"
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert db_path.parent.stat().st_mode & 0o777 == 0o700
    store.close()


def test_only_the_handoff_links_have_a_place_for_a_chat(store: Store, db_path: Path) -> None:
    store.close()
    with sqlite3.connect(db_path) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )]
        columns = {
            table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for table in tables
        }
    assert columns == {
        "entry_counts": ["day", "entry_id", "count"],
        "outcome_counts": ["day", "outcome", "count"],
        "questions": ["id", "day", "outcome", "text", "suggested", "token", "chosen"],
        # until a staff reply to a handed-off question is delivered: no text, no name
        "handoffs": ["staff_chat_id", "staff_message_id", "chat_id", "question_message_id",
                     "day"],
    }


def test_an_empty_file_is_migrated_from_version_0(db_path: Path) -> None:
    db_path.parent.mkdir()
    db_path.touch()
    store = Store.open(db_path)
    assert store.version == SCHEMA_VERSION
    store.record(Question("none", "anything"), DAY)
    store.close()


def test_a_later_migration_upgrades_an_existing_file_and_keeps_its_data(
    store: Store, db_path: Path
) -> None:
    store.record(Question("none", "do you sell gift vouchers"), DAY)
    store.close()
    upgrade = (*MIGRATIONS, ("ALTER TABLE questions ADD COLUMN language TEXT",))
    with sqlite3.connect(db_path, isolation_level=None) as db:
        _migrate(db, db_path, upgrade)
        _migrate(db, db_path, upgrade)  # a second run finds nothing to do
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert db.execute("SELECT text, language FROM questions").fetchall() == [
            ("do you sell gift vouchers", None)
        ]


def test_a_version_1_store_gains_the_handoff_links_and_keeps_its_questions(
    db_path: Path,
) -> None:
    db_path.parent.mkdir()
    with sqlite3.connect(db_path, isolation_level=None) as db:
        _migrate(db, db_path, MIGRATIONS[:1])
        db.execute("INSERT INTO questions (day, outcome, text) VALUES ('2024-05-01', 'none', "
                   "'parking?')")
    store = Store.open(db_path)
    assert store.version == SCHEMA_VERSION
    assert [row.text for row in store.unanswered()] == ["parking?"]
    store.link_handoff(-100, [7], HandoffLink(42, 3, DAY))
    assert store.handoff_link(-100, 7, DAY) == HandoffLink(42, 3, DAY)
    store.close()


def test_a_failed_migration_leaves_the_previous_version(store: Store, db_path: Path) -> None:
    store.close()
    broken = (*MIGRATIONS, ("ALTER TABLE questions ADD COLUMN x TEXT", "THIS IS NOT SQL"))
    with sqlite3.connect(db_path, isolation_level=None) as db:
        with pytest.raises(sqlite3.OperationalError):
            _migrate(db, db_path, broken)
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [row[1] for row in db.execute("PRAGMA table_info(questions)")]
        assert "x" not in columns


def test_a_newer_schema_is_refused(store: Store, db_path: Path) -> None:
    store.close()
    with sqlite3.connect(db_path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this program's"):
        Store.open(db_path)


def test_someone_elses_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir()
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    with pytest.raises(StoreError, match="not a faq-bot question store"):
        Store.open(db_path)


# -- what is kept ---------------------------------------------------------------------------


def test_only_declined_and_suggested_questions_keep_their_text(
    store: Store, db_path: Path
) -> None:
    store.record(Question("answer", "do you treat sciatica", entry_id="sciatica"), DAY)
    store.record(Question("urgent", "crushing chest pain"), DAY)
    store.record(Question("smalltalk", "hello there"), DAY)
    store.record(Question("none", "how much is a session"), DAY)
    store.record(Question("suggest", "massage", suggested=("swedish", "sports")), DAY)
    assert sorted((row.text, row.outcome) for row in store.unanswered()) == [
        ("how much is a session", "none"),
        ("massage", "suggest"),
    ]
    store.close()
    data = raw_bytes(db_path)
    for kept_out in (b"sciatica?", b"chest pain", b"hello there"):
        assert kept_out not in data
    assert b"how much is a session" in data


def test_a_question_without_text_is_only_counted(store: Store) -> None:
    """What the bot records with KEEP_QUESTIONS=false: no row, the outcome still counted."""
    store.record(Question("suggest", "", suggested=("swedish", "sports"), token="t0k3n"), DAY)
    store.record(Question("none", ""), DAY)
    assert store.unanswered() == []
    assert store.stats(DAY, DAY).outcomes["suggest"] == 1
    assert store.stats(DAY, DAY).outcomes["none"] == 1


def test_text_is_redacted_before_it_reaches_the_disk(store: Store, db_path: Path) -> None:
    store.record(Question("none", f"call me on {PHONE} or mail jo@example.com"), DAY)
    [row] = store.unanswered()
    assert row.text == "call me on [phone] or mail [email]"
    store.close()
    data = raw_bytes(db_path)
    assert b"7946" not in data
    assert b"jo@example.com" not in data


def test_an_unknown_outcome_is_a_bug(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        store.record(Question("maybe", "x"), DAY)


def test_a_suggestion_pick_is_linked_by_its_token_and_the_latest_pick_wins(
    store: Store,
) -> None:
    token, other = new_token(), new_token()
    assert token != other
    assert len(token) == 8
    store.record(Question("suggest", "massage", suggested=("swedish", "sports"), token=token), DAY)
    store.record(Question("suggest", "massage", suggested=("swedish", "sports"), token=other), DAY)
    assert store.record_pick(token, "sports", DAY)
    assert store.record_pick(token, "swedish", DAY)
    assert not store.record_pick("unknown1", "swedish", DAY)  # purged or forged: still counted
    rows = {(row.chosen, row.count) for row in store.unanswered()}
    assert rows == {("swedish", 1), (None, 1)}
    stats = store.stats(DAY, DAY)
    assert stats.picked == 1
    assert stats.top_entries == (("swedish", 2), ("sports", 1))


# -- hand-off links -------------------------------------------------------------------------

STAFF = -1005550001111


def test_a_handoff_link_leads_to_its_chat_until_closed_or_too_old(store: Store) -> None:
    link = HandoffLink(chat_id=4242, question_message_id=17, day=DAY)
    store.link_handoff(STAFF, [301, 302], link)  # a question long enough for two posts
    other = HandoffLink(chat_id=5151, question_message_id=3, day=DAY)
    store.link_handoff(STAFF, [303], other)
    assert store.handoff_link(STAFF, 302, since=DAY) == link
    assert store.handoff_link(STAFF, 303, since=DAY) == other
    assert store.handoff_link(STAFF, 999, since=DAY) is None  # not a hand-off
    assert store.handoff_link(-1009, 301, since=DAY) is None  # another staff chat's post
    assert store.handoff_link(STAFF, 301, since=DAY + timedelta(days=1)) is None  # too old
    assert store.close_handoff(STAFF, link) == 2  # answered: every post of it goes
    assert store.handoff_link(STAFF, 301, since=DAY) is None
    assert store.handoff_link(STAFF, 303, since=DAY) == other


def test_purge_handoffs_deletes_only_older_links(store: Store) -> None:
    store.link_handoff(STAFF, [1], HandoffLink(1, 1, DAY - timedelta(days=8)))
    store.link_handoff(STAFF, [2], HandoffLink(2, 2, DAY - timedelta(days=7)))
    store.record(Question("none", "kept question"), DAY - timedelta(days=8))
    assert store.purge_handoffs(before=DAY - timedelta(days=7)) == 1
    assert store.handoff_link(STAFF, 1, since=date.min) is None
    assert store.handoff_link(STAFF, 2, since=date.min) is not None
    assert [row.text for row in store.unanswered()] == ["kept question"]  # its own retention
    assert store.purge(before=DAY) == 1
    assert store.handoff_link(STAFF, 2, since=date.min) is not None  # and the links theirs


# -- reports --------------------------------------------------------------------------------


def test_stats_count_each_outcome_in_the_window_only(store: Store) -> None:
    for offset, outcome, entry in [
        (0, "answer", "sciatica"), (0, "answer", "sciatica"), (1, "answer", "cupping"),
        (2, "suggest", None), (3, "none", None), (6, "urgent", None), (6, "smalltalk", None),
        (7, "answer", "cupping"),  # one day too old
    ]:
        store.record(Question(outcome, "q", entry_id=entry), DAY - timedelta(days=offset))
    stats = store.stats(DAY - timedelta(days=6), DAY)
    assert stats.days == 7
    assert stats.outcomes == {
        "none": 1, "suggest": 1, "answer": 3, "smalltalk": 1, "urgent": 1,
    }
    assert set(stats.outcomes) == set(OUTCOMES)
    assert stats.questions == 7
    assert stats.top_entries == (("sciatica", 2), ("cupping", 1))
    assert stats.as_json()["top_entries"] == [
        {"entry_id": "sciatica", "count": 2}, {"entry_id": "cupping", "count": 1},
    ]


def test_unanswered_rows_count_repeats_and_remember_the_last_day(store: Store) -> None:
    store.record(Question("none", "parking?"), DAY - timedelta(days=3))
    store.record(Question("none", "parking?"), DAY)
    store.record(Question("none", "gift vouchers"), DAY - timedelta(days=1))
    rows = {row.text: (row.count, row.last_asked) for row in store.unanswered()}
    assert rows == {"parking?": (2, DAY), "gift vouchers": (1, DAY - timedelta(days=1))}
    assert [row.text for row in store.unanswered(since=DAY)] == ["parking?"]


# -- retention ------------------------------------------------------------------------------


def test_purge_deletes_everything_older_and_overwrites_it(store: Store, db_path: Path) -> None:
    old, kept = DAY - timedelta(days=91), DAY - timedelta(days=90)
    store.record(Question("none", "zebra massage old question"), old)
    store.record(Question("answer", entry_id="cupping"), old)
    store.record(Question("none", "kept question"), kept)
    assert store.purge(before=kept) == 1
    assert [row.text for row in store.unanswered()] == ["kept question"]
    assert store.stats(old, old).questions == 0
    assert store.stats(old, old).top_entries == ()
    assert store.stats(kept, kept).questions == 1
    store.close()  # checkpoints the WAL into the file
    assert b"zebra" not in raw_bytes(db_path)  # secure_delete: gone, not just unlinked


# -- reading without writing ----------------------------------------------------------------


def test_open_existing_never_creates_a_file(db_path: Path) -> None:
    with pytest.raises(StoreError, match="no question store here yet"):
        Store.open_existing(db_path)
    assert not db_path.exists()
    assert not db_path.parent.exists()


def test_open_existing_reads_and_cannot_write(store: Store, db_path: Path) -> None:
    store.record(Question("none", "parking?"), DAY)
    reader = Store.open_existing(db_path)
    assert [row.text for row in reader.unanswered()] == ["parking?"]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.record(Question("none", "x"), DAY)
    reader.close()
    store.close()


def test_open_existing_refuses_a_file_that_is_not_a_store(db_path: Path) -> None:
    db_path.parent.mkdir()
    db_path.touch()
    with pytest.raises(StoreError, match="not a faq-bot question store"):
        Store.open_existing(db_path)


# -- several writers ------------------------------------------------------------------------


def test_concurrent_writers_from_several_threads_lose_nothing(db_path: Path) -> None:
    Store.open(db_path).close()
    threads, per_thread = 6, 40
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(number: int) -> None:
        try:
            store = Store.open(db_path, busy_timeout=30)
            start.wait()
            for index in range(per_thread):
                store.record(Question("none", f"question {number}-{index}"), DAY)
                store.record(Question("answer", entry_id=f"entry-{number}"), DAY)
            store.close()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    store = Store.open(db_path)
    stats = store.stats(DAY, DAY, top=threads)
    assert stats.outcomes["none"] == stats.outcomes["answer"] == threads * per_thread
    assert len(store.unanswered()) == threads * per_thread
    assert {count for _, count in stats.top_entries} == {per_thread}
    store.close()


# -- the file deleted or replaced while the bot runs ----------------------------------------


def questions_in(path: Path) -> list[str]:
    """The stored question texts, read by a connection of its own."""
    with sqlite3.connect(path) as db:
        return [text for (text,) in db.execute("SELECT text FROM questions ORDER BY id")]


def store_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage() for record in caplog.records
        if record.name.startswith("bot") and record.levelno >= logging.WARNING
    ]


def ask(text: str) -> Callable[[Store], None]:
    return lambda store: store.record(Question("none", text), DAY)


def test_a_deleted_store_is_made_anew_with_one_warning_and_the_next_record_lands_there(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = SharedStore.acquire(db_path)
    for number in range(20):
        shared.run(ask(f"before {number}"))
    assert Path(f"{db_path}-wal").stat().st_size > 0  # written, not yet checkpointed
    db_path.unlink()  # rm faqbot.sqlite3: its -wal and -shm stay
    with caplog.at_level(logging.INFO, logger="bot"):
        shared.run(ask("after"))
        shared.run(ask("and after"))
    [warning] = store_warnings(caplog)
    assert str(db_path) in warning
    assert "deleted or replaced" in warning
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert questions_in(db_path) == ["after", "and after"]
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    shared.release()


def test_a_store_replaced_by_another_is_written_to_and_keeps_what_it_held(
    db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file moved over the store (a backup restored with mv): the old connection's WAL is
    emptied first, so SQLite does not replay it into the file now at the path (tried: without
    it, the restored file's question was gone and the old ones were back)."""
    shared = SharedStore.acquire(db_path)
    for number in range(20):
        shared.run(ask(f"old {number}"))
    backup = Store.open(tmp_path / "backup.sqlite3")
    backup.record(Question("none", "restored"), DAY)
    backup.close()
    os.replace(tmp_path / "backup.sqlite3", db_path)
    with caplog.at_level(logging.WARNING, logger="bot"):
        shared.run(ask("new"))
    assert len(store_warnings(caplog)) == 1
    assert questions_in(db_path) == ["restored", "new"]
    shared.release()
    assert questions_in(db_path) == ["restored", "new"]  # and after the last close


def test_a_directory_deleted_with_the_store_is_made_again(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = SharedStore.acquire(db_path)
    shared.run(ask("before"))
    for file in db_path.parent.iterdir():
        file.unlink()
    db_path.parent.rmdir()  # rm -r data
    with caplog.at_level(logging.WARNING, logger="bot"):
        shared.run(ask("after"))
    assert len(store_warnings(caplog)) == 1
    assert questions_in(db_path) == ["after"]
    shared.release()


def test_an_unchanged_store_is_not_reopened(db_path: Path) -> None:
    shared = SharedStore.acquire(db_path)
    stores = []
    for number in range(3):
        shared.run(lambda store, n=number: (stores.append(store), ask(f"q{n}")(store)))
    assert stores[0] is stores[1] is stores[2]
    shared.release()


def test_users_of_one_file_share_one_connection_until_the_last_lets_go(db_path: Path) -> None:
    first = SharedStore.acquire(db_path)
    second = SharedStore.acquire(db_path.parent / ".." / db_path.parent.name / db_path.name)
    assert first is second
    seen = [first.run(lambda store: store), second.run(lambda store: store)]
    assert seen[0] is seen[1]
    first.release()
    second.run(ask("still open"))
    second.release()
    fresh = SharedStore.acquire(db_path)
    assert fresh is not first  # a new one after the last release
    fresh.release()
