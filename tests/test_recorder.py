"""The recorder: writes off the event loop, in order, and never breaks answering when the
database cannot be opened, is locked, or is not a database."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.sqlite_lock import locked

from bot.recorder import Recorder, StoreUnavailable
from bot.store import Question, Store

TODAY = date(2024, 5, 10)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "faqbot.sqlite3"


@pytest.fixture
async def recorder(db_path: Path) -> AsyncIterator[Recorder]:
    recorder = Recorder(db_path, retention_days=90, today=lambda: TODAY)
    yield recorder
    await recorder.close()


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage() for record in caplog.records
        if record.name == "bot.recorder" and record.levelno == logging.WARNING
    ]


async def test_records_are_written_in_the_background_in_order(
    recorder: Recorder, db_path: Path
) -> None:
    recorder.record(Question("none", "how much is a session"))
    recorder.record(Question("suggest", "massage", suggested=("a", "b"), token="tok12345"))
    recorder.record_pick("tok12345", "b")
    recorder.record(Question("answer", entry_id="a"))
    await recorder.flush()
    groups = await recorder.unanswered()
    assert [(group.example, group.picked) for group in groups] == [
        ("how much is a session", ()), ("massage", (("b", 1),)),
    ]
    stats = await recorder.stats()
    assert (stats.first, stats.last) == (TODAY - timedelta(days=6), TODAY)
    assert stats.outcomes["none"] == stats.outcomes["suggest"] == stats.outcomes["answer"] == 1
    assert stats.picked == 1


async def test_many_tasks_recording_at_once_lose_nothing(recorder: Recorder) -> None:
    async def ask(number: int) -> None:
        await asyncio.sleep(0)
        recorder.record(Question("none", f"question number {number}"))
        recorder.record(Question("answer", entry_id="cupping"))

    await asyncio.gather(*(ask(number) for number in range(200)))
    await recorder.flush()
    stats = await recorder.stats()
    assert stats.outcomes["none"] == stats.outcomes["answer"] == 200
    assert stats.top_entries == (("cupping", 200),)


async def test_recording_does_not_wait_for_a_slow_database(db_path: Path) -> None:
    Store.open(db_path).close()
    recorder = Recorder(db_path, retention_days=90, busy_timeout=0.3)
    with locked(db_path):
        started = time.perf_counter()
        for _ in range(3):
            recorder.record(Question("none", "while locked"))
        assert time.perf_counter() - started < 0.1  # each write waits 0.3 s, off the loop
        flushed = asyncio.create_task(recorder.flush())
        ticks = 0
        while not flushed.done():
            await asyncio.sleep(0.01)  # the loop keeps running meanwhile
            ticks += 1
        assert ticks > 10
    await recorder.close()


async def test_a_locked_database_warns_once_then_recovers(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(db_path).close()
    recorder = Recorder(db_path, retention_days=90, busy_timeout=0.05, today=lambda: TODAY)
    caplog.set_level(logging.INFO, logger="bot.recorder")
    with locked(db_path):
        for number in range(5):
            recorder.record(Question("none", f"lost {number}"))
        await recorder.flush()
        # WAL: reports still read while another process writes; that is not "writable again"
        assert (await recorder.stats()).outcomes["none"] == 0
        assert await recorder.purge() is None
        recorder.record(Question("none", "lost too"))
        await recorder.flush()
        assert not any("writable again" in record.getMessage() for record in caplog.records)
    [warning] = warnings_from(caplog)
    assert "database is locked" in warning
    assert "keeps answering" in warning
    recorder.record(Question("none", "kept"))
    await recorder.flush()
    assert [group.example for group in await recorder.unanswered()] == ["kept"]
    assert any("writable again" in record.getMessage() for record in caplog.records)
    await recorder.close()


@pytest.mark.parametrize("kind", ["parent is a file", "path is a directory", "not a database"])
async def test_an_unusable_path_warns_once_and_never_raises(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    if kind == "parent is a file":
        (tmp_path / "file").write_text("x")
        path = tmp_path / "file" / "faqbot.sqlite3"
    elif kind == "path is a directory":
        path = tmp_path / "dir"
        path.mkdir()
    else:
        path = tmp_path / "faqbot.sqlite3"
        path.write_bytes(b"this is not an SQLite database, just some text " * 40)
    recorder = Recorder(path, retention_days=90)
    with caplog.at_level(logging.INFO, logger="bot.recorder"):
        for number in range(10):
            recorder.record(Question("none", f"question {number}"))
            recorder.record_pick("token123", "cupping")
        await recorder.flush()
        assert await recorder.purge() is None
        with pytest.raises(StoreUnavailable) as caught:
            await recorder.unanswered()
    assert "\n" not in str(caught.value)
    [warning] = warnings_from(caplog)
    assert str(path) in warning
    assert not any(record.exc_info for record in caplog.records)  # no traceback in the log
    await recorder.close()


async def test_purge_uses_the_retention_period(db_path: Path) -> None:
    store = Store.open(db_path)
    store.record(Question("none", "too old"), TODAY - timedelta(days=31))
    store.record(Question("none", "just kept"), TODAY - timedelta(days=30))
    store.close()
    recorder = Recorder(db_path, retention_days=30, today=lambda: TODAY)
    assert await recorder.purge() == 1
    assert [group.example for group in await recorder.unanswered()] == ["just kept"]
    assert await recorder.purge() == 0
    await recorder.close()


async def test_keep_purging_purges_every_interval_until_cancelled(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = [TODAY]
    recorder = Recorder(db_path, retention_days=90, today=lambda: days[0])
    recorder.record(Question("none", "asked today"))
    await recorder.flush()
    purges: list[int | None] = []
    twice = asyncio.Event()
    purge = recorder.purge

    async def counted() -> int | None:
        purges.append(await purge())
        if len(purges) == 2:
            twice.set()
        return purges[-1]

    monkeypatch.setattr(recorder, "purge", counted)
    task = asyncio.create_task(recorder.keep_purging(interval=0.01))
    days[0] = TODAY + timedelta(days=91)  # the first purge finds it too old
    await asyncio.wait_for(twice.wait(), timeout=5)
    assert purges == [1, 0]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await recorder.close()


async def test_close_writes_what_is_pending_then_ignores_new_records(db_path: Path) -> None:
    recorder = Recorder(db_path, retention_days=90, today=lambda: TODAY)
    for number in range(20):
        recorder.record(Question("none", f"pending {number}"))
    await recorder.close()
    recorder.record(Question("none", "after close"))
    await recorder.close()  # twice is fine
    with pytest.raises(StoreUnavailable, match="closed"):
        await recorder.unanswered()
    store = Store.open_existing(db_path)
    assert len(store.unanswered()) == 20
    store.close()


async def test_a_backlog_beyond_the_limit_is_dropped_with_one_warning(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Store.open(db_path).close()
    recorder = Recorder(db_path, retention_days=90, max_pending=3, today=lambda: TODAY)
    with caplog.at_level(logging.WARNING, logger="bot.recorder"):
        with locked(db_path):  # the worker takes a first batch, then waits for the lock
            for number in range(20):
                recorder.record(Question("none", f"burst {number}"))
        await recorder.flush()
    [warning] = warnings_from(caplog)
    assert "falling behind (3 records waiting)" in warning
    written = (await recorder.stats()).outcomes["none"]
    assert 3 <= written <= 6  # what waited (3), and any batch the worker had already taken
    await recorder.close()


async def test_records_made_together_are_written_together(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()
    recorder = Recorder(db_path, retention_days=90, today=lambda: TODAY)
    batches: list[int] = []
    batch = Store.batch

    def counted(store: Store) -> object:
        batches.append(1)
        return batch(store)

    monkeypatch.setattr(Store, "batch", counted)
    with locked(db_path):  # holds the worker on its first batch while the rest queue up
        for number in range(50):
            recorder.record(Question("none", f"together {number}"))
    await recorder.flush()
    assert (await recorder.stats()).outcomes["none"] == 50
    assert len(batches) <= 3  # not 50 transactions
    await recorder.close()


async def test_a_deleted_database_is_made_anew_and_records_not_yet_written_land_there(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(db_path, retention_days=90, today=lambda: TODAY)
    recorder.record(Question("none", "written before"))
    await recorder.flush()
    os.remove(db_path)  # deleted while the bot runs
    with caplog.at_level(logging.INFO, logger="bot"):
        recorder.record(Question("none", "held in memory"))  # queued, not yet written
        recorder.record(Question("answer", entry_id="cupping"))
        await recorder.flush()
        recorder.record(Question("none", "after"))
        await recorder.flush()
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "deleted or replaced" in warning
    await recorder.close()
    store = Store.open_existing(db_path)  # a whole store: the schema, at the latest version
    assert sorted(group.text for group in store.unanswered()) == ["after", "held in memory"]
    assert store.stats(TODAY, TODAY).outcomes["answer"] == 1
    store.close()
